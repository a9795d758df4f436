import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RunningBus, startBus } from '../../../../bin/bootstrap';
import { loadConfig } from '../../../../config';
import { signAccessToken, signPurposeToken } from '../../../../core/auth';
import { LookupHasher, PiiCipher } from '../../../../core/crypto';
import { signCandidate } from '../../../../services/binding/candidate-token';
import { ALIPAY_USERS, STRANGER_USER_ID, UNCERTIFIED_USER_ID } from '../../../../simulators/alipay/dataset';
import { HOUSEHOLDS, UNKNOWN_CONS_NO, totalFen } from '../../../../simulators/marketing/dataset';
import { TEST_PII_ENV } from '../../../helpers/binding';
import { createFreshDatabase, query } from '../../../helpers/db';
import { eventually, http, HttpResult } from '../../../helpers/http';
import { TEST_JWT_ENV } from '../../../helpers/env';

/**
 * Account binding over /api/v1 and object-level authorization of account
 * data: a real bus (gateway, auth, alipay, binding, billing, marketing,
 * audit, mapping) on a fresh PostgreSQL database, the SOAP marketing
 * simulator and the Alipay simulator (real RSA2 signatures both ways).
 */
describe('binding - user-number direct binding and object-level authorization (real PostgreSQL, SOAP and Alipay simulators)', function () {
  this.timeout(60000);
  let db: { url: string; drop(): Promise<void> };
  let bus: RunningBus;
  let base: string;
  let varDir: string;
  let output = '';
  const writes = { out: process.stdout.write, err: process.stderr.write };

  // A holds household 0, B household 1 (same people in both simulators).
  const A = { alipay: ALIPAY_USERS[0], household: HOUSEHOLDS[0] };
  const B = { alipay: ALIPAY_USERS[1], household: HOUSEHOLDS[1] };
  const personal = [A, B].flatMap(({ household: h }) => [h.CertNo, h.Mobile, h.ConsName, h.Address]);

  const tokenOf = (userId: string) => signAccessToken(bus.config.auth, { sub: userId });
  const call = (method: string, route: string, userId: string, body?: unknown) =>
    http(`${base}/api/v1/${route}`, {
      method,
      token: tokenOf(userId),
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const candidates = (userId: string, authCodeOf = userId) =>
    call('POST', 'bindings/candidates', userId, { authCode: bus.alipaySimulator!.issueAuthCode(authCodeOf) });
  const bind = (userId: string, candidateToken: string) => call('POST', 'bindings', userId, { candidateToken });
  const arrears = (userId: string, accountNo: string) => call('GET', `accounts/${accountNo}/arrears`, userId);
  const withoutRequestId = (res: HttpResult) => ({ status: res.status, body: { ...res.json, requestId: undefined } });
  const audit = (action: string) =>
    query<{ actor: string; outcome: string; target: string | null; details: Record<string, unknown> | null }>(
      db.url,
      'SELECT actor, outcome, target, details FROM audit_log WHERE action = $1 ORDER BY id',
      [action],
    );

  before(async () => {
    varDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-binding-'));
    db = await createFreshDatabase();
    // everything the bus prints (log records start with their time), to look for personal data in it afterwards
    const capture = (original: typeof process.stdout.write, stream: NodeJS.WriteStream) =>
      ((chunk: unknown, ...rest: unknown[]) => {
        const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
        if (/^\[\d{2}:\d{2}/.test(text)) {
          output += text;
          return true;
        }
        return (original as (...a: unknown[]) => boolean).call(stream, chunk, ...rest);
      }) as typeof process.stdout.write;
    process.stdout.write = capture(writes.out, process.stdout);
    process.stderr.write = capture(writes.err, process.stderr);
    try {
      bus = await startBus(
        loadConfig({ ...TEST_JWT_ENV,
          DATABASE_URL: db.url,
          SERVICES: 'gateway,auth,audit,mapping,alipay,binding,billing,marketing',
          HTTP_PORT: '0',
          LOG_LEVEL: 'debug',
          VAR_DIR: varDir,
          NODE_ID: `binding-${process.pid}`,
          ...TEST_PII_ENV,
        }),
      );
    } catch (err) {
      process.stdout.write = writes.out;
      process.stderr.write = writes.err;
      throw err;
    }
    base = bus.gatewayUrl!;
  });

  after(async () => {
    await bus?.stop();
    process.stdout.write = writes.out;
    process.stderr.write = writes.err;
    await db?.drop();
    if (varDir) fs.rmSync(varDir, { recursive: true, force: true });
  });

  it('binds a household holder end to end: candidates (masked) → bind → list → arrears 200', async () => {
    const h = A.household;
    expect((await arrears(A.alipay.userId, h.ConsNo)).status, 'not bound yet').to.equal(404);

    const offered = await candidates(A.alipay.userId);
    expect(offered.status, offered.text).to.equal(200);
    expect(offered.json.expiresIn).to.equal(600);
    expect(offered.json.candidates).to.have.length(1);
    const [c] = offered.json.candidates;
    expect(c).to.deep.include({ accountNo: '******0001', holderName: '张*', orgNo: h.OrgNo, bound: false });
    expect(c.address).to.equal('浙江省杭州市****');
    expect(c.candidateToken.split('.')).to.have.length(3);
    // the token's payload is readable base64: it carries the account and the identity only sealed
    const payloadText = Buffer.from(c.candidateToken.split('.')[1], 'base64url').toString();
    expect(JSON.parse(payloadText)).to.include({ sub: A.alipay.userId, aud: 'binding' });
    for (const value of [h.CertNo, h.Mobile, h.ConsName, h.Address, h.ConsNo]) {
      expect(offered.text).to.not.contain(value);
      expect(payloadText).to.not.contain(value);
    }

    const bound = await bind(A.alipay.userId, c.candidateToken);
    expect(bound.status, bound.text).to.equal(200);
    expect(bound.json).to.deep.include({ accountNo: h.ConsNo, holderName: '张*', created: true });

    const again = await bind(A.alipay.userId, c.candidateToken);
    expect(again.status, 'binding twice is fine').to.equal(200);
    expect(again.json).to.deep.include({ accountNo: h.ConsNo, created: false });
    const rows = await query(db.url, 'SELECT status FROM account_binding WHERE user_id = $1', [A.alipay.userId]);
    expect(rows).to.deep.equal([{ status: 'active' }]);

    const list = await call('GET', 'bindings', A.alipay.userId);
    expect(list.status).to.equal(200);
    expect(list.json.bindings).to.have.length(1);
    expect(list.json.bindings[0]).to.include({ accountNo: h.ConsNo, holderName: '张*' });
    expect(list.json.bindings[0].boundAt).to.be.a('string');

    const res = await arrears(A.alipay.userId, h.ConsNo);
    expect(res.status, res.text).to.equal(200);
    expect(res.json.totalFen).to.equal(totalFen(h));

    await eventually(() => audit('binding.created'), (r) => r.length === 2);
    expect(await audit('binding.created')).to.deep.equal([
      { actor: A.alipay.userId, outcome: 'success', target: `account:${h.ConsNo}`, details: { alreadyBound: false } },
      { actor: A.alipay.userId, outcome: 'success', target: `account:${h.ConsNo}`, details: { alreadyBound: true } },
    ]);
    const offeredAgain = await candidates(A.alipay.userId);
    expect(offeredAgain.json.candidates[0].bound).to.equal(true);
  });

  it('stores the personal data encrypted (nothing in clear in the row) and decryptable with the key', async () => {
    const h = A.household;
    const [row] = await query<Record<string, string>>(db.url, 'SELECT * FROM account_binding WHERE user_id = $1 AND account_no = $2', [A.alipay.userId, h.ConsNo]);
    const text = JSON.stringify(row);
    for (const value of [h.CertNo, h.CertNo.toLowerCase(), h.Mobile, h.ConsName, h.Address]) expect(text).to.not.contain(value);
    const cipher = new PiiCipher(TEST_PII_ENV.PII_ENC_KEY);
    expect(cipher.decrypt(row.cert_no_enc)).to.equal(h.CertNo);
    expect(cipher.decrypt(row.mobile_enc)).to.equal(h.Mobile);
    expect(cipher.decrypt(row.name_enc)).to.equal(h.ConsName);
    expect(row.cert_no_hash).to.equal(new LookupHasher(TEST_PII_ENV.PII_HASH_KEY).hash('idNumber', h.CertNo));
    expect(() => new PiiCipher('00'.repeat(32)).decrypt(row.name_enc), 'another key reads nothing').to.throw();
  });

  it('BOLA: user B cannot read user A\'s account: 404 exactly like an unknown account, audited as access.denied', async () => {
    const mine = await candidates(B.alipay.userId);
    expect((await bind(B.alipay.userId, mine.json.candidates[0].candidateToken)).status).to.equal(200);
    expect((await arrears(B.alipay.userId, B.household.ConsNo)).status, 'B reads their own').to.equal(200);

    const theirs = await arrears(B.alipay.userId, A.household.ConsNo);
    expect(theirs.status).to.equal(404);
    expect(theirs.json.code).to.equal('ACCOUNT_NOT_FOUND');
    expect(withoutRequestId(theirs)).to.deep.equal(withoutRequestId(await arrears(B.alipay.userId, UNKNOWN_CONS_NO)));
    const posted = await call('POST', 'arrears/query', B.alipay.userId, { accountNo: A.household.ConsNo });
    expect(posted.status).to.equal(404);
    expect(posted.text).to.not.contain(A.household.ConsName[0]);

    const byB = (r: Awaited<ReturnType<typeof audit>>) => r.filter((e) => e.actor === B.alipay.userId && e.target === `account:${A.household.ConsNo}`);
    const denied = byB(await eventually(() => audit('access.denied'), (r) => byB(r).length >= 2));
    expect(denied[0]).to.deep.equal({
      actor: B.alipay.userId,
      outcome: 'denied',
      target: `account:${A.household.ConsNo}`,
      details: { action: 'billing.getArrears', reason: 'account not bound to the user' },
    });
  });

  it('BOLA: user B cannot bind with the candidate token offered to A (403), and nothing is stored', async () => {
    const offered = await candidates(A.alipay.userId);
    const res = await bind(B.alipay.userId, offered.json.candidates[0].candidateToken);
    expect(res.status).to.equal(403);
    expect(res.json.code).to.equal('FORBIDDEN');
    expect(res.json.details.reason).to.equal('candidate token of another user');
    const rows = await query(db.url, 'SELECT 1 FROM account_binding WHERE user_id = $1 AND account_no = $2', [B.alipay.userId, A.household.ConsNo]);
    expect(rows).to.have.length(0);
    expect((await arrears(B.alipay.userId, A.household.ConsNo)).status).to.equal(404);
    const denied = await eventually(() => audit('binding.created'), (r) => r.some((e) => e.outcome === 'denied'));
    expect(denied.filter((e) => e.outcome === 'denied')[0]).to.deep.include({ actor: B.alipay.userId, target: `account:${A.household.ConsNo}` });
  });

  it('BOLA: user B cannot unbind A\'s binding (404, audited); A\'s binding stays', async () => {
    const res = await call('DELETE', `bindings/${A.household.ConsNo}`, B.alipay.userId);
    expect(res.status).to.equal(404);
    expect(res.json.code).to.equal('ACCOUNT_NOT_FOUND');
    expect((await arrears(A.alipay.userId, A.household.ConsNo)).status).to.equal(200);
    const rows = await query(db.url, "SELECT status FROM account_binding WHERE user_id = $1 AND account_no = $2", [A.alipay.userId, A.household.ConsNo]);
    expect(rows).to.deep.equal([{ status: 'active' }]);
    const denied = await eventually(() => audit('binding.deleted'), (r) => r.length > 0);
    expect(denied[0]).to.deep.include({ actor: B.alipay.userId, outcome: 'denied', target: `account:${A.household.ConsNo}` });
  });

  it('refuses a forged, expired, tampered or other-audience candidate token (403)', async () => {
    const userId = A.alipay.userId;
    const offered = await candidates(userId);
    const good: string = offered.json.candidates[0].candidateToken;
    const payload = JSON.parse(Buffer.from(good.split('.')[1], 'base64url').toString());
    const claims = { ch: payload.ch, pii: payload.pii };
    const forged = signPurposeToken({ ...bus.config.auth, jwtSecret: 'another-secret-0123456789-0123456789' }, 'binding', userId, claims, 600);
    const expired = signCandidate(bus.config.auth, { userId, certHash: payload.ch, sealed: payload.pii }, -10);
    const otherAudience = signPurposeToken(bus.config.auth, 'gridbus-life-number', userId, claims, 600);
    const tamperedPayload = Buffer.from(JSON.stringify({ ...payload, sub: B.alipay.userId })).toString('base64url');
    const tampered = [good.split('.')[0], tamperedPayload, good.split('.')[2]].join('.');
    // signed with the bus key but not what the bus sealed: another hash, a blob it never made
    const otherHash = signPurposeToken(bus.config.auth, 'binding', userId, { ...claims, ch: 'f'.repeat(64) }, 600);
    const otherBlob = signPurposeToken(bus.config.auth, 'binding', userId, { ...claims, pii: new PiiCipher('00'.repeat(32)).encrypt('{}') }, 600);
    const cases: Array<[string, string, string]> = [
      ['forged', forged, 'candidate token invalid'],
      ['expired', expired, 'candidate token expired'],
      ['other audience', otherAudience, 'candidate token invalid'],
      ['an access token', tokenOf(userId), 'candidate token invalid'],
      ['tampered', tampered, 'candidate token invalid'],
      ['another cert hash', otherHash, 'candidate token invalid'],
      ['a blob sealed with another key', otherBlob, 'candidate token invalid'],
      ['garbage', 'x'.repeat(40), 'candidate token invalid'],
    ];
    for (const [label, token, reason] of cases) {
      const res = await bind(userId, token);
      expect(res.status, label).to.equal(403);
      expect(res.json.code, label).to.equal('FORBIDDEN');
      expect(res.json.details.reason, label).to.equal(reason);
    }
    const rows = await query(db.url, "SELECT 1 FROM account_binding WHERE user_id = $1 AND status = 'active'", [B.alipay.userId]);
    expect(rows, 'B still has only their own binding').to.have.length(1);
    // a candidate token is no access token either
    expect((await http(`${base}/api/v1/bindings`, { token: good })).status).to.equal(401);
  });

  it('refuses an auth code of another Alipay user than the one signed in (403)', async () => {
    const res = await candidates(A.alipay.userId, B.alipay.userId);
    expect(res.status).to.equal(403);
    expect(res.json.code).to.equal('FORBIDDEN');
    expect(res.text).to.not.contain(B.household.ConsName);
  });

  it('refuses an Alipay user without real-name certification with IDENTITY_NOT_CERTIFIED, audited', async () => {
    const res = await candidates(UNCERTIFIED_USER_ID);
    expect(res.status).to.equal(403);
    expect(res.json.code).to.equal('IDENTITY_NOT_CERTIFIED');
    const rows = await eventually(() => audit('binding.candidates'), (r) => r.some((e) => e.actor === UNCERTIFIED_USER_ID));
    expect(rows.find((e) => e.actor === UNCERTIFIED_USER_ID)).to.deep.include({ outcome: 'denied', details: { reason: 'not certified' } });
  });

  it('answers an empty list to a certified user the marketing system does not know', async () => {
    const res = await candidates(STRANGER_USER_ID);
    expect(res.status, res.text).to.equal(200);
    expect(res.json.candidates).to.deep.equal([]);
  });

  it('refuses unknown fields ($$strict) and a spent auth code', async () => {
    const extra = await call('POST', 'bindings', A.alipay.userId, { candidateToken: 'x'.repeat(40), userId: B.alipay.userId });
    expect(extra.status).to.equal(422);
    expect(extra.json.code).to.equal('VALIDATION_FAILED');
    const code = bus.alipaySimulator!.issueAuthCode(A.alipay.userId);
    expect((await call('POST', 'bindings/candidates', A.alipay.userId, { authCode: code })).status).to.equal(200);
    const spent = await call('POST', 'bindings/candidates', A.alipay.userId, { authCode: code });
    expect(spent.status).to.equal(401);
    expect((await call('POST', 'bindings/candidates', A.alipay.userId, { authCode: code, accountNo: '3301000002' })).status).to.equal(422);
  });

  it('routes none of the internal actions (isBound, userInfo)', async () => {
    for (const route of ['binding.isBound', 'binding/isBound', 'alipay.userInfo', 'alipay/userInfo']) {
      const res = await call('POST', route, A.alipay.userId, { userId: A.alipay.userId, accountNo: A.household.ConsNo });
      expect(res.status, route).to.equal(404);
    }
  });

  it('lets internal callers without a user read any account (scheduled jobs)', async () => {
    const res = (await bus.broker.call('billing.getArrears', { accountNo: HOUSEHOLDS[3].ConsNo })) as { totalFen: number };
    expect(res.totalFen).to.equal(totalFen(HOUSEHOLDS[3]));
  });

  it('unbinds: the account leaves the list and its arrears answer 404 again, audited', async () => {
    const h = A.household;
    const res = await call('DELETE', `bindings/${h.ConsNo}`, A.alipay.userId);
    expect(res.status, res.text).to.equal(200);
    expect(res.json).to.deep.equal({ accountNo: h.ConsNo, unbound: true });
    expect((await call('GET', 'bindings', A.alipay.userId)).json.bindings).to.deep.equal([]);
    expect((await arrears(A.alipay.userId, h.ConsNo)).status).to.equal(404);
    expect((await call('DELETE', `bindings/${h.ConsNo}`, A.alipay.userId)).status, 'twice').to.equal(404);
    const rows = await eventually(() => audit('binding.deleted'), (r) => r.some((e) => e.outcome === 'success'));
    expect(rows.find((e) => e.outcome === 'success')).to.deep.include({ actor: A.alipay.userId, target: `account:${h.ConsNo}` });
    const [row] = await query<{ status: string; unbound_at: Date | null }>(db.url, 'SELECT status, unbound_at FROM account_binding WHERE user_id = $1', [A.alipay.userId]);
    expect(row.status).to.equal('unbound');
    expect(row.unbound_at).to.be.instanceOf(Date);
  });

  it('never lets personal data of the flow into the logs, the audit log or the exchange log', async () => {
    expect(output, 'the bus printed something').to.match(/action=binding\.bind outcome=ok/);
    for (const value of personal) expect(output, 'log output').to.not.contain(value);
    const auditText = JSON.stringify(await query(db.url, 'SELECT * FROM audit_log'));
    for (const value of personal) expect(auditText, 'audit_log').to.not.contain(value);
    const exchanges = JSON.stringify(await query(db.url, 'SELECT * FROM message_log'));
    expect(exchanges).to.contain('FindCustomersByIdentity');
    for (const value of personal) expect(exchanges, 'message_log').to.not.contain(value);
  });
});

describe('binding - PII keys on a node with a configured database', () => {
  it('refuses to start the binding service without PII_ENC_KEY / PII_HASH_KEY, naming the keys', async () => {
    const db = await createFreshDatabase();
    try {
      let error: Error | undefined;
      try {
        const bus = await startBus(loadConfig({ DATABASE_URL: db.url, SERVICES: 'binding', SIMULATORS: 'off', LOG_LEVEL: 'fatal', NODE_ID: `binding-nokeys-${process.pid}` }));
        await bus.stop();
      } catch (err) {
        error = err as Error;
      }
      expect(error?.message).to.match(/PII_ENC_KEY and PII_HASH_KEY/);
      const half = loadConfig({ DATABASE_URL: db.url, SERVICES: 'binding', SIMULATORS: 'off', LOG_LEVEL: 'fatal', PII_ENC_KEY: TEST_PII_ENV.PII_ENC_KEY });
      let halfError: Error | undefined;
      await startBus(half).then((b) => b.stop(), (err: Error) => (halfError = err));
      expect(halfError?.message).to.contain('PII_HASH_KEY must be set too');
    } finally {
      await db.drop();
    }
  });
});
