import { expect } from 'chai';
import { generateKeyPairSync } from 'crypto';
import { AlipayAdapter } from '../../../adapters/alipay';
import { NOTIFY_OMIT, verifyParams } from '../../../core/crypto/alipay-signature';
import { ALIPAY_USERS, BALANCE_SHORT_USER_ID, STRANGER_USER_ID } from '../../../simulators/alipay/dataset';
import { AlipaySimulator, startAlipaySimulator } from '../../../simulators/alipay/server';
import { NotifySink } from './alipay-notify-sink';

function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
  };
}

const CHINA_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
let seq = 0;
const nextNo = (prefix: string) => `${prefix}${Date.now()}${String(++seq).padStart(3, '0')}`;

/**
 * Withholding (商家扣款): agreements signed and unsigned by the user, their
 * signed notifications over real HTTP, and alipay.trade.pay by agreement
 * through the real adapter.
 */
describe('simulators/alipay - withholding agreements and alipay.trade.pay by agreement', () => {
  const app = keyPair();
  const user = ALIPAY_USERS[1].userId;
  let sim: AlipaySimulator;
  let alipay: AlipayAdapter;
  let sink: NotifySink;

  before(async () => {
    sink = await new NotifySink().start();
    sim = await startAlipaySimulator({ appPublicKey: app.publicPem, notifyRetryDelaysMs: [50, 50] });
    alipay = new AlipayAdapter({ gatewayUrl: sim.gatewayUrl, appId: sim.appId, appPrivateKey: app.privatePem, alipayPublicKey: sim.alipayPublicKeyPem, timeoutMs: 5000 });
  });

  after(async () => {
    await sim?.close();
    await sink?.stop();
  });

  const withhold = (outTradeNo: string, agreementNo: string, totalAmount = '88.60', notifyUrl: string | undefined = sink.url) =>
    alipay.call('alipay.trade.pay', {
      notify_url: notifyUrl,
      bizContent: { out_trade_no: outTradeNo, total_amount: totalAmount, subject: '电费代扣 3301000002 202503', product_code: 'GENERAL_WITHHOLDING', agreement_params: { agreement_no: agreementNo } },
    });

  function signed(userId = user) {
    return sim.signAgreement({ userId, externalAgreementNo: nextNo('EA'), notifyUrl: sink.url });
  }

  it('sign - signAgreement makes a NORMAL agreement and posts a dut_user_sign form that verifies with the simulator key', async () => {
    const externalAgreementNo = nextNo('EA');
    const { agreement, delivery } = sim.signAgreement({ userId: user, externalAgreementNo, notifyUrl: sink.url });
    expect(agreement).to.include({ status: 'NORMAL', alipayUserId: user, externalAgreementNo, personalProductCode: 'GENERAL_WITHHOLDING_P' });
    expect(agreement.agreementNo).to.match(/^20\d{18}$/);
    expect((await delivery!.done).acknowledged).to.equal(true);
    const fields = await sink.waitFor((f) => f.agreement_no === agreement.agreementNo);
    expect(Object.keys(fields).sort()).to.deep.equal(
      ['agreement_no', 'alipay_logon_id', 'alipay_user_id', 'app_id', 'auth_app_id', 'charset', 'external_agreement_no', 'invalid_time', 'notify_id', 'notify_time', 'notify_type', 'personal_product_code', 'sign', 'sign_scene', 'sign_time', 'sign_type', 'status', 'valid_time', 'version'].sort(),
    );
    expect(fields).to.include({ notify_type: 'dut_user_sign', status: 'NORMAL', alipay_user_id: user, external_agreement_no: externalAgreementNo, app_id: sim.appId, sign_type: 'RSA2', personal_product_code: 'GENERAL_WITHHOLDING_P', invalid_time: '2115-02-01 00:00:00' });
    expect(fields.sign_time).to.match(CHINA_TIME);
    expect(fields.alipay_logon_id).to.match(/^\d{3}\*{6}\d{2}$/);
    expect(sink.received.find((r) => r.fields.agreement_no === agreement.agreementNo)!.contentType).to.match(/^application\/x-www-form-urlencoded/);
    expect(verifyParams(fields, sim.alipayPublicKeyPem, NOTIFY_OMIT)).to.equal(true);
    expect(verifyParams({ ...fields, alipay_user_id: STRANGER_USER_ID }, sim.alipayPublicKeyPem, NOTIFY_OMIT)).to.equal(false);

    // signing the same external number again while in force: the same agreement, no second notification
    const again = sim.signAgreement(user, externalAgreementNo, sink.url);
    expect(again.agreement.agreementNo).to.equal(agreement.agreementNo);
    expect(again.delivery).to.equal(null);
    expect(sim.agreements().filter((a) => a.externalAgreementNo === externalAgreementNo)).to.have.length(1);
  });

  it('unsign - unsignAgreement posts dut_user_unsign (status UNSIGN, unsign_time); unsigning again sends nothing', async () => {
    const { agreement } = signed();
    const { agreement: ended, delivery } = sim.unsignAgreement(agreement.agreementNo);
    expect(ended.status).to.equal('UNSIGN');
    expect((await delivery!.done).acknowledged).to.equal(true);
    const fields = await sink.waitFor((f) => f.agreement_no === agreement.agreementNo && f.notify_type === 'dut_user_unsign');
    expect(fields).to.include({ status: 'UNSIGN', alipay_user_id: user, external_agreement_no: agreement.externalAgreementNo });
    expect(fields.unsign_time).to.match(CHINA_TIME);
    expect(fields).to.not.have.any.keys('sign_time', 'valid_time', 'invalid_time');
    expect(verifyParams(fields, sim.alipayPublicKeyPem, NOTIFY_OMIT)).to.equal(true);
    expect(sim.unsignAgreement(agreement.agreementNo).delivery).to.equal(null);
    expect(sink.matching((f) => f.agreement_no === agreement.agreementNo && f.notify_type === 'dut_user_unsign')).to.have.length(1);
    expect(() => sim.unsignAgreement('20000000000000000000')).to.throw(/no agreement/);
  });

  it('sign - an unknown user or a missing notify url is refused; agreementNotification builds a duplicate that verifies', async () => {
    expect(() => sim.signAgreement({ userId: '2088999999999999', externalAgreementNo: 'EA1', notifyUrl: sink.url })).to.throw(/no Alipay user/);
    expect(() => sim.signAgreement({ userId: user, externalAgreementNo: 'EA2' })).to.throw(/notifyUrl/);
    const { agreement } = signed();
    const duplicate = sim.agreementNotification(agreement.agreementNo);
    expect(duplicate).to.include({ notify_type: 'dut_user_sign', agreement_no: agreement.agreementNo, status: 'NORMAL' });
    expect(verifyParams(duplicate, sim.alipayPublicKeyPem, NOTIFY_OMIT)).to.equal(true);
  });

  it('agreement query - alipay.user.agreement.query finds an agreement in force, USER_AGREEMENT_NOT_EXIST once unsigned', async () => {
    const { agreement } = signed();
    const found = await alipay.call('alipay.user.agreement.query', { bizContent: { personal_product_code: 'GENERAL_WITHHOLDING_P', agreement_no: agreement.agreementNo } });
    expect(found.body).to.include({ code: '10000', agreement_no: agreement.agreementNo, external_agreement_no: agreement.externalAgreementNo, principal_id: user, status: 'NORMAL' });
    const byExternal = await alipay.call('alipay.user.agreement.query', { bizContent: { alipay_user_id: user, external_agreement_no: agreement.externalAgreementNo } });
    expect(byExternal.body.agreement_no).to.equal(agreement.agreementNo);
    sim.unsignAgreement(agreement.agreementNo);
    const gone = await alipay.call('alipay.user.agreement.query', { bizContent: { agreement_no: agreement.agreementNo } });
    expect(gone.body).to.include({ code: '40004', sub_code: 'USER_AGREEMENT_NOT_EXIST' });
  });

  it('merchant unsign - alipay.user.agreement.unsign ends the agreement and posts dut_user_unsign to the call\'s notify_url; unknown or ended: USER_AGREEMENT_NOT_EXIST', async () => {
    const { agreement } = signed();
    const ended = await alipay.call('alipay.user.agreement.unsign', { notify_url: sink.url, bizContent: { agreement_no: agreement.agreementNo, personal_product_code: 'GENERAL_WITHHOLDING_P' } });
    expect(ended.body).to.include({ code: '10000' });
    expect(sim.agreements().find((a) => a.agreementNo === agreement.agreementNo)!.status).to.equal('UNSIGN');
    const fields = await sink.waitFor((f) => f.agreement_no === agreement.agreementNo && f.notify_type === 'dut_user_unsign');
    expect(verifyParams(fields, sim.alipayPublicKeyPem, NOTIFY_OMIT)).to.equal(true);
    const again = await alipay.call('alipay.user.agreement.unsign', { bizContent: { agreement_no: agreement.agreementNo } });
    expect(again.body).to.include({ code: '40004', sub_code: 'USER_AGREEMENT_NOT_EXIST' });
    const byExternal = signed();
    const ended2 = await alipay.call('alipay.user.agreement.unsign', { bizContent: { alipay_user_id: user, external_agreement_no: byExternal.agreement.externalAgreementNo } });
    expect(ended2.body.code).to.equal('10000');
    // no notify_url in the call and no default in this simulator: sent to the sign notify url
    await sink.waitFor((f) => f.agreement_no === byExternal.agreement.agreementNo && f.notify_type === 'dut_user_unsign');
  });

  it('withholding - alipay.trade.pay by agreement pays at once (10000, trade TRADE_SUCCESS) and posts trade_status_sync TRADE_SUCCESS', async () => {
    const { agreement } = signed();
    const outTradeNo = nextNo('WH');
    const paid = await withhold(outTradeNo, agreement.agreementNo, '88.60');
    expect(paid.body).to.include({ code: '10000', out_trade_no: outTradeNo, buyer_user_id: user, total_amount: '88.60', receipt_amount: '88.60' });
    expect(paid.body.trade_no).to.match(/^\d{28}$/);
    expect(paid.body.gmt_payment).to.match(CHINA_TIME);
    const queried = await alipay.call('alipay.trade.query', { bizContent: { out_trade_no: outTradeNo } });
    expect(queried.body).to.include({ trade_status: 'TRADE_SUCCESS', trade_no: paid.body.trade_no, buyer_user_id: user });
    expect(sim.trades().find((t) => t.outTradeNo === outTradeNo)).to.include({ productCode: 'GENERAL_WITHHOLDING', agreementNo: agreement.agreementNo, status: 'TRADE_SUCCESS' });
    const note = await sink.waitFor((f) => f.out_trade_no === outTradeNo);
    expect(note).to.include({ notify_type: 'trade_status_sync', trade_status: 'TRADE_SUCCESS', trade_no: paid.body.trade_no, total_amount: '88.60', buyer_id: user });
    expect(verifyParams(note, sim.alipayPublicKeyPem, NOTIFY_OMIT)).to.equal(true);
    // a withheld trade refunds like any other
    const refund = await alipay.call('alipay.trade.refund', { bizContent: { out_trade_no: outTradeNo, refund_amount: '8.60', out_request_no: `${outTradeNo}-R1` } });
    expect(refund.body).to.include({ code: '10000', fund_change: 'Y', refund_fee: '8.60' });
  });

  it('withholding - the same out_trade_no again is ACQ.TRADE_HAS_SUCCESS: one trade, one charge, one notification', async () => {
    const { agreement } = signed();
    const outTradeNo = nextNo('WH');
    const answers = await Promise.all([withhold(outTradeNo, agreement.agreementNo), withhold(outTradeNo, agreement.agreementNo)]);
    expect(answers.map((a) => a.body.sub_code ?? a.body.code).sort()).to.deep.equal(['10000', 'ACQ.TRADE_HAS_SUCCESS']);
    expect((await withhold(outTradeNo, agreement.agreementNo)).body).to.include({ code: '40004', sub_code: 'ACQ.TRADE_HAS_SUCCESS' });
    expect(sim.trades().filter((t) => t.outTradeNo === outTradeNo)).to.have.length(1);
    await sink.waitFor((f) => f.out_trade_no === outTradeNo);
    await new Promise((r) => setTimeout(r, 100));
    expect(sink.matching((f) => f.out_trade_no === outTradeNo)).to.have.length(1);
  });

  it('withholding - a user whose balance is short is ACQ.BUYER_BALANCE_NOT_ENOUGH, nothing is charged; after topping up the same out_trade_no pays', async () => {
    const { agreement } = signed(BALANCE_SHORT_USER_ID);
    const outTradeNo = nextNo('WH');
    const short = await withhold(outTradeNo, agreement.agreementNo);
    expect(short.body).to.include({ code: '40004', sub_code: 'ACQ.BUYER_BALANCE_NOT_ENOUGH', sub_msg: '买家余额不足' });
    expect(sim.trades().find((t) => t.outTradeNo === outTradeNo)).to.equal(undefined);
    sim.setBalanceShort(BALANCE_SHORT_USER_ID, false);
    try {
      expect((await withhold(outTradeNo, agreement.agreementNo)).body).to.include({ code: '10000', buyer_user_id: BALANCE_SHORT_USER_ID });
    } finally {
      sim.setBalanceShort(BALANCE_SHORT_USER_ID, true);
    }
  });

  it('withholding - an unsigned (revoked) or unknown agreement is ACQ.AGREEMENT_NOT_EXIST; a wrong product_code or no agreement_no ACQ.INVALID_PARAMETER', async () => {
    const { agreement } = signed();
    sim.unsignAgreement(agreement.agreementNo);
    const revoked = await withhold(nextNo('WH'), agreement.agreementNo);
    expect(revoked.body).to.include({ code: '40004', sub_code: 'ACQ.AGREEMENT_NOT_EXIST', sub_msg: '用户协议不存在' });
    expect((await withhold(nextNo('WH'), '20250000000000000000')).body).to.include({ sub_code: 'ACQ.AGREEMENT_NOT_EXIST' });
    const barcode = await alipay.call('alipay.trade.pay', { bizContent: { out_trade_no: nextNo('WH'), total_amount: '1.00', subject: '电费', product_code: 'FACE_TO_FACE_PAYMENT', scene: 'bar_code', auth_code: '28763443825664394' } });
    expect(barcode.body).to.include({ code: '40004', sub_code: 'ACQ.INVALID_PARAMETER' });
    const noAgreement = await alipay.call('alipay.trade.pay', { bizContent: { out_trade_no: nextNo('WH'), total_amount: '1.00', subject: '电费', product_code: 'GENERAL_WITHHOLDING' } });
    expect(noAgreement.body).to.include({ code: '40004', sub_code: 'ACQ.INVALID_PARAMETER' });
  });

  it('withholding - a delayed alipay.trade.pay takes the money before its late answer; the query finds the trade paid and a retry charges nothing', async () => {
    const { agreement } = signed();
    const outTradeNo = nextNo('WH');
    const impatient = new AlipayAdapter({ gatewayUrl: sim.gatewayUrl, appId: sim.appId, appPrivateKey: app.privatePem, alipayPublicKey: sim.alipayPublicKeyPem, timeoutMs: 300 });
    sim.delayMethod('alipay.trade.pay', 1200);
    try {
      const err = await impatient.call('alipay.trade.pay', {
        bizContent: { out_trade_no: outTradeNo, total_amount: '10.00', subject: '电费代扣', product_code: 'GENERAL_WITHHOLDING', agreement_params: { agreement_no: agreement.agreementNo } },
      }).then(
        () => null,
        (e: Error & { type?: string }) => e,
      );
      expect(err?.type).to.equal('BACKEND_TIMEOUT');
    } finally {
      sim.delayMethod('alipay.trade.pay', null);
    }
    expect((await alipay.call('alipay.trade.query', { bizContent: { out_trade_no: outTradeNo } })).body).to.include({ trade_status: 'TRADE_SUCCESS' });
    expect((await withhold(outTradeNo, agreement.agreementNo, '10.00')).body).to.include({ sub_code: 'ACQ.TRADE_HAS_SUCCESS' });
  });

  it('control - POST /sim/agreements/sign and /sim/agreements/unsign and GET /sim/agreements drive agreements from another process', async () => {
    const externalAgreementNo = nextNo('EA');
    const signRes = await fetch(`${sim.url}/sim/agreements/sign`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ user_id: user, external_agreement_no: externalAgreementNo, notify_url: sink.url }),
    });
    expect(signRes.status).to.equal(200);
    const body = (await signRes.json()) as { agreement_no: string; status: string; notify_id: string };
    expect(body.status).to.equal('NORMAL');
    await sink.waitFor((f) => f.notify_id === body.notify_id && f.notify_type === 'dut_user_sign');
    const listed = (await (await fetch(`${sim.url}/sim/agreements`)).json()) as Array<Record<string, unknown>>;
    expect(listed.find((a) => a.agreementNo === body.agreement_no)).to.include({ status: 'NORMAL', externalAgreementNo });

    const unsignRes = await fetch(`${sim.url}/sim/agreements/unsign`, { method: 'POST', body: new URLSearchParams({ agreement_no: body.agreement_no }) });
    expect(((await unsignRes.json()) as { status: string }).status).to.equal('UNSIGN');
    await sink.waitFor((f) => f.agreement_no === body.agreement_no && f.notify_type === 'dut_user_unsign');
    expect((await fetch(`${sim.url}/sim/agreements/unsign`, { method: 'POST', body: new URLSearchParams({ agreement_no: 'nope' }) })).status).to.equal(404);
    expect((await fetch(`${sim.url}/sim/agreements/sign`, { method: 'POST', body: new URLSearchParams({ user_id: '2088000000000000', external_agreement_no: 'X' }) })).status).to.equal(404);
    // no notify_url and no default: a clear 400
    const noUrl = await fetch(`${sim.url}/sim/agreements/sign`, { method: 'POST', body: new URLSearchParams({ user_id: user, external_agreement_no: nextNo('EA') }) });
    expect(noUrl.status).to.equal(400);
    expect(((await noUrl.json()) as { error: string }).error).to.match(/notifyUrl/);
  });
});
