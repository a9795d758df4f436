import { expect } from 'chai';
import { RunningBus, startBus } from '../../../../bin/bootstrap';
import { loadConfig } from '../../../../config';
import { signAccessToken } from '../../../../core/auth';
import { ALIPAY_USERS } from '../../../../simulators/alipay/dataset';
import { createFreshDatabase, query } from '../../../helpers/db';
import { eventually, http } from '../../../helpers/http';
import { TEST_JWT_ENV } from '../../../helpers/env';

const PASSWORD = 'first-admin-password-123';

describe('auth - operator accounts, roles, log-in throttling and rotating refresh tokens (real PostgreSQL)', function () {
  this.timeout(30000);
  let db: { url: string; drop(): Promise<void> };
  let bus: RunningBus;
  let base: string;

  const post = (path: string, body: unknown, token?: string) =>
    http(`${base}${path}`, { method: 'POST', token, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const login = (username: string, password: string) => post('/admin/api/session', { username, password });

  before(async () => {
    db = await createFreshDatabase();
    bus = await startBus(
      loadConfig({ ...TEST_JWT_ENV,
        DATABASE_URL: db.url,
        SERVICES: 'gateway,auth,audit,mapping,alipay',
        HTTP_PORT: '0',
        LOG_LEVEL: 'error',
        ADMIN_BOOTSTRAP_USER: 'root',
        ADMIN_BOOTSTRAP_PASSWORD: PASSWORD,
      }),
    );
    base = bus.gatewayUrl!;
  });

  after(async () => {
    await bus?.stop();
    await db?.drop();
  });

  it('creates the first operator from the bootstrap settings and stores only a slow hash', async () => {
    const [row] = await query<{ username: string; roles: string[]; password_hash: string }>(db.url, 'SELECT username, roles, password_hash FROM operator');
    expect(row.username).to.equal('root');
    expect(row.roles).to.deep.equal(['admin']);
    expect(row.password_hash).to.match(/^scrypt\$32768\$8\$1\$/);
    expect(row.password_hash).to.not.contain(PASSWORD);
  });

  it('logs an operator in and lets the token reach admin actions', async () => {
    const res = await login('root', PASSWORD);
    expect(res.status).to.equal(200);
    expect(res.json).to.include({ tokenType: 'Bearer', expiresIn: 3600 });
    expect(res.json.roles).to.deep.equal(['admin']);
    const releases = await http(`${base}/admin/api/mappings/releases`, { token: res.json.accessToken });
    expect(releases.status).to.equal(200);
  });

  it('checks roles per action: an auditor reads the audit log but may not create operators', async () => {
    const admin = (await login('root', PASSWORD)).json.accessToken;
    const created = await post('/admin/api/operators', { username: 'zhao.audit', password: 'auditor-password-456', roles: ['auditor'] }, admin);
    expect(created.status).to.equal(200);
    const auditor = (await login('zhao.audit', 'auditor-password-456')).json.accessToken;
    const audit = await http(`${base}/admin/api/audit?action=auth.operator`, { token: auditor });
    expect(audit.status).to.equal(200);
    expect(audit.json.some((e: { action: string; actor: string }) => e.action === 'auth.operator.login' && e.actor === 'root')).to.equal(true);
    const refused = await post('/admin/api/operators', { username: 'eve', password: 'whatever-password', roles: ['admin'] }, auditor);
    expect(refused.status).to.equal(403);
    expect(refused.json.code).to.equal('FORBIDDEN');
  });

  it('keeps user and operator tokens apart', async () => {
    const user = signAccessToken(bus.config.auth, { sub: '2088000000000001' });
    expect((await http(`${base}/admin/api/mappings/releases`, { token: user })).status).to.equal(401);
  });

  it('throttles an account from one address after three wrong passwords, the right one waiting too, and audits every refusal', async () => {
    const admin = (await login('root', PASSWORD)).json.accessToken;
    await post('/admin/api/operators', { username: 'wang.ops', password: 'operator-password-789', roles: ['operator'] }, admin);
    for (let i = 0; i < 3; i++) {
      const r = await login('wang.ops', `wrong-${i}`);
      expect(r.status).to.equal(401);
    }
    for (const password of ['wrong-3', 'operator-password-789']) {
      const waiting = await login('wang.ops', password);
      expect(waiting.status).to.equal(429);
      expect(waiting.json.code).to.equal('RATE_LIMITED');
      expect(Number(waiting.headers.get('retry-after'))).to.be.within(1, 5);
    }
    // repeats of one refusal are folded into one row (core/audit): each kind is there
    const rows = await eventually(
      () => query<{ reason: string }>(db.url, "SELECT DISTINCT details->>'reason' AS reason FROM audit_log WHERE action = 'auth.operator.login' AND actor = 'wang.ops' AND outcome = 'denied' ORDER BY 1"),
      (r) => r.length === 2,
      5000,
    );
    expect(rows.map((r) => r.reason)).to.deep.equal(['bad credentials', 'throttled']);
    const [counted] = await query<{ failures: number }>(db.url, "SELECT failures FROM login_throttle WHERE username = 'wang.ops'");
    expect(counted.failures).to.equal(3);
  });

  it('answers an unknown user name exactly like a wrong password', async () => {
    const unknown = await login('nobody', 'some-password-000');
    const wrong = await login('root', 'some-password-000');
    expect(unknown.status).to.equal(wrong.status);
    expect(unknown.json.message).to.equal(wrong.json.message);
  });

  it('rotates refresh tokens on use and revokes the whole session when a spent one comes back', async () => {
    const first = (await login('root', PASSWORD)).json.refreshToken;
    const second = await post('/admin/api/session/refresh', { refreshToken: first });
    expect(second.status).to.equal(200);
    expect(second.json.refreshToken).to.not.equal(first);
    const replay = await post('/admin/api/session/refresh', { refreshToken: first });
    expect(replay.status).to.equal(401);
    expect(replay.json.details.reason).to.match(/reused/);
    const afterTheft = await post('/admin/api/session/refresh', { refreshToken: second.json.refreshToken });
    expect(afterTheft.status).to.equal(401);
    expect(afterTheft.json.details.reason).to.equal('refresh token revoked');
  });

  it('revokes a session on log-out', async () => {
    const token = (await login('root', PASSWORD)).json.refreshToken;
    expect((await post('/admin/api/session/logout', { refreshToken: token })).json).to.deep.equal({ revoked: true });
    expect((await post('/admin/api/session/refresh', { refreshToken: token })).status).to.equal(401);
  });

  it('refreshes users’ sessions with their own kind of refresh token only', async () => {
    const session = (await bus.broker.call('auth.issueUserSession', { userId: '2088000000000002' })) as { refreshToken: string };
    const next = await post('/api/v1/session/refresh', { refreshToken: session.refreshToken });
    expect(next.status).to.equal(200);
    expect(next.json.accessToken.split('.')).to.have.length(3);
    const operatorRefresh = (await login('root', PASSWORD)).json.refreshToken;
    expect((await post('/api/v1/session/refresh', { refreshToken: operatorRefresh })).status).to.equal(401);
  });

  it('refuses unknown fields in a login body', async () => {
    const res = await post('/admin/api/session', { username: 'root', password: PASSWORD, isAdmin: true });
    expect(res.status).to.equal(422);
    expect(res.json.code).to.equal('VALIDATION_FAILED');
  });

  it('signs a life-number user in with an Alipay auth code (real signatures both ways), once per code', async () => {
    const userId = ALIPAY_USERS[0].userId;
    const authCode = bus.alipaySimulator!.issueAuthCode(userId);
    const res = await post('/api/v1/session', { authCode });
    expect(res.status, res.text).to.equal(200);
    expect(res.json).to.include({ tokenType: 'Bearer', expiresIn: 900 });
    const claims = JSON.parse(Buffer.from(res.json.accessToken.split('.')[1], 'base64url').toString());
    expect(claims.sub).to.equal(userId);
    const again = await post('/api/v1/session', { authCode });
    expect(again.status).to.equal(401);
    expect(again.json.code).to.equal('UNAUTHORIZED');
    const rows = await query<{ actor: string; outcome: string }>(db.url, "SELECT actor, outcome FROM audit_log WHERE action = 'auth.user.login' ORDER BY id");
    expect(rows).to.deep.equal([{ actor: userId, outcome: 'success' }, { actor: 'anonymous', outcome: 'denied' }]);
  });
});
