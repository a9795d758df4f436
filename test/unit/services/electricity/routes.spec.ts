import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../../../../config';
import { HealthRegistry } from '../../../../core/health';
import { DEFAULT_CACHE_TTL_S } from '../../../../core/electricity/cache-ttl';
import { createElectricityService } from '../../../../services/electricity/electricity.service';
import { apiRoutes } from '../../../../services/electricity/routes';

describe('electricity routes - what the plate publishes under /api/v1', () => {
  const schema = createElectricityService({ config: loadConfig({}), health: new HealthRegistry(), dataSource: {} as DataSource, operations: null });
  const actions = schema.actions as Record<string, { params?: Record<string, unknown> }>;

  it('routes - every alias names an action of the electricity service, each with strict params taking accountNo', () => {
    for (const [alias, target] of Object.entries(apiRoutes.aliases)) {
      const [service, action] = target.split('.');
      expect(service, alias).to.equal('electricity');
      expect(actions[action], `${alias} -> ${target}`).to.be.an('object');
      expect(actions[action].params, target).to.include({ $$strict: true });
      expect(actions[action].params, target).to.have.property('accountNo');
      expect(alias, 'under the account').to.match(/^(GET|PUT) accounts\/:accountNo\//);
    }
  });

  it('routes - every action that asks the marketing system depends on exactly its cached operation (circuit gate); usage and changes need none', () => {
    const aliased = new Set(Object.values(apiRoutes.aliases));
    const gated = Object.entries(apiRoutes.dependsOn ?? {});
    for (const [action, operations] of gated) {
      expect(aliased.has(action), action).to.equal(true);
      for (const op of operations) expect(Object.keys(DEFAULT_CACHE_TTL_S), `${action} -> ${op}`).to.include(op);
    }
    expect(gated.map(([a]) => a).sort()).to.deep.equal(['electricity.balance', 'electricity.bill', 'electricity.bills', 'electricity.ebill', 'electricity.paymentRecords']);
  });

  it('config - ELECTRICITY_CACHE_TTL_S reaches the config; a wrong operation name stops the start naming the setting', () => {
    expect(loadConfig({ ELECTRICITY_CACHE_TTL_S: 'getBalance=5' }).electricity.cacheTtlS).to.include({ 'marketing.getBalance': 5, 'marketing.listBills': 300 });
    expect(() => loadConfig({ ELECTRICITY_CACHE_TTL_S: 'balance=5' })).to.throw(/^Invalid configuration: ELECTRICITY_CACHE_TTL_S: 'balance' is not a cached operation/);
    expect(() => loadConfig({ ELECTRICITY_CACHE_TTL_S: 'getBalance' })).to.throw(/ELECTRICITY_CACHE_TTL_S must be operation=seconds/);
  });
});
