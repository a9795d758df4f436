import { expect } from 'chai';
import { eventually, http } from '../helpers/http';
import { RawAnswer, httpText, rawRequest } from '../integration/services/gateway/policies/raw-http';
import { UserBus, startUserBus } from './helpers/user-bus';

/**
 * Issue 8 item 8. moleculer-web routes OPTIONS by its
 * Access-Control-Request-Method header, so a "preflight" ran the POST or
 * DELETE action it named, while the policies, looked up by the real method,
 * applied none of that route's GATEWAY_POLICIES and the log-in limit.
 * Now OPTIONS never runs an action, a preflight is answered from
 * GATEWAY_CORS_ORIGINS, and the policies are those of the alias that runs.
 */
describe('security - method confusion: OPTIONS never runs an action; policies follow the alias that runs (issue 8 item 8)', function () {
  this.timeout(120_000);
  const allowedOrigin = 'https://pay.example.com';
  let bus: UserBus;
  let port: number;
  let adminToken: string;

  const options = (path: string, headers: Array<[string, string]>, body = ''): Promise<RawAnswer> =>
    rawRequest(port, httpText('OPTIONS', path, [['Content-Type', 'application/json'], ...headers], body));
  const loginAttempts = async (actor: string) =>
    ((await http(`${bus.url}/admin/api/audit?action=auth.operator.login&actor=${actor}`, { token: adminToken })).json as unknown[]).length;

  before(async () => {
    bus = await startUserBus({
      GATEWAY_CORS_ORIGINS: allowedOrigin,
      GATEWAY_POLICIES: JSON.stringify({
        api: {
          routes: {
            'POST arrears/query': { ipRestriction: { deny: ['127.0.0.1', '::1'] } },
            'POST bindings': { hygiene: { bodyLimit: '1kb' } },
          },
        },
      }),
    });
    port = Number(new URL(bus.url).port);
    adminToken = await bus.adminToken();
  });

  after(async () => {
    await bus?.stop();
  });

  it('OPTIONS + Access-Control-Request-Method: POST on /admin/api/session does not log in, with or without an allowed Origin', async () => {
    const credentials = JSON.stringify({ username: 'admin', password: bus.adminPassword() });
    for (const origin of [[], [['Origin', 'https://evil.example']], [['Origin', allowedOrigin]]] as Array<Array<[string, string]>>) {
      const answer = await options('/admin/api/session', [['Access-Control-Request-Method', 'POST'], ...origin], credentials);
      expect(answer.body, `no session handed out (${JSON.stringify(origin)})`).not.to.contain('accessToken');
      expect(answer.status).to.be.oneOf([204, 403]);
    }
  });

  it('preflights are answered from GATEWAY_CORS_ORIGINS: the allowed origin gets Access-Control-Allow-*, any other none', async () => {
    const allowed = await options('/api/v1/bindings', [
      ['Origin', allowedOrigin],
      ['Access-Control-Request-Method', 'POST'],
      ['Access-Control-Request-Headers', 'authorization, content-type, x-evil'],
    ]);
    expect(allowed.status).to.equal(204);
    expect(allowed.headers).to.include({
      'access-control-allow-origin': allowedOrigin,
      'access-control-allow-methods': 'POST',
      'access-control-allow-headers': 'authorization, content-type',
    });
    const other = await options('/api/v1/bindings', [
      ['Origin', 'https://evil.example'],
      ['Access-Control-Request-Method', 'POST'],
    ]);
    expect(other.status).to.equal(403);
    expect(other.json.code).to.equal('FORBIDDEN');
    expect(Object.keys(other.headers).filter((h) => h.startsWith('access-control-'))).to.deep.equal([]);
    // an actual call from the allowed origin may read its answer; from another origin it may not
    const call = await http(`${bus.url}/api/v1/bindings`, { token: bus.userToken('cors-user'), headers: { Origin: allowedOrigin } });
    expect(call.headers.get('access-control-allow-origin')).to.equal(allowedOrigin);
    const foreign = await http(`${bus.url}/api/v1/bindings`, { token: bus.userToken('cors-user'), headers: { Origin: 'https://evil.example' } });
    expect(foreign.headers.get('access-control-allow-origin')).to.equal(null);
  });

  it('a POST route\'s GATEWAY_POLICIES deny and body limit are not bypassed by OPTIONS', async () => {
    const token = bus.userToken('method-confusion-user');
    const denied = await http(`${bus.url}/api/v1/arrears/query`, { method: 'POST', token, headers: { 'Content-Type': 'application/json' }, body: '{"accountNo":"1"}' });
    expect(denied.status, 'the POST itself is denied for this address').to.equal(403);
    // the preflight of the allowed origin gets the POST alias's policies: the same deny
    const preflight = await options('/api/v1/arrears/query', [
      ['Origin', allowedOrigin],
      ['Access-Control-Request-Method', 'POST'],
      ['Authorization', `Bearer ${token}`],
    ], '{"accountNo":"1"}');
    expect(preflight.status).to.equal(403);
    expect(preflight.json).to.deep.include({ code: 'FORBIDDEN', message: 'Your IP address is not allowed' });
    // a body over the POST route's 1kb limit: OPTIONS neither reads it nor runs binding.bind
    const big = JSON.stringify({ accountNo: '1', note: 'x'.repeat(4000) });
    expect((await http(`${bus.url}/api/v1/bindings`, { method: 'POST', token, headers: { 'Content-Type': 'application/json' }, body: big })).json.code).to.equal('PAYLOAD_TOO_LARGE');
    const smuggled = await options('/api/v1/bindings', [['Access-Control-Request-Method', 'POST'], ['Authorization', `Bearer ${token}`]], big);
    expect(smuggled.status).to.equal(403);
    expect(smuggled.json.details).to.deep.equal({ reason: 'CORS origin not allowed' });
    const smuggledDelete = await options('/api/v1/bindings/1', [['Access-Control-Request-Method', 'DELETE'], ['Authorization', `Bearer ${token}`]]);
    expect(smuggledDelete.status).to.equal(403);
    expect(smuggledDelete.body).not.to.match(/unbound|accountNo/);
  });

  it('OPTIONS does not escape the log-in limit: no log-in attempt is made, so none is audited or counted', async () => {
    const post = (username: string) =>
      http(`${bus.url}/admin/api/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password: 'wrong-password-1' }) });
    const first = await post('nobody-post-1');
    expect(first.status).to.equal(401);
    const remaining = Number(first.headers.get('ratelimit-remaining'));
    for (let i = 0; i < 5; i++) {
      await options('/admin/api/session', [['Origin', allowedOrigin], ['Access-Control-Request-Method', 'POST']], JSON.stringify({ username: 'nobody-options', password: 'wrong-password-1' }));
    }
    const second = await post('nobody-post-2');
    expect(Number(second.headers.get('ratelimit-remaining')), 'the log-in limit counted the two POSTs only').to.equal(remaining - 1);
    // the POSTs' failed attempts are audited (positive control), the preflights' are not: they made none
    await eventually(() => loginAttempts('nobody-post-2'), (n) => n === 1);
    expect(await loginAttempts('nobody-options')).to.equal(0);
  });

  it('plain OPTIONS is told the methods of the path and runs nothing', async () => {
    const answer = await options('/admin/api/audit', [['Authorization', `Bearer ${adminToken}`]]);
    expect(answer.status).to.equal(204);
    expect(answer.headers.allow).to.equal('OPTIONS, GET');
    expect(answer.body).to.equal('');
  });
});
