import { expect } from 'chai';
import { HOUSEHOLDS } from '../../../simulators/marketing/dataset';
import { query } from '../../helpers/db';
import { eventually } from '../../helpers/http';
import * as path from 'path';
import { mappingsWithTimeout } from '../../helpers/mapping-copy';
import { MoneyPathCluster, PaidOrder } from '../../helpers/payments';

/** A copy of the shipped mapping set whose write-off waits `ms` for its answer. */
const mappingsWithWriteOffTimeout = (ms: number) => mappingsWithTimeout(path.resolve(__dirname, '../../../mappings'), 'marketing.writeOff', ms);

/** The households with arrears: one open order per account, so one order each, delivered in parallel. */
const ACCOUNTS = ['3301000001', '3301000002', '3301000004', '3301000005'];
const AMOUNT_FEN = 1234;

/**
 * The money path across kill -9, as separate OS processes over real NATS and
 * PostgreSQL: node A (gateway, payment, alipay) takes the orders and answers
 * Alipay's notifications; node B (outbox, marketing, mapping) writes the paid
 * orders off. Whatever is killed when, after a restart every paid order was
 * written off exactly once at the marketing simulator (received once, applied
 * once: a resend would count) and no serial without a paid order.
 */
describe('cluster - the money path across kill -9 of the payment and write-off nodes', function () {
  this.timeout(120000);
  let cluster: MoneyPathCluster;

  before(() => {
    expect(HOUSEHOLDS.filter((h) => ACCOUNTS.includes(h.ConsNo)).every((h) => h.arrears.length > 0)).to.equal(true);
  });

  afterEach(async () => {
    await cluster?.close();
  });

  it('write-off node killed between notification and write-off: the notifications are answered and stored, the restarted node writes every paid order off once', async () => {
    cluster = await MoneyPathCluster.start({ notifyRetryDelaysMs: [200, 200, 200] });
    await cluster.startPaymentNode(ACCOUNTS);
    const b = await cluster.startWriteOffNode();
    const orders = await cluster.createOrders(ACCOUNTS, AMOUNT_FEN);
    await b.stop('SIGKILL');

    // Alipay notifies while no node can write off: A answers success at once, the order is PAID with its write-off queued
    const outcomes = await Promise.all(orders.map((o) => cluster.alipay.payTrade(o.outTradeNo).done));
    for (const outcome of outcomes) expect(outcome).to.include({ acknowledged: true });
    expect((await cluster.orderStates(orders)).map((o) => o.state)).to.deep.equal(orders.map(() => 'PAID'));
    expect((await cluster.writeOffRows()).map((r) => r.status)).to.deep.equal(orders.map(() => 'pending'));
    expect(cluster.marketing.writeOffs(), 'nothing written off while B is down').to.deep.equal([]);

    await cluster.startWriteOffNode();
    await cluster.untilAll(orders, 'WRITTEN_OFF');
    await cluster.expectWrittenOffExactlyOnce(orders);
  });

  it('write-off node killed with the write-offs in flight (applied, replies held): the restarted node settles each by marketing.queryPayment, never a second write-off', async () => {
    cluster = await MoneyPathCluster.start({ notifyRetryDelaysMs: [200, 200, 200] });
    await cluster.startPaymentNode(ACCOUNTS);
    // the write-off waits 20 s for its answer here (4.5 s in the shipped mapping), so the kill below
    // lands mid-call however loaded the machine is; a claim's lease is then 20 + 5 s
    const slowAnswer = { MAPPINGS_DIR: mappingsWithWriteOffTimeout(20000), REQUEST_TIMEOUT_MS: '20000' };
    const b = await cluster.startWriteOffNode({ env: slowAnswer });
    const orders = await cluster.createOrders(ACCOUNTS, AMOUNT_FEN);
    // paid while B is away, so that its next start claims every write-off in one round
    await b.stop('SIGKILL');
    await Promise.all(orders.map((o) => cluster.alipay.payTrade(o.outTradeNo).done));

    // the marketing system applies each write-off and holds its reply for a minute
    cluster.marketing.setWriteOffDelayMs(60000, 'after');
    // polled from its spawn: it claims and sends them before it even prints that it runs
    const inFlight = await cluster.startWriteOffNode({ wait: false, env: slowAnswer });
    await eventually(async () => cluster.marketing.writeOffs(), (w) => w.length === orders.length && w.every((x) => x.applied === 1), 30000);
    await inFlight.stop('SIGKILL');
    // the kill came mid-call: claimed, applied at the marketing system, and the bus never heard back
    expect((await cluster.writeOffRows()).map((r) => [r.status, r.attempts]), `claims left by the killed node; its output:\n${inFlight.output.slice(-3000)}`).to.deep.equal(orders.map(() => ['delivering', 1]));
    expect((await cluster.orderStates(orders)).map((o) => o.state)).to.deep.equal(orders.map(() => 'PAID'));

    cluster.marketing.setWriteOffDelayMs(0);
    await cluster.startWriteOffNode({ env: slowAnswer });
    // the claims' leases expire; the new node finds them outcome-unknown, asks queryPayment: applied
    await cluster.untilAll(orders, 'WRITTEN_OFF');
    await cluster.expectWrittenOffExactlyOnce(orders);
    expect((await cluster.writeOffRows()).map((r) => r.attempts), 'claimed twice, sent once').to.deep.equal(orders.map(() => 2));
  });

  it('payment node killed while the notifications arrive: Alipay keeps retrying until the restarted node answers success, every paid order written off once', async () => {
    // Alipay retries every 300 ms for up to a minute
    cluster = await MoneyPathCluster.start({ notifyRetryDelaysMs: Array.from({ length: 200 }, () => 300) });
    const a = await cluster.startPaymentNode(ACCOUNTS);
    await cluster.startWriteOffNode();
    const orders = await cluster.createOrders(ACCOUNTS, AMOUNT_FEN);

    // the first buyer's notification is answered; the others are sent as A is killed: in flight or refused
    const first = cluster.alipay.payTrade(orders[0].outTradeNo);
    expect(await first.done).to.include({ acknowledged: true });
    const rest = orders.slice(1).map((o) => cluster.alipay.payTrade(o.outTradeNo));
    await a.stop('SIGKILL');
    const deliveries = [first, ...rest];
    // unanswered by the dead node: Alipay retries them
    await eventually(async () => rest.filter((d) => d.attempts.some((x) => x.error !== null || (x.status !== null && x.body !== 'success'))).length, (n) => n === rest.length, 30000);

    await cluster.startPaymentNode();
    const outcomes = await Promise.all(deliveries.map((d) => d.done));
    for (const outcome of outcomes) expect(outcome).to.include({ acknowledged: true });
    await cluster.untilAll(orders, 'WRITTEN_OFF');
    await cluster.expectWrittenOffExactlyOnce(orders);
    await expectOneNotificationApplied(cluster, orders);
  });
});

/** Every order moved to PAID by exactly one notification, however often Alipay sent it. */
async function expectOneNotificationApplied(cluster: MoneyPathCluster, orders: readonly PaidOrder[]): Promise<void> {
  const paid = await query<{ order_id: string; n: number }>(
    cluster.db.url,
    `SELECT order_id::text AS order_id, count(*)::int AS n FROM payment_order_events WHERE event = 'PAID' AND order_id = ANY($1::bigint[]) GROUP BY order_id ORDER BY order_id`,
    [orders.map((o) => o.id)],
  );
  expect(paid.map((p) => p.n)).to.deep.equal(orders.map(() => 1));
}
