import { Context } from 'moleculer';
import { DataSource } from 'typeorm';
import type { PiiCipher } from '../../core/crypto';
import { GridbusError } from '../../core/errors';
import { lockOrder, moveOrder, OrderRow, PAYMENT_QUERY_OPERATION, queueReversal } from '../../core/payments';

export interface RefundParams {
  id: string;
  amountFen: number;
  reason: string;
  requestNo?: string;
}

export interface RefundView {
  outRequestNo: string;
  amountFen: number;
  state: 'REQUESTED' | 'REFUNDED' | 'FAILED';
  reversal: boolean;
  lastError: string | null;
}

const rowsOf = <T>(result: unknown): T[] => (Array.isArray(result) && Array.isArray(result[0]) ? (result[0] as T[]) : (result as T[]));
/** Only money that reached the marketing system's books or was parked can be given back; a write-off in flight settles first. */
const REFUNDABLE = new Set(['WRITTEN_OFF', 'PARKED']);

function view(r: Record<string, unknown>): RefundView {
  return { outRequestNo: r.out_request_no as string, amountFen: Number(r.amount_fen), state: r.state as RefundView['state'], reversal: r.reversal as boolean, lastError: (r.last_error as string | null) ?? null };
}

/**
 * A PARKED payment is refunded whole with no reversal because its write-off
 * was refused, never posted. The marketing system is asked first all the same:
 * a payment it holds after all is refused here (replay the write-off, it
 * settles as written off, then refund with a reversal), and so is a refund
 * while it cannot answer. Only the marketing system knows; the bus does not
 * guess.
 */
async function refuseIfParkedWasPosted(ctx: Context<RefundParams>, ds: DataSource, id: string): Promise<boolean> {
  const order = (await ds.query(`SELECT out_trade_no, state FROM payment_orders WHERE id = $1`, [id]))[0] as { out_trade_no: string; state: string } | undefined;
  if (order?.state !== 'PARKED') return false;
  let answer: { found?: unknown };
  try {
    answer = (await ctx.call(PAYMENT_QUERY_OPERATION, { serial: order.out_trade_no })) as { found?: unknown };
  } catch (err) {
    const e = err as GridbusError;
    throw new GridbusError('BACKEND_UNAVAILABLE', `Order ${id} is PARKED and the marketing system could not say whether it holds write-off ${order.out_trade_no} (${e.type ?? e.name}: ${e.message}): try the refund again later`, {
      details: { state: 'PARKED', serial: order.out_trade_no },
    });
  }
  if (answer?.found === true) {
    throw new GridbusError('ORDER_STATE_CONFLICT', `Order ${id} is PARKED but the marketing system holds its write-off ${order.out_trade_no} after all: replay that outbox row (it settles as written off), then refund with a reversal`, {
      details: { state: 'PARKED', serial: order.out_trade_no, posted: true },
    });
  }
  if (answer?.found !== false) throw new GridbusError('BACKEND_UNAVAILABLE', `Order ${id} is PARKED and ${PAYMENT_QUERY_OPERATION} answered no found flag: try the refund again later`);
  return true;
}

/**
 * An operator's refund (audited by the caller). The request is recorded
 * first under its out_request_no (Alipay's idempotency key: the same request
 * again refunds nothing more), then Alipay refunds; once it has, a written-off
 * payment's reversal is queued to the marketing system in the same
 * transaction that records the refund. An unknown outcome stays REQUESTED:
 * the same request again settles it.
 */
export async function refundOrder(ctx: Context<RefundParams>, ds: DataSource, cipher: PiiCipher | null, operator: string): Promise<{ order: OrderRow; refund: RefundView }> {
  const p = ctx.params;
  const outRequestNo = `R${p.id}-${p.requestNo ?? String(Date.now())}`.slice(0, 64);
  const parkedChecked = await refuseIfParkedWasPosted(ctx, ds, p.id);
  const recorded = await ds.transaction(async (tx) => {
    const order = await lockOrder(tx, { id: p.id });
    if (!order) throw new GridbusError('ORDER_NOT_FOUND', `No payment order ${p.id}`);
    const existing = rowsOf<Record<string, unknown>>(await tx.query(`SELECT * FROM payment_refunds WHERE out_request_no = $1`, [outRequestNo]))[0];
    if (existing) {
      if (Number(existing.amount_fen) !== p.amountFen) throw new GridbusError('IDEMPOTENCY_KEY_REUSED', `Refund request ${p.requestNo} was made for ${existing.amount_fen} fen, not ${p.amountFen}`);
      return { order, refund: view(existing) };
    }
    if (!REFUNDABLE.has(order.state)) {
      throw new GridbusError('ORDER_STATE_CONFLICT', `Order ${p.id} is ${order.state}: only a written-off or parked payment can be refunded`, { details: { state: order.state } });
    }
    const open = rowsOf<{ fen: string }>(await tx.query(`SELECT COALESCE(sum(amount_fen), 0) AS fen FROM payment_refunds WHERE order_id = $1 AND state <> 'FAILED'`, [order.id]))[0];
    const left = order.amountFen - Number(open.fen);
    if (p.amountFen > left) throw new GridbusError('REFUND_EXCEEDS_PAID', `Order ${p.id} has ${left} fen left to refund, not ${p.amountFen}`, { details: { leftFen: left } });
    // a parked payment was never posted: it goes back whole, and its write-off is then given up
    if (order.state === 'PARKED' && !parkedChecked) {
      throw new GridbusError('ORDER_STATE_CONFLICT', `Order ${p.id} became PARKED while the refund was being prepared: try it again`, { details: { state: order.state } });
    }
    if (order.state === 'PARKED' && p.amountFen !== left) {
      throw new GridbusError('ORDER_STATE_CONFLICT', `Order ${p.id} is PARKED (never written off): refund the whole ${left} fen, or replay its write-off first`, { details: { state: order.state, leftFen: left } });
    }
    const rows = rowsOf<Record<string, unknown>>(
      await tx.query(
        `INSERT INTO payment_refunds (order_id, out_request_no, amount_fen, reason, operator, state, reversal) VALUES ($1, $2, $3, $4, $5, 'REQUESTED', $6) RETURNING *`,
        [order.id, outRequestNo, p.amountFen, p.reason, operator, order.state === 'WRITTEN_OFF'],
      ),
    );
    return { order, refund: view(rows[0]) };
  });
  if (recorded.refund.state !== 'REQUESTED') return recorded;

  try {
    await ctx.call('alipay.tradeRefund', { outTradeNo: recorded.order.outTradeNo, amountFen: p.amountFen, outRequestNo, reason: p.reason.slice(0, 256) });
  } catch (err) {
    if ((err as GridbusError).type === 'PAYMENT_REFUSED') {
      await ds.query(`UPDATE payment_refunds SET state = 'FAILED', last_error = $2, updated_at = now() WHERE out_request_no = $1`, [outRequestNo, (err as Error).message]);
    }
    throw err;
  }
  return ds.transaction(async (tx) => {
    const order = (await lockOrder(tx, { id: p.id }))!;
    const rows = rowsOf<Record<string, unknown>>(
      await tx.query(`UPDATE payment_refunds SET state = 'REFUNDED', updated_at = now() WHERE out_request_no = $1 AND state = 'REQUESTED' RETURNING *`, [outRequestNo]),
    );
    if (!rows.length) return { order, refund: view(rowsOf<Record<string, unknown>>(await tx.query(`SELECT * FROM payment_refunds WHERE out_request_no = $1`, [outRequestNo]))[0]) };
    const refund = view(rows[0]);
    if (refund.reversal) await queueReversal(tx, cipher, order, { outRequestNo, amountFen: refund.amountFen, reason: p.reason });
    else {
      // the parked write-off must never be posted now that the money went back
      await tx.query(`UPDATE outbox SET status = 'discarded', discard_reason = $2, updated_at = now() WHERE serial = $1 AND status IN ('dead', 'unknown')`, [
        order.outTradeNo,
        `refunded whole (${outRequestNo}): ${p.reason}`.slice(0, 2000),
      ]);
    }
    const refundedFen = order.refundedFen + refund.amountFen;
    const detail = { outRequestNo, amountFen: refund.amountFen, reversal: refund.reversal };
    if (refundedFen === order.amountFen) return { order: (await moveOrder(tx, order, 'REFUNDED_FULL', 'refund', { refundedFen, detail })).order, refund };
    await tx.query(`UPDATE payment_orders SET refunded_fen = $2, updated_at = now() WHERE id = $1`, [order.id, refundedFen]);
    await tx.query(`INSERT INTO payment_order_events (order_id, event, from_state, to_state, source, detail) VALUES ($1, 'REFUNDED_PART', $2, $2, 'refund', $3)`, [order.id, order.state, JSON.stringify(detail)]);
    return { order: { ...order, refundedFen }, refund };
  });
}
