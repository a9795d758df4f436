import { expect } from 'chai';
import { generateKeyPairSync } from 'crypto';
import { AlipayAdapter, requireSuccess } from '../../../adapters/alipay';
import { NOTIFY_OMIT, verifyParams } from '../../../core/crypto/alipay-signature';
import { GridbusError } from '../../../core/errors';
import { ALIPAY_USERS } from '../../../simulators/alipay/dataset';
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
 * The trade methods the money path needs, called through the real adapter
 * (official SDK signing, strict answer verification) against the simulator.
 */
describe('simulators/alipay - trades: close, refund, refund query, notifications, faults', () => {
  const app = keyPair();
  const buyer = ALIPAY_USERS[0].userId;
  let sim: AlipaySimulator;
  let alipay: AlipayAdapter;
  let sink: NotifySink;

  before(async () => {
    sink = await new NotifySink().start();
    sim = await startAlipaySimulator({ appPublicKey: app.publicPem, notifyRetryDelaysMs: [50, 50], notifyUrl: sink.url });
    alipay = new AlipayAdapter({ gatewayUrl: sim.gatewayUrl, appId: sim.appId, appPrivateKey: app.privatePem, alipayPublicKey: sim.alipayPublicKeyPem, timeoutMs: 5000 });
  });

  afterEach(() => sim.clearFaults());

  after(async () => {
    await sim?.close();
    await sink?.stop();
  });

  async function createTrade(totalAmount: string): Promise<{ outTradeNo: string; tradeNo: string }> {
    const outTradeNo = nextNo('OT');
    const created = await alipay.call('alipay.trade.create', { bizContent: { out_trade_no: outTradeNo, total_amount: totalAmount, subject: '电费 3301000001', buyer_id: buyer } });
    expect(created.body.code).to.equal('10000');
    return { outTradeNo, tradeNo: String(created.body.trade_no) };
  }

  async function paidTrade(totalAmount: string): Promise<{ outTradeNo: string; tradeNo: string }> {
    const trade = await createTrade(totalAmount);
    await sim.payTrade(trade.outTradeNo).done;
    return trade;
  }

  const refund = (outTradeNo: string, refundAmount: string, outRequestNo?: string) =>
    alipay.call('alipay.trade.refund', { bizContent: { out_trade_no: outTradeNo, refund_amount: refundAmount, ...(outRequestNo ? { out_request_no: outRequestNo } : {}) } });

  const status = async (outTradeNo: string) => (await alipay.call('alipay.trade.query', { bizContent: { out_trade_no: outTradeNo } })).body.trade_status;

  it('close - a waiting trade becomes TRADE_CLOSED without a notification; a paid trade is ACQ.TRADE_STATUS_ERROR; an unknown one ACQ.TRADE_NOT_EXIST', async () => {
    const waiting = await createTrade('12.30');
    const before = sink.received.length;
    const closed = await alipay.call('alipay.trade.close', { bizContent: { trade_no: waiting.tradeNo } });
    expect(closed.body).to.include({ code: '10000', trade_no: waiting.tradeNo, out_trade_no: waiting.outTradeNo });
    expect(await status(waiting.outTradeNo)).to.equal('TRADE_CLOSED');
    const again = await alipay.call('alipay.trade.close', { bizContent: { out_trade_no: waiting.outTradeNo } });
    expect(again.body).to.include({ code: '40004', sub_code: 'ACQ.TRADE_STATUS_ERROR' });
    // a closed out_trade_no cannot be created again
    const recreate = await alipay.call('alipay.trade.create', { bizContent: { out_trade_no: waiting.outTradeNo, total_amount: '12.30', subject: '电费', buyer_id: buyer } });
    expect(recreate.body).to.include({ code: '40004', sub_code: 'ACQ.TRADE_HAS_CLOSE' });

    const paid = await paidTrade('8.00');
    const refused = await alipay.call('alipay.trade.close', { bizContent: { out_trade_no: paid.outTradeNo } });
    expect(refused.body).to.include({ code: '40004', sub_code: 'ACQ.TRADE_STATUS_ERROR' });
    expect(await status(paid.outTradeNo)).to.equal('TRADE_SUCCESS');
    const unknown = await alipay.call('alipay.trade.close', { bizContent: { out_trade_no: 'NO-SUCH-TRADE' } });
    expect(unknown.body).to.include({ code: '40004', sub_code: 'ACQ.TRADE_NOT_EXIST' });
    // only the payment of `paid` was notified
    expect(sink.received.slice(before).map((r) => r.fields.out_trade_no)).to.deep.equal([paid.outTradeNo]);
  });

  it('refund - partial refunds add up (refund_fee is cumulative) and refunding the whole amount closes the trade', async () => {
    const { outTradeNo, tradeNo } = await paidTrade('100.00');
    const first = await refund(outTradeNo, '30.00', `${outTradeNo}-R1`);
    expect(first.body).to.include({ code: '10000', trade_no: tradeNo, out_trade_no: outTradeNo, buyer_user_id: buyer, fund_change: 'Y', refund_fee: '30.00', send_back_fee: '30.00' });
    expect(first.body.gmt_refund_pay).to.match(CHINA_TIME);
    expect(await status(outTradeNo)).to.equal('TRADE_SUCCESS');
    const second = await alipay.call('alipay.trade.refund', { bizContent: { trade_no: tradeNo, refund_amount: '70.00', out_request_no: `${outTradeNo}-R2` } });
    expect(second.body).to.include({ code: '10000', fund_change: 'Y', refund_fee: '100.00', send_back_fee: '70.00' });
    expect(await status(outTradeNo)).to.equal('TRADE_CLOSED');
    expect(sim.trades().find((t) => t.outTradeNo === outTradeNo)).to.include({ refundedFen: 10000, status: 'TRADE_CLOSED' });
    const ledger = sim.refunds().filter((r) => r.outTradeNo === outTradeNo);
    expect(ledger.map((r) => [r.outRequestNo, r.refundAmount, r.received, r.applied])).to.deep.equal([
      [`${outTradeNo}-R1`, '30.00', 1, 1],
      [`${outTradeNo}-R2`, '70.00', 1, 1],
    ]);
    // nothing is left: a new key is refused, the trade being closed
    const more = await refund(outTradeNo, '0.01', `${outTradeNo}-R3`);
    expect(more.body).to.include({ code: '40004', sub_code: 'ACQ.TRADE_HAS_CLOSE', refund_fee: '100.00' });
  });

  it('refund - the same out_request_no, even sent three times at once, refunds once: the repeats answer fund_change N with the same refund', async () => {
    const { outTradeNo } = await paidTrade('50.00');
    const key = `${outTradeNo}-R1`;
    const answers = await Promise.all([refund(outTradeNo, '20.00', key), refund(outTradeNo, '20.00', key), refund(outTradeNo, '20.00', key)]);
    expect(answers.map((a) => a.body.fund_change).sort()).to.deep.equal(['N', 'N', 'Y']);
    for (const a of answers) expect(a.body).to.include({ code: '10000', refund_fee: '20.00' });
    expect(new Set(answers.map((a) => a.body.gmt_refund_pay)).size).to.equal(1);
    const later = await refund(outTradeNo, '20.00', key);
    expect(later.body).to.include({ fund_change: 'N', refund_fee: '20.00', send_back_fee: '0.00' });
    expect(sim.refunds().find((r) => r.outRequestNo === key)).to.include({ received: 4, applied: 1, refundAmount: '20.00' });
    expect(sim.trades().find((t) => t.outTradeNo === outTradeNo)!.refundedFen).to.equal(2000);
  });

  it('refund - more than is left is ACQ.REFUND_AMT_NOT_EQUAL_TOTAL and changes nothing; what is left can still be refunded, with the refused key', async () => {
    const { outTradeNo } = await paidTrade('50.00');
    expect((await refund(outTradeNo, '40.00', `${outTradeNo}-R1`)).body).to.include({ fund_change: 'Y', refund_fee: '40.00' });
    const over = await refund(outTradeNo, '10.01', `${outTradeNo}-R2`);
    expect(over.body).to.include({ code: '40004', sub_code: 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', refund_fee: '40.00' });
    const err = (() => {
      try {
        requireSuccess('alipay.trade.refund', over);
      } catch (e) {
        return e as GridbusError;
      }
      throw new Error('expected a refusal');
    })();
    expect(err.data).to.include({ subCode: 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', retryable: false });
    expect(sim.refunds().find((r) => r.outRequestNo === `${outTradeNo}-R2`)).to.include({ received: 1, applied: 0 });
    const rest = await refund(outTradeNo, '10.00', `${outTradeNo}-R2`);
    expect(rest.body).to.include({ code: '10000', fund_change: 'Y', refund_fee: '50.00' });
    expect(sim.refunds().find((r) => r.outRequestNo === `${outTradeNo}-R2`)).to.include({ received: 2, applied: 1, refundAmount: '10.00' });
  });

  it('refund - without out_request_no only the whole amount; an unpaid trade is ACQ.TRADE_STATUS_ERROR; an unknown one ACQ.TRADE_NOT_EXIST; a bad amount ACQ.INVALID_PARAMETER', async () => {
    const paid = await paidTrade('9.99');
    expect((await refund(paid.outTradeNo, '5.00')).body).to.include({ code: '40004', sub_code: 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL' });
    expect((await refund(paid.outTradeNo, '9.99')).body).to.include({ code: '10000', fund_change: 'Y', refund_fee: '9.99' });
    const waiting = await createTrade('9.99');
    expect((await refund(waiting.outTradeNo, '1.00', 'R1')).body).to.include({ code: '40004', sub_code: 'ACQ.TRADE_STATUS_ERROR' });
    expect((await refund('NO-SUCH-TRADE', '1.00', 'R1')).body).to.include({ code: '40004', sub_code: 'ACQ.TRADE_NOT_EXIST' });
    for (const bad of ['0', '0.00', '-1.00', '1.001', 'abc']) {
      expect((await refund(waiting.outTradeNo, bad, 'R9')).body, bad).to.include({ code: '40004', sub_code: 'ACQ.INVALID_PARAMETER' });
    }
  });

  it('refund query - REFUND_SUCCESS with the amount for a refund made; an out_request_no never refunded is answered without refund_status nor refund_amount', async () => {
    const { outTradeNo, tradeNo } = await paidTrade('20.00');
    await refund(outTradeNo, '5.50', `${outTradeNo}-R1`);
    const found = await alipay.call('alipay.trade.fastpay.refund.query', { bizContent: { out_trade_no: outTradeNo, out_request_no: `${outTradeNo}-R1` } });
    expect(found.body).to.include({ code: '10000', trade_no: tradeNo, out_trade_no: outTradeNo, out_request_no: `${outTradeNo}-R1`, refund_amount: '5.50', total_amount: '20.00', refund_status: 'REFUND_SUCCESS' });
    const none = await alipay.call('alipay.trade.fastpay.refund.query', { bizContent: { trade_no: tradeNo, out_request_no: `${outTradeNo}-R9` } });
    expect(none.body).to.include({ code: '10000', trade_no: tradeNo });
    expect(none.body).to.not.have.any.keys('refund_status', 'refund_amount');
    const unknown = await alipay.call('alipay.trade.fastpay.refund.query', { bizContent: { out_trade_no: 'NO-SUCH-TRADE', out_request_no: 'R1' } });
    expect(unknown.body).to.include({ code: '40004', sub_code: 'ACQ.TRADE_NOT_EXIST' });
  });

  it('notification - a paid trade can be notified as TRADE_FINISHED or TRADE_CLOSED (with gmt_close and refund_fee), signed with the simulator key', async () => {
    const { outTradeNo, tradeNo } = await paidTrade('30.00');
    await refund(outTradeNo, '10.00', `${outTradeNo}-R1`);
    for (const tradeStatus of ['TRADE_FINISHED', 'TRADE_CLOSED']) {
      const fields = sim.notification({ out_trade_no: outTradeNo, trade_status: tradeStatus });
      expect(fields).to.include({ notify_type: 'trade_status_sync', trade_no: tradeNo, trade_status: tradeStatus, total_amount: '30.00', refund_fee: '10.00', sign_type: 'RSA2' });
      expect(fields.gmt_close).to.match(CHINA_TIME);
      expect(verifyParams(fields, sim.alipayPublicKeyPem, NOTIFY_OMIT)).to.equal(true);
    }
    // the trade itself is unchanged by building notifications, and payTrade still notifies TRADE_SUCCESS
    expect(sim.trades().find((t) => t.outTradeNo === outTradeNo)!.status).to.equal('TRADE_SUCCESS');
    const sent = await sink.waitFor((f) => f.out_trade_no === outTradeNo);
    expect(sent).to.include({ trade_status: 'TRADE_SUCCESS' });
    expect(sent).to.not.have.any.keys('gmt_close', 'refund_fee');
  });

  it('finish - finishTrade ends the refund period: TRADE_FINISHED notified (with gmt_close), refunds are then ACQ.TRADE_HAS_FINISHED; only a paid trade finishes', async () => {
    const { outTradeNo, tradeNo } = await paidTrade('15.00');
    const delivery = sim.finishTrade(outTradeNo)!;
    expect((await delivery.done).acknowledged).to.equal(true);
    expect(delivery.fields).to.include({ out_trade_no: outTradeNo, trade_no: tradeNo, trade_status: 'TRADE_FINISHED' });
    expect(delivery.fields.gmt_close).to.match(CHINA_TIME);
    expect(verifyParams({ ...delivery.fields }, sim.alipayPublicKeyPem, NOTIFY_OMIT)).to.equal(true);
    expect(await status(outTradeNo)).to.equal('TRADE_FINISHED');
    expect((await refund(outTradeNo, '1.00', `${outTradeNo}-R1`)).body).to.include({ code: '40004', sub_code: 'ACQ.TRADE_HAS_FINISHED' });
    const waiting = await createTrade('1.00');
    expect(() => sim.finishTrade(waiting.outTradeNo)).to.throw(/only a paid trade/);
    expect(sim.finishTrade((await paidTrade('2.00')).outTradeNo, { notify: false })).to.equal(null);
  });

  it('faults - failNext answers ACQ.SYSTEM_ERROR (retryable) without refunding; the retry with the same out_request_no refunds once', async () => {
    const { outTradeNo } = await paidTrade('10.00');
    sim.failNext('alipay.trade.refund', { subCode: 'ACQ.SYSTEM_ERROR' });
    const failed = await refund(outTradeNo, '10.00', `${outTradeNo}-R1`);
    expect(failed.body).to.include({ code: '40004', sub_code: 'ACQ.SYSTEM_ERROR', sub_msg: '系统错误' });
    let err: GridbusError | null = null;
    try {
      requireSuccess('alipay.trade.refund', failed);
    } catch (e) {
      err = e as GridbusError;
    }
    expect(err!.data).to.include({ subCode: 'ACQ.SYSTEM_ERROR', retryable: true });
    expect(sim.refunds().find((r) => r.outRequestNo === `${outTradeNo}-R1`)).to.equal(undefined);
    expect(sim.calls().at(-1)).to.include({ method: 'alipay.trade.refund', signatureValid: true, injected: true, subCode: 'ACQ.SYSTEM_ERROR' });
    const retried = await refund(outTradeNo, '10.00', `${outTradeNo}-R1`);
    expect(retried.body).to.include({ code: '10000', fund_change: 'Y', refund_fee: '10.00' });
    expect(sim.calls().at(-1)!.injected).to.equal(false);
  });

  it('faults - an applied failure refunds but answers ACQ.SYSTEM_ERROR; the retry answers the same refund (fund_change N), never a second one', async () => {
    const { outTradeNo } = await paidTrade('10.00');
    sim.failNext('alipay.trade.refund', { subCode: 'ACQ.SYSTEM_ERROR', applied: true });
    expect((await refund(outTradeNo, '4.00', `${outTradeNo}-R1`)).body).to.include({ sub_code: 'ACQ.SYSTEM_ERROR' });
    expect(sim.refunds().find((r) => r.outRequestNo === `${outTradeNo}-R1`)).to.include({ received: 1, applied: 1 });
    expect((await refund(outTradeNo, '4.00', `${outTradeNo}-R1`)).body).to.include({ code: '10000', fund_change: 'N', refund_fee: '4.00' });
    expect(sim.trades().find((t) => t.outTradeNo === outTradeNo)!.refundedFen).to.equal(400);
  });

  it('faults - a delayed method does the work and answers late: the caller times out (BACKEND_TIMEOUT), the refund query finds the refund', async () => {
    const { outTradeNo } = await paidTrade('10.00');
    const impatient = new AlipayAdapter({ gatewayUrl: sim.gatewayUrl, appId: sim.appId, appPrivateKey: app.privatePem, alipayPublicKey: sim.alipayPublicKeyPem, timeoutMs: 300 });
    sim.delayMethod('alipay.trade.refund', 1500);
    const started = Date.now();
    let err: GridbusError | null = null;
    try {
      await impatient.call('alipay.trade.refund', { bizContent: { out_trade_no: outTradeNo, refund_amount: '3.00', out_request_no: `${outTradeNo}-R1` } });
    } catch (e) {
      err = e as GridbusError;
    }
    expect(err).to.be.instanceOf(GridbusError);
    expect(err!.type).to.equal('BACKEND_TIMEOUT');
    expect(Date.now() - started).to.be.below(1400);
    // other methods are not delayed
    const found = await alipay.call('alipay.trade.fastpay.refund.query', { bizContent: { out_trade_no: outTradeNo, out_request_no: `${outTradeNo}-R1` } });
    expect(found.body).to.include({ refund_status: 'REFUND_SUCCESS', refund_amount: '3.00' });
    sim.delayMethod('alipay.trade.refund', null);
    const quick = Date.now();
    expect((await refund(outTradeNo, '3.00', `${outTradeNo}-R1`)).body).to.include({ fund_change: 'N' });
    expect(Date.now() - quick).to.be.below(1000);
  });

  it('faults - times: the next calls fail, then the method answers normally; isp.* sub codes come with code 20000', async () => {
    const waiting = await createTrade('1.00');
    sim.failNext('alipay.trade.query', { subCode: 'isp.unknow-error', times: 2 });
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push((await alipay.call('alipay.trade.query', { bizContent: { out_trade_no: waiting.outTradeNo } })).body);
    expect(answers.map((a) => [a.code, a.sub_code ?? null])).to.deep.equal([
      ['20000', 'isp.unknow-error'],
      ['20000', 'isp.unknow-error'],
      ['10000', null],
    ]);
  });

  it('control - another process reads /sim/trades and /sim/refunds and injects faults and delays over HTTP', async () => {
    const { outTradeNo } = await paidTrade('6.00');
    await refund(outTradeNo, '1.00', `${outTradeNo}-R1`);
    const trades = (await (await fetch(`${sim.url}/sim/trades`)).json()) as Array<Record<string, unknown>>;
    expect(trades.find((t) => t.outTradeNo === outTradeNo)).to.include({ status: 'TRADE_SUCCESS', totalAmount: '6.00', refundedFen: 100 });
    const refunds = (await (await fetch(`${sim.url}/sim/refunds`)).json()) as Array<Record<string, unknown>>;
    expect(refunds.find((r) => r.outRequestNo === `${outTradeNo}-R1`)).to.include({ received: 1, applied: 1, refundAmount: '1.00' });

    const fault = await fetch(`${sim.url}/sim/faults`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ method: 'alipay.trade.refund', sub_code: 'ACQ.SYSTEM_ERROR' }) });
    expect(fault.status).to.equal(200);
    expect((await refund(outTradeNo, '1.00', `${outTradeNo}-R2`)).body).to.include({ sub_code: 'ACQ.SYSTEM_ERROR' });

    const delay = await fetch(`${sim.url}/sim/delays`, { method: 'POST', body: new URLSearchParams({ method: 'alipay.trade.query', ms: '400' }) });
    expect(delay.status).to.equal(200);
    const started = Date.now();
    await status(outTradeNo);
    expect(Date.now() - started).to.be.at.least(380);
    await fetch(`${sim.url}/sim/delays`, { method: 'POST', body: new URLSearchParams({ method: 'alipay.trade.query' }) });
    const bad = await fetch(`${sim.url}/sim/faults`, { method: 'POST', body: new URLSearchParams({ method: 'alipay.trade.refund' }) });
    expect(bad.status).to.equal(400);
  });
});
