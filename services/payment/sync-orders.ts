import { Context } from 'moleculer';
import { DataSource } from 'typeorm';
import type { PiiCipher } from '../../core/crypto';
import { GridbusError } from '../../core/errors';
import { lockOrder, moveOrder, OPEN_FOR_PAYMENT, OrderEvent, OrderRow, orderOf, queueWriteOff } from '../../core/payments';
import type { TradeState } from '../alipay/trade-calls';

const rowsOf = <T>(result: unknown): T[] => (Array.isArray(result) && Array.isArray(result[0]) ? (result[0] as T[]) : (result as T[]));

export interface SyncCounts {
  asked: number;
  paid: number;
  closed: number;
  stillOpen: number;
  anomalies: number;
  failed: number;
}

/**
 * One open order whose notification has not come: asks Alipay
 * (alipay.trade.query) and applies what it says; once the order has expired
 * and is still unpaid, closes it (alipay.trade.close) so the buyer can no
 * longer pay it, then marks it CLOSED. A trade paid after all is PAID and
 * written off. Never closes locally what Alipay may still take money for.
 */
export async function settleOpenOrder(ctx: Context, ds: DataSource, cipher: PiiCipher | null, order: OrderRow, counts?: SyncCounts): Promise<OrderRow> {
  const apply = (event: OrderEvent, facts: { tradeNo?: string | null; paidAt?: Date | null; detail?: Record<string, unknown> }, source: 'query' | 'close-job') =>
    ds.transaction(async (tx) => {
      const locked = (await lockOrder(tx, { id: order.id }))!;
      return (await moveOrder(tx, locked, event, source, facts, (paid) => queueWriteOff(tx, cipher, paid))).order;
    });
  if (counts) counts.asked++;
  const trade = (await ctx.call('alipay.tradeQuery', { outTradeNo: order.outTradeNo })) as TradeState;
  if (trade.found && (trade.tradeStatus === 'TRADE_SUCCESS' || trade.tradeStatus === 'TRADE_FINISHED')) {
    if (trade.totalFen !== order.amountFen) {
      // the same check as for a notification: never write off an amount the order did not ask for
      if (counts) counts.anomalies++;
      throw new GridbusError('BACKEND_BAD_RESPONSE', `alipay.trade.query says ${order.outTradeNo} was paid ${trade.totalFen} fen, the order is ${order.amountFen} fen: kept for an operator`);
    }
    if (counts) counts.paid++;
    return apply('PAID', { tradeNo: trade.tradeNo, paidAt: trade.paidAt ? new Date(trade.paidAt) : new Date(), detail: { tradeStatus: trade.tradeStatus } }, 'query');
  }
  if (trade.found && trade.tradeStatus === 'WAIT_BUYER_PAY' && order.state === 'CREATED') {
    // trade.create's answer was lost: Alipay has the trade, the buyer can pay it
    order = await apply('TRADE_CREATED', { tradeNo: trade.tradeNo }, 'query');
  }
  if (trade.found && trade.tradeStatus === 'TRADE_CLOSED') {
    if (counts) counts.closed++;
    return apply('CLOSED', { detail: { tradeStatus: 'TRADE_CLOSED' } }, 'query');
  }
  if (order.expiresAt.getTime() > Date.now()) {
    if (counts) counts.stillOpen++;
    return order;
  }
  const result = ((await ctx.call('alipay.tradeClose', { outTradeNo: order.outTradeNo })) as { result: 'closed' | 'not-exist' | 'paid' }).result;
  if (result === 'paid') return settleOpenOrder(ctx, ds, cipher, { ...order, expiresAt: new Date(Date.now() + 60_000) }, counts);
  if (counts) counts.closed++;
  return apply('CLOSED', { detail: { closedBy: result === 'closed' ? 'alipay.trade.close' : 'no trade at Alipay' } }, 'close-job');
}

/** The payments-sync job's run: every open order older than `queryAfterS`, oldest first, up to `limit`. */
export async function syncOpenOrders(ctx: Context, ds: DataSource, cipher: PiiCipher | null, queryAfterS: number, limit: number, log: { warn(m: string): void }): Promise<SyncCounts> {
  const counts: SyncCounts = { asked: 0, paid: 0, closed: 0, stillOpen: 0, anomalies: 0, failed: 0 };
  const rows = rowsOf<Record<string, unknown>>(
    await ds.query(
      `SELECT * FROM payment_orders WHERE state IN ('CREATED', 'WAIT_PAY') AND (created_at < now() - ($1::int * interval '1 second') OR expires_at <= now()) ORDER BY id LIMIT $2`,
      [queryAfterS, limit],
    ),
  );
  for (const r of rows) {
    const order = orderOf(r);
    if (!OPEN_FOR_PAYMENT.has(order.state)) continue;
    try {
      await settleOpenOrder(ctx, ds, cipher, order, counts);
    } catch (err) {
      counts.failed++;
      log.warn(`payments-sync: order ${order.id} (${order.outTradeNo}) not settled now: ${(err as Error).message}`);
    }
  }
  return counts;
}
