import { expect } from 'chai';
import type { ServiceBroker } from 'moleculer';
import { loadConfig } from '../../../../../config';
import { HealthRegistry } from '../../../../../core/health';
import { FakeClock } from '../../../../../core/resilience';
import { LocalStore } from '../../../../../core/shared-store';
import { GatewayPolicies } from '../../../../../services/gateway/policies';

function setup(env: Record<string, string> = {}) {
  const clock = new FakeClock(0);
  const store = new LocalStore({ clock });
  const policies = new GatewayPolicies(loadConfig(env, '/tmp'), {
    clock,
    openStore: () => ({ store, health: async () => ({ status: 'disabled', detail: 'test store' }), close: () => store.close() }),
  });
  const warnings: string[] = [];
  const logger = { info: () => undefined, warn: (m: string) => warnings.push(m) };
  return { policies, store, warnings, logger };
}

describe('gateway/policies - composition', () => {
  it('route - takes over body parsing (after the checks) and keeps the rest of the route as it was', () => {
    const { policies } = setup();
    const route = policies.route({
      path: '/api/v1',
      authentication: true,
      bodyParsers: { json: { strict: true, limit: '64kb' }, urlencoded: false },
      aliases: { 'GET x/:id': 'svc.x' },
      policies: { group: 'api' },
    });
    expect(route.bodyParsers).to.equal(false);
    expect(route.use).to.have.length(1);
    expect(route).to.include({ path: '/api/v1', authentication: true });
    expect(route.aliases).to.deep.equal({ 'GET x/:id': 'svc.x' });
  });

  it('open - reports the shared store on /health and warns of GATEWAY_POLICIES names that match no route', async () => {
    const s = setup({ GATEWAY_POLICIES: JSON.stringify({ api: { routes: { 'GET x/:id': {}, 'GET y': {} } }, apii: {} }) });
    s.policies.route({ path: '/api/v1', aliases: { 'GET /x/:id': 'svc.x' }, policies: { group: 'api' } });
    const health = new HealthRegistry();
    s.policies.open({} as ServiceBroker, s.logger, health);
    expect(await health.report()).to.deep.equal({ 'shared store': { status: 'disabled', detail: 'test store' } });
    expect(s.warnings).to.deep.equal([
      "GATEWAY_POLICIES.api.routes names 'GET y', which is not a route of that group (GET x/:id)",
      "GATEWAY_POLICIES names route group 'apii', which no route has (groups: api)",
    ]);
    await s.policies.close();
  });

  it('circuit events - the broadcast handlers feed the gate', () => {
    const { policies } = setup();
    const events = policies.circuitEvents();
    expect(Object.keys(events)).to.deep.equal(['operations.circuit.open', 'operations.circuit.half-open', 'operations.circuit.closed']);
    events['operations.circuit.open']({ params: { operation: 'marketing.queryArrears', nodeId: 'n1', retryAfterMs: 5000 } });
    expect(policies.circuits.openOperations()).to.deep.equal(['marketing.queryArrears']);
    events['operations.circuit.closed']({ params: { operation: 'marketing.queryArrears', nodeId: 'n1' } });
    expect(policies.circuits.openOperations()).to.deep.equal([]);
  });
});
