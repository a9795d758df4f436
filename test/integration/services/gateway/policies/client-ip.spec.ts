import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RunningBus, startBus } from '../../../../../bin/bootstrap';
import { loadConfig } from '../../../../../config';
import { signAccessToken } from '../../../../../core/auth';
import { HOUSEHOLDS } from '../../../../../simulators/marketing/dataset';
import { bindAccounts, TEST_PII_ENV } from '../../../../helpers/binding';
import { TEST_JWT_ENV, requireEnv } from '../../../../helpers/env';
import { http } from '../../../../helpers/http';

async function bus(env: Record<string, string>, name: string): Promise<{ bus: RunningBus; dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-client-ip-'));
  // binding (on the test database): users read arrears only of accounts bound to them
  const started = await startBus(
    loadConfig({ ...TEST_JWT_ENV, SERVICES: 'gateway,billing,marketing,binding', DATABASE_URL: requireEnv('TEST_DATABASE_URL'), ...TEST_PII_ENV, HTTP_PORT: '0', LOG_LEVEL: 'error', VAR_DIR: dir, NODE_ID: `${name}-${process.pid}`, ...env }),
  );
  return { bus: started, dir };
}

const account = HOUSEHOLDS[0].ConsNo;

describe('gateway/policies - client IP: X-Forwarded-For only from trusted proxies', function () {
  this.timeout(30_000);

  describe('behind a trusted proxy (GATEWAY_TRUSTED_PROXIES=127.0.0.1)', () => {
    let b: { bus: RunningBus; dir: string };
    let base: string;
    let token: string;

    before(async () => {
      b = await bus({ GATEWAY_TRUSTED_PROXIES: '127.0.0.1', GATEWAY_API_DENY: '198.51.100.0/24', GATEWAY_OPS_ALLOW: '10.0.0.0/8' }, 'trusted');
      base = b.bus.gatewayUrl!;
      token = signAccessToken(b.bus.config.auth, { sub: 'xff-user' });
      await bindAccounts(requireEnv('TEST_DATABASE_URL'), 'xff-user', [account]);
    });

    after(async () => {
      await b?.bus.stop();
      fs.rmSync(b.dir, { recursive: true, force: true });
    });

    const ask = (xff?: string) => http(`${base}/api/v1/accounts/${account}/arrears`, { token, headers: xff ? { 'X-Forwarded-For': xff } : {} });

    it('honours the proxy: a denied client behind it is refused 403 FORBIDDEN', async () => {
      const res = await ask('198.51.100.5');
      expect(res.status).to.equal(403);
      expect(res.json.code).to.equal('FORBIDDEN');
      expect((await ask('203.0.113.9')).status).to.equal(200);
    });

    it('reads right to left: an address the client wrote itself (left of the proxy’s) is not believed', async () => {
      expect((await ask('203.0.113.9, 198.51.100.5')).status, 'the proxy saw the denied address').to.equal(403);
      expect((await ask('198.51.100.5, 203.0.113.9')).status, 'the client claimed the denied one').to.equal(200);
    });

    it('/health and /metrics only from the operations networks, as the proxy reports the client', async () => {
      const direct = await http(`${base}/health`);
      expect(direct.status).to.equal(403);
      expect(direct.json.code).to.equal('FORBIDDEN');
      expect((await http(`${base}/metrics`)).status).to.equal(403);
      const ops = await http(`${base}/health/live`, { headers: { 'X-Forwarded-For': '10.1.2.3' } });
      expect(ops.status).to.equal(200);
      expect((await http(`${base}/metrics`, { headers: { 'X-Forwarded-For': '10.1.2.3' } })).status).to.equal(200);
    });
  });

  describe('no trusted proxy in front (the peer 127.0.0.1 is not in GATEWAY_TRUSTED_PROXIES)', () => {
    let b: { bus: RunningBus; dir: string };
    let base: string;
    let token: string;

    before(async () => {
      b = await bus({ GATEWAY_TRUSTED_PROXIES: '10.0.0.0/8', GATEWAY_API_DENY: '127.0.0.1', GATEWAY_IP_LIMIT: '5/minute' }, 'untrusted');
      base = b.bus.gatewayUrl!;
      token = signAccessToken(b.bus.config.auth, { sub: 'spoofer' });
    });

    after(async () => {
      await b?.bus.stop();
      fs.rmSync(b.dir, { recursive: true, force: true });
    });

    it('ignores a spoofed X-Forwarded-For: the peer address decides', async () => {
      for (const xff of ['203.0.113.9', '10.0.0.1', '203.0.113.9, 10.0.0.1']) {
        const res = await http(`${base}/api/v1/accounts/${account}/arrears`, { token, headers: { 'X-Forwarded-For': xff } });
        expect(res.status, xff).to.equal(403);
      }
    });

    it('cannot dodge the IP ban by changing X-Forwarded-For', async () => {
      let last = 0;
      for (let i = 0; i < 8; i++) {
        last = (await http(`${base}/health/live`, { headers: { 'X-Forwarded-For': `203.0.113.${i}` } })).status;
      }
      expect(last, 'the ops group is never banned').to.equal(200);
      const codes: string[] = [];
      // operator log-in: a route where the control is on (the operators' API itself is exempt)
      for (let i = 0; i < 8; i++) {
        const res = await http(`${base}/admin/api/session`, {
          method: 'POST',
          headers: { 'X-Forwarded-For': `203.0.113.${i}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ username: 'nobody', password: 'not-a-password' }),
        });
        codes.push(res.json.code);
      }
      expect(codes.slice(-2)).to.deep.equal(['IP_BANNED', 'IP_BANNED']);
    });
  });
});
