import { expect } from 'chai';
import { randomBytes } from 'crypto';
import { Client } from 'pg';
import { signAccessToken } from '../../../../../core/auth';
import { HOUSEHOLDS } from '../../../../../simulators/marketing/dataset';
import { MarketingSimulator, startMarketingSimulator } from '../../../../../simulators/marketing/server';
import { bindAccounts, TEST_PII_ENV } from '../../../../helpers/binding';
import { BusProcess } from '../../../../helpers/bus-process';
import { requireEnv } from '../../../../helpers/env';
import { operatorToken } from '../../../../helpers/operators';
import { eventually, http, HttpResult } from '../../../../helpers/http';
import { freePort } from '../../../../helpers/ports';

const JWT_SECRET = 'cluster-limits-secret-0123456789-0123456789';

/**
 * Two gateway processes and one service process over the real NATS (a
 * namespace of their own): an IP banned on gateway A is refused by gateway
 * B, and a user's rate limit spent on A and B together is one limit.
 * The test plays the trusted proxy (127.0.0.1) and names clients with
 * X-Forwarded-For.
 */
for (const syncMs of [0, 100]) {
const mode = syncMs ? `counters synced every ${syncMs} ms` : 'every hit waits for the store';
describe(`gateway/policies - IP bans and rate limits hold across two gateway processes (NATS JetStream KV, ${mode})`, function () {
  this.timeout(90_000);
  const suffix = randomBytes(3).toString('hex');
  // synced counters: what one gateway counted reaches the other within two sync intervals
  const settle = () => new Promise((r) => setTimeout(r, 3 * syncMs));
  const namespace = `it-lim-${suffix}`;
  let sim: MarketingSimulator;
  let services: BusProcess;
  let gatewayA: BusProcess;
  let gatewayB: BusProcess;
  let a: string;
  let b: string;
  const token = (sub: string) => signAccessToken({ jwtSecret: JWT_SECRET, issuer: 'gridbus', audience: 'gridbus-life-number' }, { sub });
  const account = HOUSEHOLDS[0].ConsNo;
  // addresses of this run only (TEST-NET-3 with a random last octet pair)
  const used = new Set<number>();
  const octet = () => {
    let o: number;
    do o = 1 + Math.floor(Math.random() * 250);
    while (used.has(o));
    used.add(o);
    return o;
  };

  before(async () => {
    sim = await startMarketingSimulator();
    const [portA, portB] = [await freePort(), await freePort()];
    a = `http://127.0.0.1:${portA}`;
    b = `http://127.0.0.1:${portB}`;
    const common = { NATS_URL: requireEnv('TEST_NATS_URL'), BUS_NAMESPACE: namespace, JWT_SECRET };
    const policies = {
      GATEWAY_TRUSTED_PROXIES: '127.0.0.1',
      // the operators' network (behind a shared NAT in one test); /admin is loopback-only by default
      GATEWAY_ADMIN_ALLOW: '127.0.0.0/8,10.0.0.0/8',
      GATEWAY_IP_LIMIT: '10/minute',
      GATEWAY_IP_BAN_SECONDS: '120',
      // a day: the window cannot roll over between gateway A and gateway B in this test
      GATEWAY_RATE_LIMIT_USER: '5/day',
      GATEWAY_SHARED_STORE_SYNC_MS: String(syncMs),
    };
    // binding: users read arrears only of accounts bound to them
    services = new BusProcess(['start', '--services', 'auth,billing,marketing,audit,binding'], {
      ...common,
      ...TEST_PII_ENV,
      NODE_ID: `svc-${suffix}`,
      DATABASE_URL: requireEnv('TEST_DATABASE_URL'),
      MARKETING_WSDL_URL: sim.wsdlUrl,
      SIMULATORS: 'off',
    });
    gatewayA = new BusProcess(['start', '--services', 'gateway'], { ...common, ...policies, NODE_ID: `gwa-${suffix}`, HTTP_PORT: String(portA), SIMULATORS: 'off' });
    gatewayB = new BusProcess(['start', '--services', 'gateway'], { ...common, ...policies, NODE_ID: `gwb-${suffix}`, HTTP_PORT: String(portB), SIMULATORS: 'off' });
    await Promise.all([services.waitFor(/node svc-\S+ running/), gatewayA.waitFor(/gateway: http/), gatewayB.waitFor(/gateway: http/)]);
    for (const user of [`user-other-${suffix}`, `rl-user-${suffix}`, `rl-other-${suffix}`]) await bindAccounts(requireEnv('TEST_DATABASE_URL'), user, [account]);
    for (const base of [a, b]) {
      const health = await eventually(
        () => http(`${base}/health`),
        (r) => r.status === 200 && r.json.nodes.length === 3 && r.json.nodes.every((n: { status: string }) => n.status === 'up'),
        30_000,
      );
      const gateway = health.json.nodes.find((n: { nodeId: string }) => n.nodeId.startsWith(base === a ? 'gwa' : 'gwb'));
      expect(gateway.dependencies['shared store'].status).to.equal('up');
    }
  });

  after(async () => {
    await Promise.all([gatewayA?.stop(), gatewayB?.stop(), services?.stop()]);
    await sim?.close();
  });

  const from = (base: string, ip: string, init: { token?: string; requestId?: string } = {}) =>
    http(`${base}/api/v1/accounts/${account}/arrears`, {
      token: init.token,
      headers: { 'X-Forwarded-For': ip, ...(init.requestId ? { 'X-Request-ID': init.requestId } : {}) },
    });

  it('shows the shared store as up on /health of both gateways', async () => {
    const res = await http(`${a}/health`);
    const gateways = res.json.nodes.filter((n: { nodeId: string }) => n.nodeId.startsWith('gw'));
    expect(gateways).to.have.length(2);
    for (const g of gateways) expect(g.dependencies['shared store'].detail).to.match(/NATS KV .*limits are shared by all gateway nodes/);
  });

  it('bans an IP hammering gateway A, and gateway B refuses it too (429 IP_BANNED, Retry-After); others pass', async () => {
    const ip = `203.0.113.${octet()}`;
    const answers: HttpResult[] = [];
    for (let i = 0; i < 12; i++) answers.push(await from(a, ip, { requestId: `ban-${suffix}-${i}` }));
    expect(answers.slice(0, 10).map((r) => r.status), 'no token: 401 until the ban').to.deep.equal(Array(10).fill(401));
    expect(answers[10].status).to.equal(429);
    expect(answers[10].json.code).to.equal('IP_BANNED');
    expect(Number(answers[10].headers.get('retry-after'))).to.be.within(110, 120);

    const onB = await from(b, ip, { token: token(`user-b-${suffix}`) });
    expect(onB.status, 'banned on B as well, valid token or not').to.equal(429);
    expect(onB.json.code).to.equal('IP_BANNED');
    expect(Number(onB.headers.get('retry-after'))).to.be.within(100, 120);

    const other = await from(b, `198.51.100.${octet()}`, { token: token(`user-other-${suffix}`) });
    expect(other.status, 'another address is served').to.equal(200);
  });

  it('audits the ban once, with the client address and the node that banned it', async () => {
    const ip = `203.0.113.${octet()}`;
    for (let i = 0; i < 11; i++) await from(a, ip);
    const pg = new Client({ connectionString: requireEnv('TEST_DATABASE_URL') });
    await pg.connect();
    try {
      const rows = await eventually(
        async () => (await pg.query("SELECT action, outcome, node_id, details FROM audit_log WHERE action = 'gateway.ip.banned' AND source_ip = $1 AND node_id = $2", [ip, `gwa-${suffix}`])).rows,
        (r) => r.length > 0,
        10_000,
      );
      expect(rows).to.have.length(1);
      expect(rows[0]).to.deep.include({ action: 'gateway.ip.banned', outcome: 'denied', node_id: `gwa-${suffix}` });
      expect(rows[0].details).to.deep.include({ banSeconds: 120, offences: 1, threshold: 10, window: 60, scope: 'gateway' });
    } finally {
      await pg.end();
    }
  });

  it('lets an operator list the bans on either gateway and lift one: both serve the address again at once, audited', async () => {
    const ip = `203.0.113.${octet()}`;
    for (let i = 0; i < 11; i++) await from(a, ip);
    expect((await from(b, ip)).status, 'banned on B too').to.equal(429);
    const operator = await operatorToken(requireEnv('TEST_DATABASE_URL'), a, `op-${suffix}`, ['operator']);
    const auditor = await operatorToken(requireEnv('TEST_DATABASE_URL'), b, `aud-${suffix}`, ['auditor']);

    const listed = await http(`${b}/admin/api/gateway/bans`, { token: auditor });
    expect(listed.status).to.equal(200);
    const entry = listed.json.bans.find((x: { ip: string }) => x.ip === ip);
    expect(entry, 'the ban made on A is listed by B').to.include({ ip, offences: 1 });
    expect(entry.retryAfterS).to.be.within(100, 120);

    expect((await http(`${b}/admin/api/gateway/bans/${ip}`, { method: 'DELETE', token: auditor })).status, 'auditors may not lift').to.equal(403);
    const lifted = await http(`${b}/admin/api/gateway/bans/${ip}`, { method: 'DELETE', token: operator });
    expect(lifted.status).to.equal(200);
    expect(lifted.json).to.deep.equal({ ip, lifted: true });

    // A banned it and remembers the ban: the broadcast makes it forget at once
    const again = await eventually(() => from(a, ip), (r) => r.status !== 429, 2_000);
    expect(again.status, 'served again (401: no token) by A').to.equal(401);
    expect((await from(b, ip)).status, 'and by B').to.equal(401);
    const notBanned = await http(`${a}/admin/api/gateway/bans/${ip}`, { method: 'DELETE', token: operator });
    expect(notBanned.status).to.equal(404);
    expect((await http(`${a}/admin/api/gateway/bans/not-an-ip`, { method: 'DELETE', token: operator })).json.code).to.equal('VALIDATION_FAILED');

    const pg = new Client({ connectionString: requireEnv('TEST_DATABASE_URL') });
    await pg.connect();
    try {
      const rows = await eventually(
        // this run's operator only: the shared test database keeps earlier runs' rows of the same address
        async () => (await pg.query("SELECT actor, outcome FROM audit_log WHERE action = 'gateway.ban.lifted' AND target = $1 AND actor = $2 ORDER BY id", [`ip:${ip}`, `op-${suffix}`])).rows,
        (r) => r.length >= 2,
        10_000,
      );
      expect(rows).to.deep.equal([
        { actor: `op-${suffix}`, outcome: 'success' },
        { actor: `op-${suffix}`, outcome: 'failure' },
      ]);
    } finally {
      await pg.end();
    }
  });

  it("keeps the operators' API open to a banned address on their network (a shared NAT), so the ban can be lifted", async () => {
    const ip = `10.77.0.${octet()}`;
    for (let i = 0; i < 11; i++) await from(a, ip);
    expect((await from(a, ip)).status, 'banned on /api').to.equal(429);
    // logged in from the operator's own machine; then working from behind the banned NAT
    const operator = await operatorToken(requireEnv('TEST_DATABASE_URL'), a, `op2-${suffix}`, ['operator']);
    const listed = await http(`${a}/admin/api/gateway/bans`, { token: operator, headers: { 'X-Forwarded-For': ip } });
    expect(listed.status).to.equal(200);
    expect(listed.json.bans.map((x: { ip: string }) => x.ip)).to.include(ip);
    const lifted = await http(`${a}/admin/api/gateway/bans/${ip}`, { method: 'DELETE', token: operator, headers: { 'X-Forwarded-For': ip } });
    expect(lifted.status).to.equal(200);
  });

  it('limits a user across both gateways: 5 a day in all, the 6th refused on either (429 RATE_LIMITED + RateLimit-*)', async () => {
    const user = token(`rl-user-${suffix}`);
    const ip = () => `192.0.2.${octet()}`;
    const statuses: number[] = [];
    for (const base of [a, b, a, b, a]) {
      await settle();
      const res = await from(base, ip(), { token: user });
      statuses.push(res.status);
      expect(res.headers.get('ratelimit-limit')).to.equal('5');
    }
    expect(statuses).to.deep.equal([200, 200, 200, 200, 200]);
    for (const base of [b, a]) {
      await settle();
      const over = await from(base, ip(), { token: user });
      expect(over.status).to.equal(429);
      expect(over.json.code).to.equal('RATE_LIMITED');
      expect(over.headers.get('ratelimit-remaining')).to.equal('0');
      expect(Number(over.headers.get('retry-after'))).to.be.within(1, 86_400);
      expect(Number(over.headers.get('ratelimit-reset'))).to.be.within(1, 86_400);
      expect(over.headers.get('x-ratelimit-limit-day')).to.equal('5');
    }
    expect((await from(b, ip(), { token: token(`rl-other-${suffix}`) })).status, 'another user is served').to.equal(200);
  });
});
}
