import { expect } from 'chai';
import { generateKeyPairSync, randomUUID } from 'crypto';
import { RunningBus, startBus } from '../../../bin/bootstrap';
import { loadConfig } from '../../../config';
import { signAccessToken } from '../../../core/auth';
import { ALIPAY_USERS, BALANCE_SHORT_USER_ID } from '../../../simulators/alipay/dataset';
import { AlipaySimulator, startAlipaySimulator } from '../../../simulators/alipay/server';
import { CLOSED_CONS_NO, HOUSEHOLDS, totalFen } from '../../../simulators/marketing/dataset';
import * as path from 'path';
import { MarketingSimulator, startMarketingSimulator } from '../../../simulators/marketing/server';
import { startMarketingBSimulator } from '../../../simulators/marketing-b/server';
import { bindAccounts, TEST_PII_ENV } from '../../helpers/binding';
import { createFreshDatabase, query } from '../../helpers/db';
import { TEST_JWT_ENV } from '../../helpers/env';
import { eventually, http } from '../../helpers/http';
import { operatorToken } from '../../helpers/operators';

type Db = { url: string; drop(): Promise<void> };
type Json = Record<string, unknown>;

const ROOT = path.resolve(__dirname, '../../..');
/** The same path against both marketing dialects: A (flat, fen) and YX (nested, yuan, other codes), only the mapping set differs. */
const DIALECTS: Array<{ name: string; start: () => Promise<Pick<MarketingSimulator, 'wsdlUrl' | 'writeOffs' | 'reversals' | 'setWriteOffDelayMs' | 'close'>>; mappingsDir: string }> = [
  { name: 'marketing system A', start: () => startMarketingSimulator(), mappingsDir: path.join(ROOT, 'mappings') },
  { name: 'marketing system YX', start: () => startMarketingBSimulator(), mappingsDir: path.join(ROOT, 'examples/mappings/marketing-b') },
];

/**
 * The money path end to end: the gateway, the payment, alipay, outbox and
 * marketing services in one bus, against the Alipay simulator (RSA2 both
 * ways) and the marketing simulator, which counts every write-off per serial.
 */
for (const dialect of DIALECTS) describe(`e2e - the money path against ${dialect.name}: pay, notify, write off once, refund, reverse, withhold (real PostgreSQL, Alipay and marketing simulators)`, function () {
  this.timeout(60_000);
  const app = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const appPrivatePem = app.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const appPublicPem = app.publicKey.export({ type: 'spki', format: 'pem' }) as string;
  const payer = ALIPAY_USERS[0].userId;
  const other = ALIPAY_USERS[1].userId;
  // arrears in the simulator: 3301000001 329.55, 3301000002 45.44, 3301000004 319.13 yuan
  const [home, second, , fourth] = HOUSEHOLDS.map((h) => h.ConsNo);
  let alipay: AlipaySimulator;
  let marketing: Awaited<ReturnType<(typeof DIALECTS)[number]['start']>>;
  let db: Db;
  let bus: RunningBus;
  let notifyUrl: string;
  let token: string;
  let operator: string;

  const api = (path: string, init: RequestInit & { token?: string } = {}) =>
    http(`${bus.gatewayUrl}${path}`, { token, ...init, headers: { 'Content-Type': 'application/json', ...(init.headers ?? {}) } });
  const pay = (body: Json, headers: Record<string, string> = {}, as = token) => api('/api/v1/payments', { method: 'POST', body: JSON.stringify(body), headers, token: as });
  const order = async (id: string) => (await query<Json>(db.url, 'SELECT * FROM payment_orders WHERE id = $1', [id]))[0];
  const stateOf = async (id: string) => (await order(id)).state as string;
  const ledger = (serial: string) => marketing.writeOffs().find((w) => w.serial === serial);
  const notificationRow = async (notifyId: string) => (await query<Json>(db.url, 'SELECT outcome, anomaly FROM alipay_notifications WHERE notify_id = $1', [notifyId]))[0];
  const post = async (fields: Record<string, string>) => {
    const res = await fetch(notifyUrl, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
    return { status: res.status, text: await res.text() };
  };

  before(async () => {
    alipay = await startAlipaySimulator({ appPublicKey: appPublicPem, appId: '2021004200000009', notifyRetryDelaysMs: [100, 100, 100] });
    marketing = await dialect.start();
    db = await createFreshDatabase();
    bus = await startBus(
      loadConfig({
        ...TEST_JWT_ENV,
        ...TEST_PII_ENV,
        DATABASE_URL: db.url,
        SERVICES: 'gateway,billing,marketing,mapping,binding,payment,alipay,outbox,audit,auth',
        SIMULATORS: 'off',
        HTTP_PORT: '0',
        LOG_LEVEL: 'fatal',
        NODE_ID: `money-path-${process.pid}`,
        MARKETING_WSDL_URL: marketing.wsdlUrl,
        MAPPINGS_DIR: dialect.mappingsDir,
        ALIPAY_GATEWAY_URL: alipay.gatewayUrl,
        ALIPAY_APP_ID: alipay.appId,
        ALIPAY_APP_PRIVATE_KEY: appPrivatePem,
        ALIPAY_PUBLIC_KEY: alipay.alipayPublicKeyPem,
        OUTBOX_POLL_MS: '100',
        OUTBOX_BACKOFF_BASE_MS: '100',
        PAYMENT_QUERY_AFTER_S: '5',
      }),
    );
    notifyUrl = `${bus.gatewayUrl}/alipay/notify`;
    alipay.setNotifyUrl(notifyUrl);
    await bindAccounts(db.url, payer, [home, second, fourth]);
    await bindAccounts(db.url, BALANCE_SHORT_USER_ID, [HOUSEHOLDS[4].ConsNo]);
    token = signAccessToken(bus.config.auth, { sub: payer });
    operator = await operatorToken(db.url, bus.gatewayUrl, 'cashier', ['operator']);
  });

  after(async () => {
    await bus?.stop();
    await alipay?.close();
    await marketing?.close();
    await db?.drop();
  });

  it('pays all arrears: one order per Idempotency-Key, the trade created for the signed-in buyer, paid, written off exactly once, arrears then 0', async () => {
    const key = randomUUID();
    const first = await pay({ accountNo: home, all: true }, { 'Idempotency-Key': key });
    expect(first.status, first.text).to.equal(200);
    expect(first.json).to.include({ accountNo: home, amountFen: totalFen(HOUSEHOLDS[0]), state: 'WAIT_PAY', reused: false });
    expect(first.json.tradeNo).to.be.a('string');
    const again = await pay({ accountNo: home, all: true }, { 'Idempotency-Key': key });
    expect(again.json).to.include({ id: first.json.id, tradeNo: first.json.tradeNo, reused: true });
    const reusedKey = await pay({ accountNo: home, amountFen: 100 }, { 'Idempotency-Key': key });
    expect(reusedKey.status).to.equal(422);
    expect(reusedKey.json.code).to.equal('IDEMPOTENCY_KEY_REUSED');
    const second = await pay({ accountNo: home, amountFen: 100 });
    expect(second.status, 'another amount while one order is open').to.equal(409);
    expect(second.json.code).to.equal('ORDER_STATE_CONFLICT');
    const trade = alipay.trades().find((t) => t.outTradeNo === first.json.outTradeNo)!;
    expect(trade).to.include({ buyerId: payer, tradeNo: first.json.tradeNo, status: 'WAIT_BUYER_PAY' });

    const delivery = alipay.payTrade(first.json.outTradeNo as string);
    expect((await delivery.done).acknowledged).to.equal(true);
    await eventually(() => stateOf(first.json.id as string), (s) => s === 'WRITTEN_OFF');
    expect(ledger(first.json.outTradeNo as string)).to.include({ accountNo: home, amountFen: totalFen(HOUSEHOLDS[0]), received: 1, applied: 1 });
    const arrears = await api(`/api/v1/accounts/${home}/arrears`);
    expect(arrears.json.totalFen).to.equal(0);
    const nothing = await pay({ accountNo: home, all: true });
    expect(nothing.status).to.equal(409);
    expect(nothing.json.code).to.equal('NOTHING_TO_PAY');

    // the same notification again, TRADE_FINISHED after it, and a TRADE_CLOSED after payment: answered, nothing moves, no second write-off
    expect(await post(delivery.fields as Record<string, string>)).to.deep.equal({ status: 200, text: 'success' });
    for (const status of ['TRADE_FINISHED', 'TRADE_CLOSED']) {
      const late = alipay.notification({ out_trade_no: first.json.outTradeNo as string, trade_status: status });
      expect(await post(late)).to.deep.equal({ status: 200, text: 'success' });
      expect((await notificationRow(late.notify_id)).outcome).to.equal('absorbed');
    }
    expect(await stateOf(first.json.id as string)).to.equal('WRITTEN_OFF');
    expect(ledger(first.json.outTradeNo as string)).to.include({ received: 1, applied: 1 });
    const events = await query<{ event: string }>(db.url, 'SELECT event FROM payment_order_events WHERE order_id = $1 ORDER BY id', [first.json.id]);
    expect(events.map((e) => e.event)).to.deep.equal(['CREATED', 'TRADE_CREATED', 'PAID', 'WRITEOFF_DONE']);
  });

  it('refuses to act on a signed notification for an unknown order or another amount: answered success, kept as an anomaly, audited, never written off', async () => {
    const open = await pay({ accountNo: second, amountFen: 1000 });
    expect(open.status, open.text).to.equal(200);
    const wrong = alipay.notification({ out_trade_no: open.json.outTradeNo as string, total_amount: '0.01', receipt_amount: '0.01' });
    expect(await post(wrong)).to.deep.equal({ status: 200, text: 'success' });
    expect(await notificationRow(wrong.notify_id)).to.deep.equal({ outcome: 'anomaly', anomaly: 'AMOUNT_MISMATCH' });
    expect(await stateOf(open.json.id as string)).to.equal('WAIT_PAY');
    const unknown = alipay.notification({ out_trade_no: `NOSUCH${Date.now()}`, total_amount: '329.55' });
    expect(await post(unknown)).to.deep.equal({ status: 200, text: 'success' });
    expect(await notificationRow(unknown.notify_id)).to.deep.equal({ outcome: 'anomaly', anomaly: 'UNKNOWN_ORDER' });
    const negative = alipay.notification({ out_trade_no: open.json.outTradeNo as string, total_amount: '-10.00' });
    expect(await post(negative)).to.deep.equal({ status: 200, text: 'success' });
    expect(await notificationRow(negative.notify_id)).to.deep.equal({ outcome: 'anomaly', anomaly: 'AMOUNT_MISMATCH' });
    const forged = { ...alipay.notification({ out_trade_no: open.json.outTradeNo as string, total_amount: '10.00' }), total_amount: '1000.00' };
    expect((await post(forged)).text).to.equal('fail');
    await eventually(
      () => query<{ n: number }>(db.url, `SELECT count(*)::int AS n FROM audit_log WHERE action = 'payment.notify.anomaly'`),
      (r) => r[0].n === 3,
    );
    for (const serial of [open.json.outTradeNo, unknown.out_trade_no]) expect(ledger(serial as string)).to.equal(undefined);
    const metrics = await http(`${bus.gatewayUrl}/metrics`);
    expect(metrics.text).to.match(/gridbus_payment_anomalies_total\{[^}]*anomaly="AMOUNT_MISMATCH"\} 2\n/);
    expect(metrics.text).to.match(/gridbus_payment_anomalies_total\{[^}]*anomaly="UNKNOWN_ORDER"\} 1\n/);
  });

  it('applies out-of-order notifications to a correct state: TRADE_FINISHED before TRADE_SUCCESS pays once, the later SUCCESS changes nothing', async () => {
    const o = (await pay({ accountNo: fourth, amountFen: 2000 })).json;
    const finished = alipay.notification({ out_trade_no: o.outTradeNo as string, trade_status: 'TRADE_FINISHED' });
    expect(await post(finished)).to.deep.equal({ status: 200, text: 'success' });
    const success = alipay.notification({ out_trade_no: o.outTradeNo as string, trade_status: 'TRADE_SUCCESS' });
    expect(await post(success)).to.deep.equal({ status: 200, text: 'success' });
    await eventually(() => stateOf(o.id as string), (s) => s === 'WRITTEN_OFF');
    expect(ledger(o.outTradeNo as string)).to.include({ amountFen: 2000, received: 1, applied: 1 });
  });

  it('shows a user only their own orders: someone else’s order answers ORDER_NOT_FOUND like one that does not exist', async () => {
    const mine = await api('/api/v1/payments');
    expect(mine.status).to.equal(200);
    const ids = (mine.json.payments as Json[]).map((p) => p.id);
    expect(ids.length).to.be.at.least(3);
    const stranger = signAccessToken(bus.config.auth, { sub: other });
    const theirs = await api(`/api/v1/payments/${ids[0]}`, { token: stranger });
    const none = await api('/api/v1/payments/999999', { token: stranger });
    expect([theirs.status, theirs.json.code]).to.deep.equal([404, 'ORDER_NOT_FOUND']);
    expect(none.json.message).to.equal(`No payment order 999999`);
    expect((await api('/api/v1/payments', { token: stranger })).json.payments).to.deep.equal([]);
    const paying = await pay({ accountNo: home, amountFen: 1 }, {}, stranger);
    expect([paying.status, paying.json.code]).to.deep.equal([404, 'ACCOUNT_NOT_FOUND']);
  });

  it('refunds from the admin API with a reason: partial then full, idempotent per request, the marketing write-off reversed through the outbox', async () => {
    const o = (await pay({ accountNo: fourth, amountFen: 3000 })).json;
    await (alipay.payTrade(o.outTradeNo as string).done);
    await eventually(() => stateOf(o.id as string), (s) => s === 'WRITTEN_OFF');
    const refund = (body: Json) => api(`/admin/api/payments/${o.id}/refunds`, { method: 'POST', token: operator, body: JSON.stringify(body) });
    const part = await refund({ amountFen: 1000, reason: 'household paid twice', requestNo: 'r1' });
    expect(part.status, part.text).to.equal(200);
    expect(part.json.refund).to.include({ amountFen: 1000, state: 'REFUNDED', reversal: true });
    const repeat = await refund({ amountFen: 1000, reason: 'household paid twice', requestNo: 'r1' });
    expect(repeat.json.refund).to.include({ outRequestNo: part.json.refund.outRequestNo, state: 'REFUNDED' });
    expect(alipay.refunds().filter((r) => r.outTradeNo === o.outTradeNo).map((r) => r.applied)).to.deep.equal([1]);
    const over = await refund({ amountFen: 2001, reason: 'too much', requestNo: 'r2' });
    expect([over.status, over.json.code]).to.deep.equal([422, 'REFUND_EXCEEDS_PAID']);
    const rest = await refund({ amountFen: 2000, reason: 'account closed by the household', requestNo: 'r3' });
    expect(rest.json.order).to.include({ state: 'REFUNDED', refundedFen: 3000 });
    await eventually(async () => marketing.reversals().filter((r) => r.originalSerial === o.outTradeNo), (r) => r.length === 2 && r.every((x) => x.applied === 1));
    expect(ledger(o.outTradeNo as string)).to.include({ applied: 1, reversedFen: 3000 });
    const unpaid = (await pay({ accountNo: second, amountFen: 1000 })).json;
    const early = await api(`/admin/api/payments/${unpaid.id}/refunds`, { method: 'POST', token: operator, body: JSON.stringify({ amountFen: 100, reason: 'not paid yet' }) });
    expect([early.status, early.json.code]).to.deep.equal([409, 'ORDER_STATE_CONFLICT']);
    const byUser = await api(`/admin/api/payments/${o.id}/refunds`, { method: 'POST', body: JSON.stringify({ amountFen: 1, reason: 'self-service' }) });
    expect(byUser.status).to.be.oneOf([401, 403]);
    const audit = await query<{ outcome: string }>(db.url, `SELECT outcome FROM audit_log WHERE action = 'payment.refund' AND actor = 'cashier' ORDER BY id`);
    expect(audit.map((a) => a.outcome)).to.include.members(['success', 'failure']);
    const view = await api(`/admin/api/payments/${o.id}`, { token: operator });
    expect((view.json.outbox as Json[]).map((r) => [r.operation, r.status])).to.deep.equal([
      ['marketing.writeOff', 'delivered'],
      ['marketing.reverseWriteOff', 'delivered'],
      ['marketing.reverseWriteOff', 'delivered'],
    ]);
  });

  it('parks a write-off the marketing system refuses (account closed): PARKED with the reason, refunded whole only, its write-off then given up, no reversal', async () => {
    await bindAccounts(db.url, payer, [CLOSED_CONS_NO]);
    const o = (await pay({ accountNo: CLOSED_CONS_NO, all: true })).json;
    expect(o.state, JSON.stringify(o)).to.equal('WAIT_PAY');
    await alipay.payTrade(o.outTradeNo as string).done;
    await eventually(() => stateOf(o.id as string), (s) => s === 'PARKED');
    expect((await order(o.id as string)).last_error).to.match(/ACCOUNT_CLOSED/);
    expect(ledger(o.outTradeNo as string)).to.include({ applied: 0 });
    const refund = (body: Json) => api(`/admin/api/payments/${o.id}/refunds`, { method: 'POST', token: operator, body: JSON.stringify(body) });
    const part = await refund({ amountFen: 1, reason: 'part of a parked payment', requestNo: 'p1' });
    expect([part.status, part.json.code]).to.deep.equal([409, 'ORDER_STATE_CONFLICT']);
    const whole = await refund({ amountFen: o.amountFen, reason: 'account closed: money back to the household', requestNo: 'p2' });
    expect(whole.status, whole.text).to.equal(200);
    expect(whole.json.refund).to.include({ state: 'REFUNDED', reversal: false });
    expect(whole.json.order).to.include({ state: 'REFUNDED' });
    const rows = await query<{ status: string }>(db.url, 'SELECT status FROM outbox WHERE serial = $1', [o.outTradeNo]);
    expect(rows).to.deep.equal([{ status: 'discarded' }]);
    expect(marketing.reversals().filter((r) => r.originalSerial === o.outTradeNo)).to.deep.equal([]);
  });

  it('refuses to refund a PARKED payment whole when marketing.queryPayment finds its write-off posted after all: no refund, told to replay', async () => {
    const o = (await pay({ accountNo: fourth, amountFen: 300 })).json;
    await alipay.payTrade(o.outTradeNo as string).done;
    await eventually(() => stateOf(o.id as string), (s) => s === 'WRITTEN_OFF');
    // the books disagree as they did before the in-doubt fix: the bus holds it PARKED, the marketing system posted it
    await query(db.url, `UPDATE payment_orders SET state = 'PARKED' WHERE id = $1`, [o.id]);
    const res = await api(`/admin/api/payments/${o.id}/refunds`, { method: 'POST', token: operator, body: JSON.stringify({ amountFen: 300, reason: 'household asked', requestNo: 'w1' }) });
    expect([res.status, res.json.code], res.text).to.deep.equal([409, 'ORDER_STATE_CONFLICT']);
    expect(res.json.message).to.match(/holds its write-off .* after all: replay that outbox row/);
    expect(await query(db.url, 'SELECT 1 FROM payment_refunds WHERE order_id = $1', [o.id])).to.deep.equal([]);
    expect(await stateOf(o.id as string)).to.equal('PARKED');
  });

  it('settles a write-off whose answer was lost by asking marketing.queryPayment: SUSPECT then WRITTEN_OFF, applied once, never sent twice', async () => {
    const o = (await pay({ accountNo: fourth, amountFen: 500 })).json;
    marketing.setWriteOffDelayMs(6000, 'after');
    try {
      await (alipay.payTrade(o.outTradeNo as string).done);
      await eventually(() => stateOf(o.id as string), (s) => s === 'WRITTEN_OFF', 30_000);
    } finally {
      marketing.setWriteOffDelayMs(0);
    }
    expect(ledger(o.outTradeNo as string)).to.include({ received: 1, applied: 1 });
    const events = await query<{ event: string }>(db.url, 'SELECT event FROM payment_order_events WHERE order_id = $1 ORDER BY id', [o.id]);
    expect(events.map((e) => e.event)).to.deep.equal(['CREATED', 'TRADE_CREATED', 'PAID', 'WRITEOFF_UNKNOWN', 'WRITEOFF_DONE']);
    const moves = await query<{ to_state: string }>(db.url, 'SELECT to_state FROM payment_order_events WHERE order_id = $1 ORDER BY id', [o.id]);
    expect(moves.map((m) => m.to_state).slice(-2)).to.deep.equal(['SUSPECT', 'WRITTEN_OFF']);
  });

  it('payments-sync asks Alipay about an order whose notification never came (paid: written off) and closes an expired unpaid one', async () => {
    const paidQuietly = (await query<Json>(db.url, `SELECT * FROM payment_orders WHERE account_no = $1 AND state = 'WAIT_PAY'`, [second]))[0];
    expect(paidQuietly, 'the open order of the anomaly case').to.not.equal(undefined);
    alipay.payTrade(paidQuietly.out_trade_no as string, { notifyUrl: 'http://127.0.0.1:9/nowhere' });
    await query(db.url, `UPDATE payment_orders SET created_at = now() - interval '1 hour' WHERE id = $1`, [paidQuietly.id]);
    const counts = (await bus.broker.call('payment.sync', {})) as Json;
    expect(counts).to.include({ paid: 1 });
    await eventually(() => stateOf(String(paidQuietly.id)), (s) => s === 'WRITTEN_OFF');
    expect(ledger(paidQuietly.out_trade_no as string)).to.include({ applied: 1, amountFen: 1000 });

    const stale = (await pay({ accountNo: fourth, amountFen: 700 })).json;
    await query(db.url, `UPDATE payment_orders SET expires_at = now() - interval '1 minute', created_at = now() - interval '1 hour' WHERE id = $1`, [stale.id]);
    await bus.broker.call('payment.sync', {});
    expect(await stateOf(stale.id as string)).to.equal('CLOSED');
    expect(alipay.trades().find((t) => t.outTradeNo === stale.outTradeNo)!.status).to.equal('TRADE_CLOSED');
    expect(ledger(stale.outTradeNo as string)).to.equal(undefined);
  });

  it('withholds by agreement once per bill: signed through dut_user_sign, paid and written off, a second run pays nothing; a short balance leaves a notice', async () => {
    const account = HOUSEHOLDS[1].ConsNo;
    const started = await api('/api/v1/agreements', { method: 'POST', body: JSON.stringify({ accountNo: account }) });
    expect(started.status, started.text).to.equal(200);
    const signed = alipay.signAgreement(payer, started.json.externalAgreementNo as string, notifyUrl);
    expect((await signed.delivery!.done).acknowledged).to.equal(true);
    const agreements = await api('/api/v1/agreements');
    expect((agreements.json.agreements as Json[])[0]).to.include({ accountNo: account, status: 'NORMAL', agreementNo: signed.agreement.agreementNo });

    const shortUser = signAccessToken(bus.config.auth, { sub: BALANCE_SHORT_USER_ID });
    const shortStart = await api('/api/v1/agreements', { method: 'POST', token: shortUser, body: JSON.stringify({ accountNo: HOUSEHOLDS[4].ConsNo }) });
    await alipay.signAgreement(BALANCE_SHORT_USER_ID, shortStart.json.externalAgreementNo as string, notifyUrl).delivery!.done;

    const owed = (await api(`/api/v1/accounts/${account}/arrears`)).json.totalFen as number;
    expect(owed).to.be.greaterThan(0);
    const first = (await bus.broker.call('payment.withhold', {})) as Json;
    expect(first).to.include({ paid: 1, failed: 1 });
    const withheld = (await query<Json>(db.url, `SELECT * FROM payment_orders WHERE kind = 'WITHHOLD' AND account_no = $1`, [account]))[0];
    await eventually(() => stateOf(String(withheld.id)), (s) => s === 'WRITTEN_OFF');
    expect(ledger(withheld.out_trade_no as string)).to.include({ applied: 1, amountFen: owed });
    const again = (await bus.broker.call('payment.withhold', {})) as Json;
    expect(again).to.include({ paid: 0 });
    expect(alipay.trades().filter((t) => t.outTradeNo === withheld.out_trade_no)).to.have.length(1);
    const notices = await query<Json>(db.url, `SELECT kind, reason FROM payment_notices WHERE user_id = $1`, [BALANCE_SHORT_USER_ID]);
    expect(notices).to.deep.equal([{ kind: 'WITHHOLD_FAILED', reason: 'ACQ.BUYER_BALANCE_NOT_ENOUGH' }]);

    const ended = alipay.unsignAgreement(signed.agreement.agreementNo);
    await ended.delivery!.done;
    expect(((await api('/api/v1/agreements')).json.agreements as Json[])[0]).to.include({ status: 'UNSIGN' });
  });
});
