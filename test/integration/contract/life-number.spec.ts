import { expect } from 'chai';
import { generateKeyPairSync, randomUUID } from 'crypto';
import { RunningBus, startBus } from '../../../bin/bootstrap';
import { loadConfig } from '../../../config';
import { signAccessToken } from '../../../core/auth';
import { parse } from 'yaml';
import { loadLifeNumberSpec } from '../../../core/openapi/life-number-spec';
import { ALIPAY_USERS, UNCERTIFIED_USER_ID } from '../../../simulators/alipay/dataset';
import { AlipaySimulator, startAlipaySimulator } from '../../../simulators/alipay/server';
import { HOUSEHOLDS, SPECIAL_CONS_NO, UNKNOWN_CONS_NO, totalFen } from '../../../simulators/marketing/dataset';
import { MarketingSimulator, startMarketingSimulator } from '../../../simulators/marketing/server';
import { bindAccounts, TEST_PII_ENV } from '../../helpers/binding';
import { expectContract } from '../../helpers/contract';
import { createFreshDatabase } from '../../helpers/db';
import { TEST_JWT_ENV } from '../../helpers/env';
import { http, HttpResult } from '../../helpers/http';

/**
 * The life-number contract against real answers: one bus (gateway, auth,
 * binding, billing, payment, alipay, marketing) on a fresh PostgreSQL
 * database, the SOAP marketing simulator and the Alipay simulator (RSA2 both
 * ways). Every existing /api/v1 route is called with good and bad requests
 * and each answer is validated against openapi/life-number.yaml
 * (expectContract); the drift check (test/unit/openapi) requires every
 * documented operation to be checked here or in a plate's spec.
 */
describe('contract - every existing /api/v1 route answers as openapi/life-number.yaml says (real PostgreSQL, marketing and Alipay simulators)', function () {
  this.timeout(90_000);
  const app = generateKeyPairSync('rsa', { modulusLength: 2048 });
  // A holds household 0 and binds it through the real flow; the other accounts are bound directly
  const A = ALIPAY_USERS[0];
  const [home, second, nothingOwed] = [HOUSEHOLDS[0].ConsNo, HOUSEHOLDS[1].ConsNo, HOUSEHOLDS[2].ConsNo];
  let alipay: AlipaySimulator;
  let marketing: MarketingSimulator;
  let db: { url: string; drop(): Promise<void> };
  let bus: RunningBus;
  let token: string;

  const call = (method: string, route: string, opts: { token?: string | null; body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<HttpResult> =>
    http(`${bus.gatewayUrl}${route}`, {
      method,
      token: opts.token === null ? undefined : (opts.token ?? token),
      headers: { ...(opts.body !== undefined || opts.raw !== undefined ? { 'Content-Type': 'application/json' } : {}), ...(opts.headers ?? {}) },
      body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
    });
  /** The status and code a test expects, with the body in the message when they differ. */
  const answered = (res: HttpResult, status: number, code?: string) => {
    expect(res.status, res.text).to.equal(status);
    if (code) expect(res.json?.code, res.text).to.equal(code);
  };

  before(async () => {
    alipay = await startAlipaySimulator({ appPublicKey: app.publicKey.export({ type: 'spki', format: 'pem' }) as string, appId: '2021004200000012' });
    // the SLOW household answers after 12 s: both 4.5 s attempts of marketing.queryArrears time out
    marketing = await startMarketingSimulator({ slowDelayMs: 12_000 });
    db = await createFreshDatabase();
    bus = await startBus(
      loadConfig({
        ...TEST_JWT_ENV,
        ...TEST_PII_ENV,
        DATABASE_URL: db.url,
        SERVICES: 'gateway,auth,audit,mapping,alipay,binding,billing,marketing,payment',
        SIMULATORS: 'off',
        HTTP_PORT: '0',
        LOG_LEVEL: 'fatal',
        NODE_ID: `contract-${process.pid}`,
        MARKETING_WSDL_URL: marketing.wsdlUrl,
        ALIPAY_GATEWAY_URL: alipay.gatewayUrl,
        ALIPAY_APP_ID: alipay.appId,
        ALIPAY_APP_PRIVATE_KEY: app.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
        ALIPAY_PUBLIC_KEY: alipay.alipayPublicKeyPem,
        // a tight limit on one route, per user, for the 429 check (the other tests call it as another user)
        GATEWAY_POLICIES: JSON.stringify({ api: { routes: { 'GET agreements': { rateLimiting: { hour: 3, limitBy: 'consumer' } } } } }),
      }),
    );
    await bindAccounts(db.url, A.userId, [second, nothingOwed, SPECIAL_CONS_NO.FAULT, SPECIAL_CONS_NO.SLOW]);
    token = signAccessToken(bus.config.auth, { sub: A.userId });
  });

  after(async () => {
    await bus?.stop();
    await alipay?.close();
    await marketing?.close();
    await db?.drop();
  });

  it('contract - the gateway serves the contract as YAML and JSON, parts merged, without a token; an unchanged copy answers 304', async () => {
    const merged = loadLifeNumberSpec();
    const yaml = await call('GET', '/openapi/life-number.yaml', { token: null });
    expect(yaml.status, yaml.text).to.equal(200);
    expect(yaml.headers.get('content-type')).to.equal('application/yaml; charset=utf-8');
    expect(parse(yaml.text)).to.deep.equal(merged);
    const json = await call('GET', '/openapi/life-number.json', { token: null });
    expect(json.status, json.text).to.equal(200);
    expect(json.headers.get('content-type')).to.equal('application/json; charset=utf-8');
    expect(json.json).to.deep.equal(merged);
    expect(json.json.paths).to.have.property('/api/v1/payments');

    const etag = json.headers.get('etag');
    expect(etag).to.match(/^"[A-Za-z0-9_-]+"$/);
    const unchanged = await call('GET', '/openapi/life-number.json', { token: null, headers: { 'If-None-Match': etag! } });
    expect(unchanged.status).to.equal(304);
    expect(unchanged.text).to.equal('');
    const other = await call('GET', '/openapi/life-number.xml', { token: null });
    expect(other.status).to.equal(404);
    expect(other.json.code).to.equal('NOT_FOUND');
  });

  it('contract - session: sign in with an auth code, refresh (rotating), log out, and each refusal', async () => {
    const login = await call('POST', '/api/v1/session', { token: null, body: { authCode: alipay.issueAuthCode(A.userId) } });
    expectContract(login, 'POST /api/v1/session');
    answered(login, 200);
    // the session's own token works on /api/v1
    const mine = await call('GET', '/api/v1/bindings', { token: login.json.accessToken });
    expectContract(mine, 'GET /api/v1/bindings');
    answered(mine, 200);

    const badCode = await call('POST', '/api/v1/session', { token: null, body: { authCode: 'not-an-auth-code' } });
    expectContract(badCode, 'POST /api/v1/session');
    answered(badCode, 401, 'UNAUTHORIZED');
    const missing = await call('POST', '/api/v1/session', { token: null, body: {} });
    expectContract(missing, 'POST /api/v1/session');
    answered(missing, 422, 'VALIDATION_FAILED');
    expect(missing.json.details.problems[0]).to.include({ field: 'authCode', type: 'required' });
    const notJson = await call('POST', '/api/v1/session', { token: null, raw: '{"authCode":' });
    expectContract(notJson, 'POST /api/v1/session');
    answered(notJson, 400, 'MALFORMED_REQUEST');

    const refreshed = await call('POST', '/api/v1/session/refresh', { token: null, body: { refreshToken: login.json.refreshToken } });
    expectContract(refreshed, 'POST /api/v1/session/refresh');
    answered(refreshed, 200);
    expect(refreshed.json.refreshToken).to.not.equal(login.json.refreshToken);
    const unknown = await call('POST', '/api/v1/session/refresh', { token: null, body: { refreshToken: 'x'.repeat(43) } });
    expectContract(unknown, 'POST /api/v1/session/refresh');
    answered(unknown, 401, 'UNAUTHORIZED');
    const short = await call('POST', '/api/v1/session/refresh', { token: null, body: { refreshToken: 'short' } });
    expectContract(short, 'POST /api/v1/session/refresh');
    answered(short, 422, 'VALIDATION_FAILED');
    const refreshNotJson = await call('POST', '/api/v1/session/refresh', { token: null, raw: 'refreshToken=x' });
    expectContract(refreshNotJson, 'POST /api/v1/session/refresh');
    answered(refreshNotJson, 400, 'MALFORMED_REQUEST');

    const out = await call('POST', '/api/v1/session/logout', { token: null, body: { refreshToken: refreshed.json.refreshToken } });
    expectContract(out, 'POST /api/v1/session/logout');
    answered(out, 200);
    expect(out.json).to.deep.equal({ revoked: true });
    const outAgain = await call('POST', '/api/v1/session/logout', { token: null, body: { refreshToken: refreshed.json.refreshToken } });
    expectContract(outAgain, 'POST /api/v1/session/logout');
    expect(outAgain.json).to.deep.equal({ revoked: false });
    const outExtra = await call('POST', '/api/v1/session/logout', { token: null, body: { refreshToken: refreshed.json.refreshToken, everywhere: true } });
    expectContract(outExtra, 'POST /api/v1/session/logout');
    answered(outExtra, 422, 'VALIDATION_FAILED');
    const outNotJson = await call('POST', '/api/v1/session/logout', { token: null, raw: '[' });
    expectContract(outNotJson, 'POST /api/v1/session/logout');
    answered(outNotJson, 400, 'MALFORMED_REQUEST');
  });

  it('contract - bindings: candidates, bind, list, unbind, and each refusal', async () => {
    const offered = await call('POST', '/api/v1/bindings/candidates', { body: { authCode: alipay.issueAuthCode(A.userId) } });
    expectContract(offered, 'POST /api/v1/bindings/candidates');
    answered(offered, 200);
    expect(offered.json.candidates).to.have.length(1);
    expect(offered.json.candidates[0]).to.include({ accountNo: '******0001', bound: false });

    const ofAnother = await call('POST', '/api/v1/bindings/candidates', { body: { authCode: alipay.issueAuthCode(ALIPAY_USERS[1].userId) } });
    expectContract(ofAnother, 'POST /api/v1/bindings/candidates');
    answered(ofAnother, 403, 'FORBIDDEN');
    const uncertified = await call('POST', '/api/v1/bindings/candidates', {
      token: signAccessToken(bus.config.auth, { sub: UNCERTIFIED_USER_ID }),
      body: { authCode: alipay.issueAuthCode(UNCERTIFIED_USER_ID) },
    });
    expectContract(uncertified, 'POST /api/v1/bindings/candidates');
    answered(uncertified, 403, 'IDENTITY_NOT_CERTIFIED');
    const usedCode = await call('POST', '/api/v1/bindings/candidates', { body: { authCode: 'used-or-made-up' } });
    expectContract(usedCode, 'POST /api/v1/bindings/candidates');
    answered(usedCode, 401, 'UNAUTHORIZED');
    const candidatesNoToken = await call('POST', '/api/v1/bindings/candidates', { token: null, body: { authCode: 'x' } });
    expectContract(candidatesNoToken, 'POST /api/v1/bindings/candidates');
    answered(candidatesNoToken, 401, 'UNAUTHORIZED');
    const noCode = await call('POST', '/api/v1/bindings/candidates', { body: { authCode: '' } });
    expectContract(noCode, 'POST /api/v1/bindings/candidates');
    answered(noCode, 422, 'VALIDATION_FAILED');
    const candidatesNotJson = await call('POST', '/api/v1/bindings/candidates', { raw: '{' });
    expectContract(candidatesNotJson, 'POST /api/v1/bindings/candidates');
    answered(candidatesNotJson, 400, 'MALFORMED_REQUEST');

    const bound = await call('POST', '/api/v1/bindings', { body: { candidateToken: offered.json.candidates[0].candidateToken } });
    expectContract(bound, 'POST /api/v1/bindings');
    answered(bound, 200);
    expect(bound.json).to.include({ accountNo: home, created: true, kind: 'IDENTITY' });
    const forged = await call('POST', '/api/v1/bindings', { body: { candidateToken: 'a'.repeat(40) } });
    expectContract(forged, 'POST /api/v1/bindings');
    answered(forged, 403, 'FORBIDDEN');
    const shortToken = await call('POST', '/api/v1/bindings', { body: { candidateToken: 'short' } });
    expectContract(shortToken, 'POST /api/v1/bindings');
    answered(shortToken, 422, 'VALIDATION_FAILED');
    const bindNoToken = await call('POST', '/api/v1/bindings', { token: null, body: { candidateToken: 'a'.repeat(40) } });
    expectContract(bindNoToken, 'POST /api/v1/bindings');
    answered(bindNoToken, 401, 'UNAUTHORIZED');
    const bindNotJson = await call('POST', '/api/v1/bindings', { raw: 'candidateToken' });
    expectContract(bindNotJson, 'POST /api/v1/bindings');
    answered(bindNotJson, 400, 'MALFORMED_REQUEST');

    const list = await call('GET', '/api/v1/bindings');
    expectContract(list, 'GET /api/v1/bindings');
    answered(list, 200);
    expect(list.json.bindings.map((b: { accountNo: string }) => b.accountNo)).to.include.members([home, second]);
    const listBadQuery = await call('GET', '/api/v1/bindings?all=1');
    expectContract(listBadQuery, 'GET /api/v1/bindings');
    answered(listBadQuery, 422, 'VALIDATION_FAILED');
    const listNoToken = await call('GET', '/api/v1/bindings', { token: null });
    expectContract(listNoToken, 'GET /api/v1/bindings');
    answered(listNoToken, 401, 'UNAUTHORIZED');

    const unbound = await call('DELETE', `/api/v1/bindings/${second}`);
    expectContract(unbound, 'DELETE /api/v1/bindings/{accountNo}');
    answered(unbound, 200);
    expect(unbound.json).to.deep.equal({ accountNo: second, unbound: true });
    const again = await call('DELETE', `/api/v1/bindings/${second}`);
    expectContract(again, 'DELETE /api/v1/bindings/{accountNo}');
    answered(again, 404, 'ACCOUNT_NOT_FOUND');
    const badNo = await call('DELETE', '/api/v1/bindings/33010');
    expectContract(badNo, 'DELETE /api/v1/bindings/{accountNo}');
    answered(badNo, 422, 'VALIDATION_FAILED');
    const unbindNoToken = await call('DELETE', `/api/v1/bindings/${home}`, { token: null });
    expectContract(unbindNoToken, 'DELETE /api/v1/bindings/{accountNo}');
    answered(unbindNoToken, 401, 'UNAUTHORIZED');
  });

  it('contract - arrears by path and by body: a bound account, an unbound one, bad numbers, no token, a bad token', async () => {
    const owed = await call('GET', `/api/v1/accounts/${home}/arrears`);
    expectContract(owed, 'GET /api/v1/accounts/{accountNo}/arrears');
    answered(owed, 200);
    expect(owed.json.totalFen).to.equal(totalFen(HOUSEHOLDS[0]));
    const notBound = await call('GET', `/api/v1/accounts/${UNKNOWN_CONS_NO}/arrears`);
    expectContract(notBound, 'GET /api/v1/accounts/{accountNo}/arrears');
    answered(notBound, 404, 'ACCOUNT_NOT_FOUND');
    const badNo = await call('GET', '/api/v1/accounts/12345/arrears');
    expectContract(badNo, 'GET /api/v1/accounts/{accountNo}/arrears');
    answered(badNo, 422, 'VALIDATION_FAILED');
    const noToken = await call('GET', `/api/v1/accounts/${home}/arrears`, { token: null });
    expectContract(noToken, 'GET /api/v1/accounts/{accountNo}/arrears');
    answered(noToken, 401, 'UNAUTHORIZED');
    expect(noToken.headers.get('www-authenticate')).to.equal('Bearer');
    const badToken = await call('GET', `/api/v1/accounts/${home}/arrears`, { token: 'not.a.jwt' });
    expectContract(badToken, 'GET /api/v1/accounts/{accountNo}/arrears');
    answered(badToken, 401, 'UNAUTHORIZED');

    const byBody = await call('POST', '/api/v1/arrears/query', { body: { accountNo: nothingOwed } });
    expectContract(byBody, 'POST /api/v1/arrears/query');
    answered(byBody, 200);
    expect(byBody.json).to.include({ accountNo: nothingOwed, totalFen: 0 });
    const byBodyNotBound = await call('POST', '/api/v1/arrears/query', { body: { accountNo: HOUSEHOLDS[3].ConsNo } });
    expectContract(byBodyNotBound, 'POST /api/v1/arrears/query');
    answered(byBodyNotBound, 404, 'ACCOUNT_NOT_FOUND');
    const numberNotString = await call('POST', '/api/v1/arrears/query', { body: { accountNo: 3301000001 } });
    expectContract(numberNotString, 'POST /api/v1/arrears/query');
    answered(numberNotString, 422, 'VALIDATION_FAILED');
    const byBodyNotJson = await call('POST', '/api/v1/arrears/query', { raw: '{accountNo}' });
    expectContract(byBodyNotJson, 'POST /api/v1/arrears/query');
    answered(byBodyNotJson, 400, 'MALFORMED_REQUEST');
    const byBodyNoToken = await call('POST', '/api/v1/arrears/query', { token: null, body: { accountNo: home } });
    expectContract(byBodyNoToken, 'POST /api/v1/arrears/query');
    answered(byBodyNoToken, 401, 'UNAUTHORIZED');
  });

  it('contract - payments: create (new, the same key again, refusals), list, get', async () => {
    const key = randomUUID();
    const created = await call('POST', '/api/v1/payments', { body: { accountNo: home, all: true }, headers: { 'Idempotency-Key': key } });
    expectContract(created, 'POST /api/v1/payments');
    answered(created, 200);
    expect(created.json).to.include({ accountNo: home, amountFen: totalFen(HOUSEHOLDS[0]), state: 'WAIT_PAY', reused: false });
    const sameKey = await call('POST', '/api/v1/payments', { body: { accountNo: home, all: true }, headers: { 'Idempotency-Key': key } });
    expectContract(sameKey, 'POST /api/v1/payments');
    expect(sameKey.json).to.include({ id: created.json.id, reused: true });
    const keyReused = await call('POST', '/api/v1/payments', { body: { accountNo: home, amountFen: 100 }, headers: { 'Idempotency-Key': key } });
    expectContract(keyReused, 'POST /api/v1/payments');
    answered(keyReused, 422, 'IDEMPOTENCY_KEY_REUSED');
    const open = await call('POST', '/api/v1/payments', { body: { accountNo: home, amountFen: 100 } });
    expectContract(open, 'POST /api/v1/payments');
    answered(open, 409, 'ORDER_STATE_CONFLICT');
    const nothing = await call('POST', '/api/v1/payments', { body: { accountNo: nothingOwed, all: true } });
    expectContract(nothing, 'POST /api/v1/payments');
    answered(nothing, 409, 'NOTHING_TO_PAY');
    const both = await call('POST', '/api/v1/payments', { body: { accountNo: home, amountFen: 100, all: true } });
    expectContract(both, 'POST /api/v1/payments');
    answered(both, 422, 'VALIDATION_FAILED');
    const badKey = await call('POST', '/api/v1/payments', { body: { accountNo: home, all: true }, headers: { 'Idempotency-Key': 'two words' } });
    expectContract(badKey, 'POST /api/v1/payments');
    answered(badKey, 422, 'VALIDATION_FAILED');
    const fractional = await call('POST', '/api/v1/payments', { body: { accountNo: home, amountFen: 10.5 } });
    expectContract(fractional, 'POST /api/v1/payments');
    answered(fractional, 422, 'VALIDATION_FAILED');
    const notBound = await call('POST', '/api/v1/payments', { body: { accountNo: UNKNOWN_CONS_NO, all: true } });
    expectContract(notBound, 'POST /api/v1/payments');
    answered(notBound, 404, 'ACCOUNT_NOT_FOUND');
    const payNoToken = await call('POST', '/api/v1/payments', { token: null, body: { accountNo: home, all: true } });
    expectContract(payNoToken, 'POST /api/v1/payments');
    answered(payNoToken, 401, 'UNAUTHORIZED');
    const payNotJson = await call('POST', '/api/v1/payments', { raw: '{"accountNo":"3301000001",}' });
    expectContract(payNotJson, 'POST /api/v1/payments');
    answered(payNotJson, 400, 'MALFORMED_REQUEST');

    // another account of A's, with more asked than owed
    await bindAccounts(db.url, A.userId, [HOUSEHOLDS[4].ConsNo]);
    const tooMuch = await call('POST', '/api/v1/payments', { body: { accountNo: HOUSEHOLDS[4].ConsNo, amountFen: totalFen(HOUSEHOLDS[4]) + 1 } });
    expectContract(tooMuch, 'POST /api/v1/payments');
    answered(tooMuch, 422, 'AMOUNT_EXCEEDS_ARREARS');
    expect(tooMuch.json.details).to.deep.equal({ owedFen: totalFen(HOUSEHOLDS[4]) });

    // paid (no outbox node here: it stays PAID): the answers carry paidAt filled, not only null
    expect((await alipay.payTrade(created.json.outTradeNo, { notifyUrl: `${bus.gatewayUrl}/alipay/notify` }).done).acknowledged).to.equal(true);
    const list = await call('GET', `/api/v1/payments?accountNo=${home}&limit=5`);
    expectContract(list, 'GET /api/v1/payments');
    answered(list, 200);
    expect(list.json.payments.map((p: { id: string }) => p.id)).to.deep.equal([created.json.id]);
    const all = await call('GET', '/api/v1/payments');
    expectContract(all, 'GET /api/v1/payments');
    answered(all, 200);
    const tooMany = await call('GET', '/api/v1/payments?limit=101');
    expectContract(tooMany, 'GET /api/v1/payments');
    answered(tooMany, 422, 'VALIDATION_FAILED');
    const listNoToken = await call('GET', '/api/v1/payments', { token: null });
    expectContract(listNoToken, 'GET /api/v1/payments');
    answered(listNoToken, 401, 'UNAUTHORIZED');

    const one = await call('GET', `/api/v1/payments/${created.json.id}`);
    expectContract(one, 'GET /api/v1/payments/{id}');
    answered(one, 200);
    expect(one.json).to.include({ id: created.json.id, state: 'PAID' });
    expect(one.json.paidAt).to.be.a('string');
    const ofAnother = await call('GET', `/api/v1/payments/${created.json.id}`, { token: signAccessToken(bus.config.auth, { sub: ALIPAY_USERS[1].userId }) });
    expectContract(ofAnother, 'GET /api/v1/payments/{id}');
    answered(ofAnother, 404, 'ORDER_NOT_FOUND');
    const badId = await call('GET', '/api/v1/payments/0');
    expectContract(badId, 'GET /api/v1/payments/{id}');
    answered(badId, 422, 'VALIDATION_FAILED');
    const oneNoToken = await call('GET', `/api/v1/payments/${created.json.id}`, { token: null });
    expectContract(oneNoToken, 'GET /api/v1/payments/{id}');
    answered(oneNoToken, 401, 'UNAUTHORIZED');
  });

  it('contract - agreements: start withholding for a bound account, list them, and each refusal', async () => {
    const started = await call('POST', '/api/v1/agreements', { body: { accountNo: home } });
    expectContract(started, 'POST /api/v1/agreements');
    answered(started, 200);
    expect(started.json).to.include({ accountNo: home, status: 'PENDING' });
    const notBound = await call('POST', '/api/v1/agreements', { body: { accountNo: UNKNOWN_CONS_NO } });
    expectContract(notBound, 'POST /api/v1/agreements');
    answered(notBound, 404, 'ACCOUNT_NOT_FOUND');
    const missing = await call('POST', '/api/v1/agreements', { body: {} });
    expectContract(missing, 'POST /api/v1/agreements');
    answered(missing, 422, 'VALIDATION_FAILED');
    const startNotJson = await call('POST', '/api/v1/agreements', { raw: 'accountNo=1' });
    expectContract(startNotJson, 'POST /api/v1/agreements');
    answered(startNotJson, 400, 'MALFORMED_REQUEST');
    const startNoToken = await call('POST', '/api/v1/agreements', { token: null, body: { accountNo: home } });
    expectContract(startNoToken, 'POST /api/v1/agreements');
    answered(startNoToken, 401, 'UNAUTHORIZED');

    const list = await call('GET', '/api/v1/agreements');
    expectContract(list, 'GET /api/v1/agreements');
    answered(list, 200);
    expect(list.json.agreements.map((a: { externalAgreementNo: string }) => a.externalAgreementNo)).to.deep.equal([started.json.externalAgreementNo]);
    const listBadQuery = await call('GET', '/api/v1/agreements?status=NORMAL');
    expectContract(listBadQuery, 'GET /api/v1/agreements');
    answered(listBadQuery, 422, 'VALIDATION_FAILED');
    const listNoToken = await call('GET', '/api/v1/agreements', { token: null });
    expectContract(listNoToken, 'GET /api/v1/agreements');
    answered(listNoToken, 401, 'UNAUTHORIZED');

    // a user over the route's limit (3 an hour here, a fixed window a quick test does not straddle; A above made 2 calls): 429 with Retry-After
    const busy = signAccessToken(bus.config.auth, { sub: ALIPAY_USERS[3].userId });
    for (let i = 0; i < 3; i++) answered(await call('GET', '/api/v1/agreements', { token: busy }), 200);
    const limited = await call('GET', '/api/v1/agreements', { token: busy });
    expectContract(limited, 'GET /api/v1/agreements');
    answered(limited, 429, 'RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).to.be.greaterThan(0);
  });

  it('contract - the marketing system failing or slow: 503 BACKEND_UNAVAILABLE, 504 BACKEND_TIMEOUT, documented bodies', async () => {
    const fault = await call('GET', `/api/v1/accounts/${SPECIAL_CONS_NO.FAULT}/arrears`);
    expectContract(fault, 'GET /api/v1/accounts/{accountNo}/arrears');
    answered(fault, 503, 'BACKEND_UNAVAILABLE');
    expect(fault.json).to.not.have.property('details');
    const faultByBody = await call('POST', '/api/v1/arrears/query', { body: { accountNo: SPECIAL_CONS_NO.FAULT } });
    expectContract(faultByBody, 'POST /api/v1/arrears/query');
    answered(faultByBody, 503, 'BACKEND_UNAVAILABLE');
    const payFault = await call('POST', '/api/v1/payments', { body: { accountNo: SPECIAL_CONS_NO.FAULT, all: true } });
    expectContract(payFault, 'POST /api/v1/payments');
    answered(payFault, 503, 'BACKEND_UNAVAILABLE');
    const slow = await call('GET', `/api/v1/accounts/${SPECIAL_CONS_NO.SLOW}/arrears`);
    expectContract(slow, 'GET /api/v1/accounts/{accountNo}/arrears');
    answered(slow, 504, 'BACKEND_TIMEOUT');
  });
});
