import { expect } from 'chai';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { signAccessToken } from '../../../../../core/auth';
import { HOUSEHOLDS } from '../../../../../simulators/marketing/dataset';
import { bindAccounts, TEST_PII_ENV } from '../../../../helpers/binding';
import { BusProcess } from '../../../../helpers/bus-process';
import { requireEnv } from '../../../../helpers/env';
import { eventually, http } from '../../../../helpers/http';
import { freePort } from '../../../../helpers/ports';
import { ThrowawayNats } from './throwaway-nats';

const JWT_SECRET = 'store-fallback-secret-0123456789-0123456789';

/**
 * The shared store on a NATS of the test's own (never the shared test NATS),
 * which the test kills and restarts: the gateway reports `degraded` ("limits
 * are per node"), keeps limiting on its own, logs the switch once each way
 * and returns to the shared store when it is back.
 */
describe('gateway/policies - shared store down: local fallback, degraded health, recovery', function () {
  this.timeout(90_000);
  const suffix = randomBytes(3).toString('hex');
  let kvNats: ThrowawayNats;
  let bus: BusProcess;
  let base: string;
  let varDir: string;
  const token = (sub: string) => signAccessToken({ jwtSecret: JWT_SECRET, issuer: 'gridbus', audience: 'gridbus-life-number' }, { sub });
  const sharedStore = async () => {
    const res = await http(`${base}/health`);
    return { status: res.json.status as string, store: res.json.nodes[0].dependencies['shared store'] as { status: string; detail: string } };
  };
  const ask = (user: string, ip: string) =>
    http(`${base}/api/v1/accounts/${HOUSEHOLDS[0].ConsNo}/arrears`, { token: token(user), headers: { 'X-Forwarded-For': ip } });

  before(async () => {
    kvNats = await ThrowawayNats.start({ jetStream: true });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    varDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-fallback-'));
    // binding (on the test database): users read arrears only of accounts bound to them
    bus = new BusProcess(['start', '--services', 'gateway,billing,marketing,binding'], {
      DATABASE_URL: requireEnv('TEST_DATABASE_URL'),
      ...TEST_PII_ENV,
      NATS_URL: requireEnv('TEST_NATS_URL'),
      BUS_NAMESPACE: `it-fb-${suffix}`,
      NODE_ID: `fb-${suffix}`,
      JWT_SECRET,
      HTTP_PORT: String(port),
      VAR_DIR: varDir,
      GATEWAY_SHARED_STORE_URL: kvNats.url,
      GATEWAY_TRUSTED_PROXIES: '127.0.0.1',
      GATEWAY_RATE_LIMIT_USER: '3/day',
      GATEWAY_IP_LIMIT: '6/minute',
    });
    await bus.waitFor(/gateway: http/);
    await eventually(sharedStore, (h) => h.store.status === 'up', 20_000);
    const users = [`fb-user-${suffix}`, `fb-after-${suffix}`, ...Array.from({ length: 7 }, (_, i) => `fb-ip-${suffix}-${i}`)];
    for (const user of users) await bindAccounts(requireEnv('TEST_DATABASE_URL'), user, [HOUSEHOLDS[0].ConsNo]);
  });

  after(async () => {
    await bus?.stop();
    await kvNats?.dispose();
    fs.rmSync(varDir, { recursive: true, force: true });
  });

  it('uses the shared store while it is up', async () => {
    const h = await sharedStore();
    expect(h.status).to.equal('up');
    expect(h.store.detail).to.contain(kvNats.url);
  });

  it('reports degraded when the store goes away and still limits, per node', async () => {
    await kvNats.stop();
    const h = await eventually(sharedStore, (x) => x.store.status === 'degraded', 15_000);
    expect(h.store.detail).to.match(/^shared store down: limits are per node/);
    expect(h.status, 'the node as a whole is degraded, not down').to.equal('degraded');

    const user = `fb-user-${suffix}`;
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await ask(user, `192.0.2.${10 + i}`)).status);
    expect(statuses).to.deep.equal([200, 200, 200, 429]);

    const ip = `203.0.113.${1 + Math.floor(Math.random() * 250)}`;
    const codes: string[] = [];
    for (let i = 0; i < 7; i++) codes.push((await ask(`fb-ip-${suffix}-${i}`, ip)).json.code ?? 'ok');
    expect(codes[6], 'IP ban too').to.equal('IP_BANNED');
  });

  it('returns to the shared store when it is back, having logged the outage once each way', async () => {
    await kvNats.start();
    await eventually(sharedStore, (x) => x.store.status === 'up', 20_000);
    const user = `fb-after-${suffix}`;
    for (let i = 0; i < 3; i++) expect((await ask(user, `192.0.2.${50 + i}`)).status).to.equal(200);
    expect((await ask(user, '192.0.2.60')).status).to.equal(429);
    expect(bus.output.match(/shared store unavailable/g) ?? []).to.have.length(1);
    expect(bus.output.match(/shared store is back/g) ?? []).to.have.length(1);
  });
});
