import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RunningBus, startBus } from '../../../../bin/bootstrap';
import { loadConfig } from '../../../../config';
import { signAccessToken } from '../../../../core/auth';
import { HOUSEHOLDS, UNKNOWN_CONS_NO } from '../../../../simulators/marketing/dataset';
import { bindAccounts, TEST_PII_ENV } from '../../../helpers/binding';
import { expectContract } from '../../../helpers/contract';
import { createFreshDatabase, query } from '../../../helpers/db';
import { http, HttpResult } from '../../../helpers/http';
import { TEST_JWT_ENV } from '../../../helpers/env';

/**
 * Binding completed (issue 12) through the gateway: manual binding checked by
 * the marketing system's VerifyHolder (real SOAP simulator), the guessing
 * throttle, the limits under concurrency, the default account and labels.
 * Real PostgreSQL; every /api/v1 answer of the new routes is checked against
 * the OpenAPI contract.
 */
describe('binding - manual binding, limits, default account and labels (real PostgreSQL, SOAP simulator)', function () {
  this.timeout(90000);
  let db: { url: string; drop(): Promise<void> };
  let bus: RunningBus;
  let base: string;
  let varDir: string;

  const household = (consNo: string) => HOUSEHOLDS.find((h) => h.ConsNo === consNo)!;
  const [H1, H2, H3, H4, H5] = ['3301000001', '3301000002', '3301000003', '3301000004', '3301000005'].map(household);
  // users need not exist anywhere else: the token's sub is the user
  const user = (n: number) => `20882000000001${String(n).padStart(2, '0')}`;

  const call = (method: string, route: string, userId: string, body?: unknown): Promise<HttpResult> =>
    http(`${base}/api/v1/${route}`, {
      method,
      token: signAccessToken(bus.config.auth, { sub: userId }),
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const manual = async (userId: string, body: Record<string, unknown>) => {
    const res = await call('POST', 'bindings/manual', userId, body);
    expectContract(res, 'POST /api/v1/bindings/manual');
    return res;
  };
  const list = async (userId: string) => {
    const res = await call('GET', 'bindings', userId);
    expect(res.status, res.text).to.equal(200);
    return res.json.bindings as Array<{ accountNo: string; kind: string; label: string | null; isDefault: boolean; holderName: string | null }>;
  };
  const setDefault = async (userId: string, accountNo: string) => {
    const res = await call('PUT', `bindings/${accountNo}/default`, userId);
    expectContract(res, 'PUT /api/v1/bindings/{accountNo}/default');
    return res;
  };
  const setLabel = async (userId: string, accountNo: string, label: unknown) => {
    const res = await call('PUT', `bindings/${accountNo}/label`, userId, { label });
    expectContract(res, 'PUT /api/v1/bindings/{accountNo}/label');
    return res;
  };
  const audit = (action: string, actor: string) =>
    query<{ outcome: string; target: string | null; details: Record<string, unknown> | null }>(
      db.url,
      'SELECT outcome, target, details FROM audit_log WHERE action = $1 AND actor = $2 ORDER BY id',
      [action, actor],
    );

  before(async () => {
    varDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-manual-binding-'));
    db = await createFreshDatabase();
    bus = await startBus(
      loadConfig({
        ...TEST_JWT_ENV,
        ...TEST_PII_ENV,
        DATABASE_URL: db.url,
        SERVICES: 'gateway,auth,audit,mapping,binding,billing,marketing',
        HTTP_PORT: '0',
        LOG_LEVEL: 'error',
        VAR_DIR: varDir,
        NODE_ID: `manual-binding-${process.pid}`,
        BINDING_MAX_ACCOUNTS_PER_USER: '3',
        BINDING_MAX_USERS_PER_ACCOUNT: '3',
        BINDING_HOLDER_CHECK_MAX_FAILURES: '3',
        BINDING_CACHE_MS: '0',
      }),
    );
    base = bus.gatewayUrl!;
  });

  after(async () => {
    await bus?.stop();
    await db?.drop();
    if (varDir) fs.rmSync(varDir, { recursive: true, force: true });
  });

  it('binding - a holder name the marketing system confirms binds the account as MANUAL, default as the first, with its label', async () => {
    const u = user(1);
    const res = await manual(u, { accountNo: H2.ConsNo, holderName: H2.ConsName, label: '  爸妈家  ' });
    expect(res.status, res.text).to.equal(200);
    expect(res.json).to.include({ accountNo: H2.ConsNo, holderName: '王*', created: true, kind: 'MANUAL', isDefault: true });
    expect(res.text).to.not.contain(H2.ConsName);
    const [listed, ...more] = await list(u);
    expect(more).to.deep.equal([]);
    expect(listed).to.deep.include({ accountNo: H2.ConsNo, holderName: '王*', kind: 'MANUAL', label: '爸妈家', isDefault: true });
    // the same again: no second check, no second row
    const again = await manual(u, { accountNo: H2.ConsNo, holderName: 'anything' });
    expect(again.status).to.equal(200);
    expect(again.json).to.include({ created: false, kind: 'MANUAL' });
    // a manual binding stores no identity and sends no archive update (the user is not the holder)
    const [row] = await query<{ kind: string; cert_no_enc: string | null; cert_no_hash: string | null }>(db.url, 'SELECT kind, cert_no_enc, cert_no_hash FROM account_binding WHERE user_id = $1', [u]);
    expect(row).to.deep.equal({ kind: 'MANUAL', cert_no_enc: null, cert_no_hash: null });
    expect(await query(db.url, `SELECT 1 FROM outbox WHERE operation = 'marketing.updateArchive' AND partition_key = $1`, [H2.ConsNo])).to.have.length(0);
    expect((await audit('binding.manual', u))[0]).to.deep.include({ outcome: 'success', target: `account:${H2.ConsNo}` });
    // the account's data is the user's now
    expect((await call('GET', `accounts/${H2.ConsNo}/arrears`, u)).status).to.equal(200);
  });

  it('binding - the last characters of the ID number bind too; the check is case-blind for X', async () => {
    const u = user(2);
    const tail = H4.CertNo.slice(-4).toLowerCase();
    expect(tail).to.match(/x$/);
    const res = await manual(u, { accountNo: H4.ConsNo, certNoTail: tail });
    expect(res.status, res.text).to.equal(200);
    expect(res.json).to.include({ accountNo: H4.ConsNo, created: true, kind: 'MANUAL', isDefault: true });
    expect(res.json.holderName).to.equal('李*');
  });

  it('binding - failed holder checks answer HOLDER_MISMATCH, then TOO_MANY_ATTEMPTS even with the right name; audited; other accounts unaffected', async () => {
    const u = user(3);
    for (let i = 0; i < 3; i++) {
      const res = await manual(u, { accountNo: H3.ConsNo, holderName: `猜${i}` });
      expect(res.status, res.text).to.equal(422);
      expect(res.json.code).to.equal('HOLDER_MISMATCH');
    }
    const throttled = await manual(u, { accountNo: H3.ConsNo, holderName: H3.ConsName });
    expect(throttled.status, throttled.text).to.equal(429);
    expect(throttled.json.code).to.equal('TOO_MANY_ATTEMPTS');
    expect(throttled.json.details.retryAfterS).to.be.within(1, 3600);
    expect(await list(u)).to.deep.equal([]);
    const denied = await audit('binding.manual', u);
    expect(denied.map((d) => [d.outcome, d.details?.reason])).to.deep.equal([
      ['denied', 'holder check failed'],
      ['denied', 'holder check failed'],
      ['denied', 'holder check failed'],
      ['denied', 'too many failed holder checks'],
    ]);
    // another user, and this user on another account, still check normally
    expect((await manual(user(4), { accountNo: H3.ConsNo, holderName: H3.ConsName })).status).to.equal(200);
    expect((await manual(u, { accountNo: H5.ConsNo, holderName: H5.ConsName })).status).to.equal(200);
  });

  it('binding - an unknown account answers 404 like one not bound, and counts as a failed check', async () => {
    const u = user(5);
    for (let i = 0; i < 3; i++) {
      const res = await manual(u, { accountNo: UNKNOWN_CONS_NO, holderName: '张三' });
      expect(res.status, res.text).to.equal(404);
      expect(res.json.code).to.equal('ACCOUNT_NOT_FOUND');
    }
    const res = await manual(u, { accountNo: UNKNOWN_CONS_NO, holderName: '张三' });
    expect(res.json.code).to.equal('TOO_MANY_ATTEMPTS');
  });

  it('binding - neither holderName nor certNoTail, or a bad tail, is VALIDATION_FAILED naming the field', async () => {
    const none = await manual(user(6), { accountNo: H1.ConsNo });
    expect(none.status).to.equal(422);
    expect(none.json.code).to.equal('VALIDATION_FAILED');
    expect(none.json.message).to.contain('holderName').and.to.contain('certNoTail');
    const badTail = await manual(user(6), { accountNo: H1.ConsNo, certNoTail: '12' });
    expect(badTail.status).to.equal(422);
    expect(JSON.stringify(badTail.json.details)).to.contain('certNoTail');
    const extra = await manual(user(6), { accountNo: H1.ConsNo, holderName: H1.ConsName, certNo: H1.CertNo });
    expect(extra.status).to.equal(422);
    // none of them was a holder check
    expect(await query(db.url, 'SELECT 1 FROM binding_attempt WHERE user_id = $1', [user(6)])).to.have.length(0);
  });

  it('binding - accounts per user: of four bound at once, three are, the fourth answers BINDING_LIMIT_REACHED accountsPerUser', async () => {
    const u = user(7);
    const results = await Promise.all([H1, H3, H4, H5].map((h) => manual(u, { accountNo: h.ConsNo, holderName: h.ConsName })));
    const statuses = results.map((r) => r.status).sort();
    // H3, H4 and H5 have one user each (3 allowed per account): only the user's own limit stops one
    expect(statuses, JSON.stringify(results.map((r) => r.json))).to.deep.equal([200, 200, 200, 409]);
    const refused = results.find((r) => r.status === 409)!;
    expect(refused.json).to.deep.include({ code: 'BINDING_LIMIT_REACHED', details: { limit: 'accountsPerUser', max: 3 } });
    expect(refused.json.message).to.contain('3 accounts');
    const bound = await list(u);
    expect(bound).to.have.length(3);
    expect(bound.filter((b) => b.isDefault)).to.have.length(1);
  });

  it('binding - users per account: three users binding the same account at once, one more than allowed, one answers usersPerAccount', async () => {
    // H2 has one user (user 1); the limit is 3
    const results = await Promise.all([user(8), user(9), user(11)].map((u) => manual(u, { accountNo: H2.ConsNo, holderName: H2.ConsName })));
    expect(results.map((r) => r.status).sort()).to.deep.equal([200, 200, 409]);
    expect(results.find((r) => r.status === 409)!.json).to.deep.include({ code: 'BINDING_LIMIT_REACHED', details: { limit: 'usersPerAccount', max: 3 } });
    const [{ n }] = await query<{ n: number }>(db.url, `SELECT count(*)::int AS n FROM account_binding WHERE account_no = $1 AND status = 'active'`, [H2.ConsNo]);
    expect(n).to.equal(3);
  });

  it('binding - default account: exactly one; PUT moves it; unbinding it moves it to the oldest left; another account is 404', async () => {
    const u = user(10);
    for (const h of [H1, H4]) expect((await manual(u, { accountNo: h.ConsNo, holderName: h.ConsName })).status).to.equal(200);
    const defaults = async () => (await list(u)).filter((b) => b.isDefault).map((b) => b.accountNo);
    expect(await defaults()).to.deep.equal([H1.ConsNo]);

    const moved = await setDefault(u, H4.ConsNo);
    expect(moved.status, moved.text).to.equal(200);
    expect(moved.json).to.deep.equal({ accountNo: H4.ConsNo, isDefault: true });
    expect(await defaults()).to.deep.equal([H4.ConsNo]);
    // twice is the same
    expect((await setDefault(u, H4.ConsNo)).status).to.equal(200);
    expect(await defaults()).to.deep.equal([H4.ConsNo]);

    const other = await setDefault(u, H2.ConsNo);
    expect(other.status).to.equal(404);
    expect(other.json.code).to.equal('ACCOUNT_NOT_FOUND');

    expect((await call('DELETE', `bindings/${H4.ConsNo}`, u)).status).to.equal(200);
    expect(await defaults()).to.deep.equal([H1.ConsNo]);
    // the database holds one flagged default per user, whatever ran
    const flagged = await query<{ n: number }>(db.url, `SELECT count(*)::int AS n FROM account_binding WHERE user_id = $1 AND status = 'active' AND is_default`, [u]);
    expect(flagged[0].n).to.equal(1);
  });

  it('binding - labels: trimmed, inner spaces made one, too long or invisible characters refused, null clears, another account is 404', async () => {
    const u = user(10);
    const set = await setLabel(u, H1.ConsNo, '  my   home ');
    expect(set.status, set.text).to.equal(200);
    expect(set.json).to.deep.equal({ accountNo: H1.ConsNo, label: 'my home' });
    expect((await list(u)).find((b) => b.accountNo === H1.ConsNo)!.label).to.equal('my home');

    const long = await setLabel(u, H1.ConsNo, '一二三四五六七八九十一二三四五六七八九十一');
    expect(long.status).to.equal(422);
    expect(long.json.message).to.contain('20 characters');
    const invisible = await setLabel(u, H1.ConsNo, 'home\u200b');
    expect(invisible.status).to.equal(422);
    expect((await list(u)).find((b) => b.accountNo === H1.ConsNo)!.label).to.equal('my home');

    const cleared = await setLabel(u, H1.ConsNo, null);
    expect(cleared.json).to.deep.equal({ accountNo: H1.ConsNo, label: null });
    expect((await list(u)).find((b) => b.accountNo === H1.ConsNo)!.label).to.equal(null);

    const other = await setLabel(u, H3.ConsNo, 'x');
    expect(other.status).to.equal(404);
    const missing = await call('PUT', `bindings/${H1.ConsNo}/label`, u, {});
    expectContract(missing, 'PUT /api/v1/bindings/{accountNo}/label');
    expect(missing.status).to.equal(422);
  });

  it('binding - rows written without the default flag (older tools) show the oldest as default until one is chosen', async () => {
    const u = user(12);
    await bindAccounts(db.url, u, [H1.ConsNo]);
    await bindAccounts(db.url, u, [H5.ConsNo]);
    expect((await list(u)).map((b) => [b.accountNo, b.isDefault, b.kind])).to.deep.equal([
      [H1.ConsNo, true, 'IDENTITY'],
      [H5.ConsNo, false, 'IDENTITY'],
    ]);
    expect((await setDefault(u, H5.ConsNo)).status).to.equal(200);
    expect((await list(u)).map((b) => b.isDefault)).to.deep.equal([false, true]);
  });

  it('binding - without a token the new routes answer 401', async () => {
    const res = await http(`${base}/api/v1/bindings/manual`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ accountNo: H1.ConsNo, holderName: 'x' }) });
    expectContract(res, 'POST /api/v1/bindings/manual');
    expect(res.status).to.equal(401);
  });
});
