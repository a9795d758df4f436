import { expect } from 'chai';
import { loadConfig } from '../../config';
import { http, HttpResult } from '../helpers/http';
import { gatewayAliases, rawRequest, RoutedAlias } from './helpers/routes';
import { sharedUserBus, UserBus } from './helpers/user-bus';

/**
 * Handlers written in the route files themselves take no action parameters;
 * each is listed with why (docs/security.md, "Request hygiene"). A new one
 * must be added here on purpose.
 */
const RAW_HANDLERS: Record<string, string> = {
  'GET /health': 'no parameters: readiness of the cluster, the query is not read',
  'GET /health/live': 'no parameters: liveness of this node, the query is not read',
  'GET /metrics': 'no parameters: Prometheus text, the query is not read',
  'GET /openapi/life-number.yaml': 'no parameters: the published life-number contract, the query is not read',
  'GET /openapi/life-number.json': 'no parameters: the published life-number contract, the query is not read',
  'POST /alipay/notify': "Alipay's signed form, read by the route itself: every field is covered by the RSA2 signature",
  'POST /alipay/gateway': "Alipay's signed form, read by the route itself: every field is covered by the RSA2 signature",
};

type Problem = { field: string; type: string };
const fields = (res: HttpResult) => ((res.json?.details?.problems ?? []) as Problem[]).map((p) => p.field);

/**
 * Issue 8 item 13: an unknown field gets 422 on EVERY routed action, and a
 * body `{"__proto__": {...}}` (which moleculer-web's Object.assign turns
 * into the params' prototype, out of the validator's sight) is refused too.
 * The aliases come from the route files; real tokens get every request past
 * authentication and roles to the parameter check.
 */
describe('security - unknown fields and prototype keys are refused on every route', function () {
  this.timeout(120_000);
  let bus: UserBus;
  let aliases: RoutedAlias[];
  const tokens: Record<string, string> = {};

  before(async () => {
    bus = await sharedUserBus();
    aliases = gatewayAliases(loadConfig({ ...bus.env }));
    tokens['/api/v1'] = bus.userToken();
    tokens['/admin/api'] = await bus.adminToken();
  });

  function send(alias: RoutedAlias, init: { query?: string; body?: string }): Promise<HttpResult> {
    // a path parameter gets a value; whether it is valid does not matter, the unknown field must be named
    const path = alias.path.replace(/:[A-Za-z]+/g, '1');
    const token = alias.authenticated ? tokens[alias.path.startsWith('/admin/api') ? '/admin/api' : '/api/v1'] : undefined;
    const headers: Record<string, string> = {};
    if (init.body !== undefined) headers['Content-Type'] = 'application/json';
    return rawRequest(`${bus.url}${path}${init.query ? `?${init.query}` : ''}`, { method: alias.method, headers, body: init.body, token });
  }

  it('finds the routes of every route file, actions and raw handlers', () => {
    const actions = aliases.filter((a) => a.action).map((a) => `${a.method} ${a.path}`);
    expect(actions).to.include.members(['GET /api/v1/accounts/:accountNo/arrears', 'POST /api/v1/arrears/query', 'POST /api/v1/session', 'GET /admin/api/mappings/releases/:version', 'DELETE /admin/api/gateway/bans/:ip']);
    expect(actions.length).to.be.at.least(25);
    const raw = aliases.filter((a) => !a.action).map((a) => `${a.method} ${a.path}`);
    expect(raw.filter((r) => !RAW_HANDLERS[r]), 'raw handlers without a documented exemption').to.deep.equal([]);
  });

  it('an unknown field in the query answers 422 VALIDATION_FAILED naming it, on every action', async () => {
    const wrong: string[] = [];
    for (const alias of aliases.filter((a) => a.action)) {
      const res = await send(alias, { query: 'surprise=1' });
      if (res.status !== 422 || res.json?.code !== 'VALIDATION_FAILED' || !fields(res).includes('surprise')) wrong.push(`${alias.method} ${alias.path} (${alias.action}): ${res.status} ${res.text.slice(0, 200)}`);
    }
    expect(wrong).to.deep.equal([]);
  });

  it('an unknown field in the body answers 422 VALIDATION_FAILED naming it, on every action that takes a body', async () => {
    const wrong: string[] = [];
    for (const alias of aliases.filter((a) => a.action && ['POST', 'PUT', 'PATCH'].includes(a.method))) {
      const res = await send(alias, { body: '{"surprise":1}' });
      if (res.status !== 422 || res.json?.code !== 'VALIDATION_FAILED' || !fields(res).includes('surprise')) wrong.push(`${alias.method} ${alias.path} (${alias.action}): ${res.status} ${res.text.slice(0, 200)}`);
    }
    expect(wrong).to.deep.equal([]);
  });

  it('a body {"__proto__": {...}} answers 422 VALIDATION_FAILED naming __proto__, on every action', async () => {
    const wrong: string[] = [];
    for (const alias of aliases.filter((a) => a.action)) {
      const res = await send(alias, { body: '{"__proto__":{"x":1}}' });
      if (res.status !== 422 || res.json?.code !== 'VALIDATION_FAILED' || !fields(res).includes('__proto__')) wrong.push(`${alias.method} ${alias.path} (${alias.action}): ${res.status} ${res.text.slice(0, 200)}`);
    }
    expect(wrong).to.deep.equal([]);
  });

  it('the arrears query, valid otherwise, is refused with __proto__ or an unknown field (it passed both before)', async () => {
    const token = tokens['/api/v1'];
    const post = (body: string) => http(`${bus.url}/api/v1/arrears/query`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body, token });
    expect((await post('{"accountNo":"3301000001"}')).status, 'the valid query still answers').to.equal(200);
    for (const body of ['{"accountNo":"3301000001","surprise":1}', '{"accountNo":"3301000001","__proto__":{"accountNo":"3301000002"}}', '{"accountNo":"3301000001","constructor":{"prototype":{"x":1}}}']) {
      const res = await post(body);
      expect(res.status, body).to.equal(422);
      expect(res.json).to.include({ code: 'VALIDATION_FAILED' });
    }
  });

  it('raw handlers never answer 5xx to an unknown field or a prototype key', async () => {
    for (const alias of aliases.filter((a) => !a.action)) {
      for (const init of [{ query: 'surprise=1' }, { body: '{"__proto__":{"x":1}}' }]) {
        const res = await send(alias, init);
        expect(res.status, `${alias.method} ${alias.path} ${JSON.stringify(init)}: ${res.text.slice(0, 200)}`).to.be.below(500);
      }
    }
  });

  it('the bus still serves afterwards', async () => {
    expect((await http(`${bus.url}/health`)).status).to.equal(200);
  });
});
