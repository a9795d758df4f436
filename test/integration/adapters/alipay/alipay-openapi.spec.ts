import { expect } from 'chai';
import { generateKeyPairSync } from 'crypto';
import { AlipayAdapter, requireSuccess } from '../../../../adapters/alipay';
import { GridbusError } from '../../../../core/errors';
import { ALIPAY_USERS, STRANGER_USER_ID, UNCERTIFIED_USER_ID } from '../../../../simulators/alipay/dataset';
import { AlipaySimulator, startAlipaySimulator } from '../../../../simulators/alipay/server';
import { freePort } from '../../../helpers/ports';

function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
  };
}

async function refusal(promise: Promise<unknown>): Promise<GridbusError> {
  try {
    await promise;
  } catch (err) {
    return err as GridbusError;
  }
  throw new Error('expected the call to fail');
}

/**
 * The adapter (official alipay-sdk signing our requests, our strict check of
 * the answers) against the simulator (its own key pair, its own RSA2 code):
 * real signatures in both directions.
 */
describe('adapters/alipay - OpenAPI round trip with the Alipay simulator', () => {
  const app = keyPair();
  let sim: AlipaySimulator;
  let alipay: AlipayAdapter;

  before(async () => {
    sim = await startAlipaySimulator({ appPublicKey: app.publicPem });
    alipay = new AlipayAdapter({ gatewayUrl: sim.gatewayUrl, appId: sim.appId, appPrivateKey: app.privatePem, alipayPublicKey: sim.alipayPublicKeyPem, timeoutMs: 5000 });
  });

  afterEach(() => sim.tamperResponses(null));

  after(async () => {
    await alipay?.stop();
    await sim?.close();
  });

  it('exchanges an auth_code (alipay.system.oauth.token) and reads the real-name data (alipay.user.info.share)', async () => {
    const user = ALIPAY_USERS[0];
    const code = sim.issueAuthCode(user.userId);
    const token = await alipay.call('alipay.system.oauth.token', { grant_type: 'authorization_code', code });
    expect(token.ok).to.equal(true);
    expect(token.body).to.include({ code: '10000', user_id: user.userId, expires_in: 1296000 });
    expect(token.body.user_id).to.match(/^2088\d{12}$/);
    expect(token.body.access_token).to.be.a('string');
    expect(token.body.refresh_token).to.be.a('string');
    expect(token.rawResponse).to.match(/^\{"alipay_system_oauth_token_response":\{.*\},"sign":"[A-Za-z0-9+/=]+"\}$/);

    const info = await alipay.call('alipay.user.info.share', { auth_token: String(token.body.access_token) });
    expect(info.body).to.include({ code: '10000', user_id: user.userId, cert_no: user.certNo, cert_type: '0', mobile: user.mobile, user_name: user.userName, is_certified: 'T' });

    const calls = sim.calls().slice(-2);
    expect(calls.map((c) => [c.method, c.signatureValid, c.code])).to.deep.equal([
      ['alipay.system.oauth.token', true, '10000'],
      ['alipay.user.info.share', true, '10000'],
    ]);
  });

  it('answers 40002 isv.code-invalid for a used or unknown auth_code, and a refresh_token yields a new access token', async () => {
    const code = sim.issueAuthCode(STRANGER_USER_ID);
    const first = await alipay.call('alipay.system.oauth.token', { grant_type: 'authorization_code', code });
    expect(first.ok).to.equal(true);
    for (const c of [code, 'not-a-code']) {
      const again = await alipay.call('alipay.system.oauth.token', { grant_type: 'authorization_code', code: c });
      expect(again.ok).to.equal(false);
      expect(again.body).to.include({ code: '40002', sub_code: 'isv.code-invalid' });
      const err = await refusal(Promise.resolve().then(() => requireSuccess('alipay.system.oauth.token', again)));
      expect(err.type).to.equal('BACKEND_FAULT');
      expect(err.data).to.include({ alipayCode: '40002', subCode: 'isv.code-invalid', retryable: false });
    }
    const refreshed = await alipay.call('alipay.system.oauth.token', { grant_type: 'refresh_token', refresh_token: String(first.body.refresh_token) });
    expect(refreshed.body).to.include({ code: '10000', user_id: STRANGER_USER_ID });
    expect(refreshed.body.access_token).to.not.equal(first.body.access_token);
  });

  it('shares no identity for an uncertified user, and refuses an invalid auth_token with 20001', async () => {
    const token = await alipay.call('alipay.system.oauth.token', { grant_type: 'authorization_code', code: sim.issueAuthCode(UNCERTIFIED_USER_ID) });
    const info = await alipay.call('alipay.user.info.share', { auth_token: String(token.body.access_token) });
    expect(info.body).to.include({ code: '10000', is_certified: 'F' });
    expect(info.body).to.not.have.any.keys('cert_no', 'mobile', 'user_name');
    const bad = await alipay.call('alipay.user.info.share', { auth_token: 'authusrBnope' });
    expect(bad.body).to.include({ code: '20001', sub_code: 'aop.invalid-auth-token' });
  });

  it('creates a trade (biz_content) and queries it; the same out_trade_no with another amount is refused', async () => {
    const outTradeNo = `OT${Date.now()}`;
    const created = await alipay.call('alipay.trade.create', {
      notify_url: 'http://127.0.0.1:9/alipay/notify',
      bizContent: { out_trade_no: outTradeNo, total_amount: '123.45', subject: '电费 3301000001', buyer_id: ALIPAY_USERS[0].userId },
    });
    expect(created.body).to.include({ code: '10000', out_trade_no: outTradeNo });
    expect(created.body.trade_no).to.match(/^\d{28}$/);
    const again = await alipay.call('alipay.trade.create', { bizContent: { out_trade_no: outTradeNo, total_amount: '123.45', subject: '电费 3301000001', buyer_id: ALIPAY_USERS[0].userId } });
    expect(again.body.trade_no).to.equal(created.body.trade_no);
    const changed = await alipay.call('alipay.trade.create', { bizContent: { out_trade_no: outTradeNo, total_amount: '1.00', subject: '电费', buyer_id: ALIPAY_USERS[0].userId } });
    expect(changed.body).to.include({ code: '40004', sub_code: 'ACQ.CONTEXT_INCONSISTENT' });
    const queried = await alipay.call('alipay.trade.query', { bizContent: { out_trade_no: outTradeNo } });
    expect(queried.body).to.include({ code: '10000', trade_no: created.body.trade_no, trade_status: 'WAIT_BUYER_PAY', total_amount: '123.45' });
    const missing = await alipay.call('alipay.trade.query', { bizContent: { out_trade_no: 'NO-SUCH-TRADE' } });
    expect(missing.body).to.include({ code: '40004', sub_code: 'ACQ.TRADE_NOT_EXIST' });
    expect(sim.trades().find((t) => t.outTradeNo === outTradeNo)!.notifyUrl).to.equal('http://127.0.0.1:9/alipay/notify');
  });

  const tampers: Array<['sign' | 'body' | 'unsigned', RegExp]> = [
    ['sign', /does not verify/],
    ['body', /does not verify/],
    ['unsigned', /not signed/],
  ];
  for (const [mode, reason] of tampers) {
    it(`refuses an answer whose ${mode === 'body' ? 'content was changed after signing' : mode === 'sign' ? 'sign was tampered with' : 'sign is missing'} (BACKEND_BAD_RESPONSE)`, async () => {
      const code = sim.issueAuthCode(ALIPAY_USERS[1].userId);
      sim.tamperResponses(mode);
      const err = await refusal(alipay.call('alipay.system.oauth.token', { grant_type: 'authorization_code', code }));
      expect(err).to.be.instanceOf(GridbusError);
      expect(err.type).to.equal('BACKEND_BAD_RESPONSE');
      expect(err.data.reason).to.match(reason);
      expect((await alipay.health()).status).to.equal('degraded');
    });
  }

  it('refuses answers that verify only with another Alipay key', async () => {
    const impostor = keyPair();
    const trusting = new AlipayAdapter({ gatewayUrl: sim.gatewayUrl, appId: sim.appId, appPrivateKey: app.privatePem, alipayPublicKey: impostor.publicPem });
    const err = await refusal(trusting.call('alipay.trade.query', { bizContent: { out_trade_no: 'X' } }));
    expect(err.type).to.equal('BACKEND_BAD_RESPONSE');
  });

  it('is refused by the simulator when our request is signed with a wrong key (40002 isv.invalid-signature)', async () => {
    const wrong = keyPair();
    const forger = new AlipayAdapter({ gatewayUrl: sim.gatewayUrl, appId: sim.appId, appPrivateKey: wrong.privatePem, alipayPublicKey: sim.alipayPublicKeyPem });
    const code = sim.issueAuthCode(ALIPAY_USERS[2].userId);
    const res = await forger.call('alipay.system.oauth.token', { grant_type: 'authorization_code', code });
    expect(res.ok).to.equal(false);
    expect(res.body).to.include({ code: '40002', sub_code: 'isv.invalid-signature' });
    expect(res.body.user_id).to.equal(undefined);
    expect(sim.calls().at(-1)).to.include({ method: 'alipay.system.oauth.token', signatureValid: false });
    // the code was not consumed by the refused call
    const ok = await alipay.call('alipay.system.oauth.token', { grant_type: 'authorization_code', code });
    expect(ok.body.user_id).to.equal(ALIPAY_USERS[2].userId);
  });

  it('is refused for another app_id (40002 isv.invalid-app-id)', async () => {
    const other = new AlipayAdapter({ gatewayUrl: sim.gatewayUrl, appId: '2021009999999999', appPrivateKey: app.privatePem, alipayPublicKey: sim.alipayPublicKeyPem });
    const res = await other.call('alipay.trade.query', { bizContent: { out_trade_no: 'X' } });
    expect(res.body).to.include({ code: '40002', sub_code: 'isv.invalid-app-id' });
  });

  it('reports an unreachable gateway as BACKEND_UNAVAILABLE', async () => {
    const port = await freePort();
    const nowhere = new AlipayAdapter({ gatewayUrl: `http://127.0.0.1:${port}/gateway.do`, appId: sim.appId, appPrivateKey: app.privatePem, alipayPublicKey: sim.alipayPublicKeyPem });
    const err = await refusal(nowhere.call('alipay.trade.query', { bizContent: { out_trade_no: 'X' } }));
    expect(err.type).to.equal('BACKEND_UNAVAILABLE');
    expect((await nowhere.health()).status).to.equal('degraded');
  });
});
