import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { signAccessToken } from '../../../../core/auth';
import { ALIPAY_USERS } from '../../../../simulators/alipay/dataset';
import { HOUSEHOLDS, totalFen } from '../../../../simulators/marketing/dataset';
import { TEST_PII_ENV } from '../../../helpers/binding';
import { BusProcess } from '../../../helpers/bus-process';
import { createFreshDatabase } from '../../../helpers/db';
import { http } from '../../../helpers/http';
import { freePort } from '../../../helpers/ports';

const JWT_SECRET = 'binding-process-secret-0123456789-0123456789';

/**
 * The binding flow against the built CLI as its own process (every service,
 * in-process simulators, debug logging), then a grep of everything it
 * printed for the personal data that went through it.
 */
describe('binding - the flow through a bus process leaves no personal data in its output', function () {
  this.timeout(60000);
  let db: { url: string; drop(): Promise<void> };
  let bus: BusProcess;
  let base: string;
  let varDir: string;

  before(async () => {
    db = await createFreshDatabase();
    varDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-binding-proc-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    bus = new BusProcess(['start'], { DATABASE_URL: db.url, HTTP_PORT: String(port), VAR_DIR: varDir, JWT_SECRET, LOG_LEVEL: 'debug', NODE_ID: `binding-proc-${process.pid}`, ...TEST_PII_ENV });
    await bus.waitFor(/gateway: http/, 40000);
  });

  after(async () => {
    await bus?.stop();
    await db?.drop();
    if (varDir) fs.rmSync(varDir, { recursive: true, force: true });
  });

  it('binds, lists, reads arrears and unbinds; the output names none of the holder\'s data', async () => {
    const [, alipayBase] = await bus.waitFor(/Alipay open-platform simulator listening, gateway (http:\/\/[^/\s]+)\/gateway\.do/);
    const user = ALIPAY_USERS[3];
    const h = HOUSEHOLDS[3];
    expect(user.certNo).to.equal(h.CertNo);
    const token = signAccessToken({ jwtSecret: JWT_SECRET, issuer: 'gridbus', audience: 'gridbus-life-number' }, { sub: user.userId });
    const json = (method: string, route: string, body?: unknown) =>
      http(`${base}/api/v1/${route}`, { method, token, headers: body ? { 'Content-Type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });

    const code = await http(`${alipayBase}/sim/auth-codes`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `user_id=${user.userId}` });
    const offered = await json('POST', 'bindings/candidates', { authCode: code.json.auth_code });
    expect(offered.status, offered.text).to.equal(200);
    const bound = await json('POST', 'bindings', { candidateToken: offered.json.candidates[0].candidateToken });
    expect(bound.status, bound.text).to.equal(200);
    expect((await json('GET', 'bindings')).json.bindings.map((b: { accountNo: string }) => b.accountNo)).to.deep.equal([h.ConsNo]);
    const arrears = await json('GET', `accounts/${h.ConsNo}/arrears`);
    expect(arrears.json.totalFen).to.equal(totalFen(h));
    expect((await json('GET', `accounts/${HOUSEHOLDS[0].ConsNo}/arrears`)).status, 'someone else\'s').to.equal(404);
    expect((await json('DELETE', `bindings/${h.ConsNo}`)).status).to.equal(200);

    await bus.waitFor(/action=binding\.unbind outcome=ok/);
    expect(bus.output).to.match(/personal data encrypted with PII_ENC_KEY, looked up with PII_HASH_KEY/);
    for (const value of [h.CertNo, h.CertNo.toLowerCase(), h.Mobile, h.ConsName, h.Address]) {
      expect(bus.output.includes(value), `the bus printed ${value.slice(0, 2)}…`).to.equal(false);
    }
  });
});
