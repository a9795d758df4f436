import type { SqlRunner } from '../outbox/outbox-writer';
import { isOrderState, OrderEvent, OrderState, transition, Transition } from './order-machine';

/** Who moved an order: kept in payment_order_events beside each move. */
export type EventSource = 'create' | 'notify' | 'query' | 'close-job' | 'withhold' | 'outbox' | 'operator' | 'refund';

export interface OrderRow {
  id: string;
  outTradeNo: string;
  kind: 'PAY' | 'WITHHOLD';
  userId: string;
  accountNo: string;
  amountFen: number;
  arrearsFen: number;
  billKey: string;
  subject: string;
  state: OrderState;
  tradeNo: string | null;
  paidAt: Date | null;
  refundedFen: number;
  expiresAt: Date;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const rowsOf = <T>(result: unknown): T[] => (Array.isArray(result) && Array.isArray(result[0]) ? (result[0] as T[]) : (result as T[]));

export function orderOf(r: Record<string, unknown>): OrderRow {
  const state = r.state;
  if (!isOrderState(state)) throw new Error(`payment order ${String(r.id)} has an unknown state ${String(state)}`);
  return {
    id: String(r.id),
    outTradeNo: r.out_trade_no as string,
    kind: r.kind as 'PAY' | 'WITHHOLD',
    userId: r.user_id as string,
    accountNo: r.account_no as string,
    amountFen: Number(r.amount_fen),
    arrearsFen: Number(r.arrears_fen),
    billKey: r.bill_key as string,
    subject: r.subject as string,
    state,
    tradeNo: (r.trade_no as string | null) ?? null,
    paidAt: (r.paid_at as Date | null) ?? null,
    refundedFen: Number(r.refunded_fen),
    expiresAt: r.expires_at as Date,
    lastError: (r.last_error as string | null) ?? null,
    createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date,
  };
}

/** Reads an order and locks it for the caller's transaction; null when there is none. */
export async function lockOrder(tx: SqlRunner, by: { outTradeNo: string } | { id: string }): Promise<OrderRow | null> {
  const [column, value] = 'id' in by ? ['id', by.id] : ['out_trade_no', by.outTradeNo];
  const rows = rowsOf<Record<string, unknown>>(await tx.query(`SELECT * FROM payment_orders WHERE ${column} = $1 FOR UPDATE`, [value]));
  return rows.length ? orderOf(rows[0]) : null;
}

export interface MoveFacts {
  tradeNo?: string | null;
  paidAt?: Date | null;
  refundedFen?: number;
  lastError?: string | null;
  detail?: Record<string, unknown>;
}

export type MoveResult = Transition & { order: OrderRow };

/**
 * The one place an order changes state: checks the move against the table,
 * writes the new state and the event row on the caller's transaction, and
 * calls `onPaid` (which queues the write-off) on that same transaction when
 * the order enters PAID. A forbidden or absorbed event changes nothing.
 */
export async function moveOrder(
  tx: SqlRunner,
  order: OrderRow,
  event: OrderEvent,
  source: EventSource,
  facts: MoveFacts,
  onPaid?: (order: OrderRow) => Promise<void>,
): Promise<MoveResult> {
  const t = transition(order.state, event);
  if (t.kind !== 'move') {
    // facts that complete a state without moving it (a trade_no learnt late, a partial refund)
    if (t.kind === 'absorbed' && (facts.refundedFen !== undefined || (facts.tradeNo && !order.tradeNo))) {
      const rows = rowsOf<Record<string, unknown>>(
        await tx.query(
          `UPDATE payment_orders SET trade_no = COALESCE(trade_no, $2), refunded_fen = COALESCE($3, refunded_fen), updated_at = now() WHERE id = $1 RETURNING *`,
          [order.id, facts.tradeNo ?? null, facts.refundedFen ?? null],
        ),
      );
      return { ...t, order: orderOf(rows[0]) };
    }
    return { ...t, order };
  }
  const rows = rowsOf<Record<string, unknown>>(
    await tx.query(
      `UPDATE payment_orders
          SET state = $2, trade_no = COALESCE($3, trade_no), paid_at = COALESCE(paid_at, $4),
              refunded_fen = COALESCE($5, refunded_fen), last_error = $6, updated_at = now()
        WHERE id = $1 RETURNING *`,
      [order.id, t.to, facts.tradeNo ?? null, facts.paidAt ?? null, facts.refundedFen ?? null, facts.lastError ?? null],
    ),
  );
  await tx.query(`INSERT INTO payment_order_events (order_id, event, from_state, to_state, source, detail) VALUES ($1, $2, $3, $4, $5, $6)`, [
    order.id,
    event,
    t.from,
    t.to,
    source,
    facts.detail ? JSON.stringify(facts.detail) : null,
  ]);
  const moved = orderOf(rows[0]);
  if (t.writeOff && onPaid) await onPaid(moved);
  return { ...t, order: moved };
}
