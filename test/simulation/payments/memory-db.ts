import type { SqlRunner } from '../../../core/outbox/outbox-writer';
import type { OutboxStatus } from '../../../core/outbox/outbox-store';

/** Simulated time 0 as a date (what `now()` answers in the memory database). */
export const SIM_EPOCH_MS = Date.UTC(2026, 11, 4, 2, 0, 0);

/** A payment_orders row, in the column names the real order-store reads. */
export interface OrderRecord {
  id: string;
  out_trade_no: string;
  kind: 'PAY' | 'WITHHOLD';
  user_id: string;
  account_no: string;
  amount_fen: number;
  arrears_fen: number;
  bill_key: string;
  subject: string;
  state: string;
  trade_no: string | null;
  paid_at: Date | null;
  refunded_fen: number;
  expires_at: Date;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface OrderEventRecord {
  order_id: string;
  event: string;
  from_state: string;
  to_state: string;
  source: string;
}

/** An outbox row; times are simulated milliseconds. */
export interface OutboxRecord {
  id: number;
  operation: string;
  partition_key: string;
  serial: string;
  payload: string;
  status: OutboxStatus;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  /** an attempt timed out or its node died mid-call (migration 1765000000000-outbox-in-doubt) */
  in_doubt: boolean;
}

/** A query the memory database does not know: the real SQL changed, the simulation must follow. */
export class UnknownStatementError extends Error {}

/**
 * The committed state of the simulated database: payment orders, their events
 * and the outbox. It answers exactly the statements the real order-store,
 * write-off and outbox-writer code sends (so that code runs unchanged), and a
 * transaction is all-or-nothing: a statement that throws restores the state
 * from before the transaction.
 */
export class MemoryDb {
  orders = new Map<string, OrderRecord>();
  events: OrderEventRecord[] = [];
  outbox: OutboxRecord[] = [];
  private nextOutboxId = 1;
  private readonly byTradeNo = new Map<string, string>();

  constructor(private readonly clock: () => number) {}

  now(): Date {
    return new Date(SIM_EPOCH_MS + this.clock());
  }

  insertOrder(o: OrderRecord): void {
    this.orders.set(o.id, o);
    this.byTradeNo.set(o.out_trade_no, o.id);
  }

  orderByTradeNo(outTradeNo: string): OrderRecord | undefined {
    const id = this.byTradeNo.get(outTradeNo);
    return id === undefined ? undefined : this.orders.get(id);
  }

  readonly sql: SqlRunner = { query: async (sql, params) => this.exec(sql, params ?? []) };

  async transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T> {
    const orders = new Map([...this.orders].map(([k, v]) => [k, { ...v }]));
    const events = this.events.length;
    const outbox = this.outbox.map((r) => ({ ...r }));
    const nextId = this.nextOutboxId;
    try {
      return await fn(this.sql);
    } catch (err) {
      this.orders = orders;
      this.events.length = events;
      this.outbox = outbox;
      this.nextOutboxId = nextId;
      throw err;
    }
  }

  private exec(raw: string, p: unknown[]): unknown[] {
    const sql = raw.replace(/\s+/g, ' ').trim();
    let m: RegExpExecArray | null;
    if ((m = /^SELECT \* FROM payment_orders WHERE (id|out_trade_no) = \$1 FOR UPDATE$/.exec(sql))) {
      const o = m[1] === 'id' ? this.orders.get(String(p[0])) : this.orderByTradeNo(String(p[0]));
      return o ? [{ ...o }] : [];
    }
    if (sql.startsWith('UPDATE payment_orders SET state = $2, trade_no = COALESCE($3, trade_no), paid_at = COALESCE(paid_at, $4), refunded_fen = COALESCE($5, refunded_fen), last_error = $6, updated_at = now() WHERE id = $1 RETURNING *')) {
      const o = this.order(p[0]);
      o.state = p[1] as string;
      o.trade_no = (p[2] as string | null) ?? o.trade_no;
      o.paid_at = o.paid_at ?? (p[3] as Date | null);
      o.refunded_fen = (p[4] as number | null) ?? o.refunded_fen;
      o.last_error = p[5] as string | null;
      o.updated_at = this.now();
      return [{ ...o }];
    }
    if (sql.startsWith('UPDATE payment_orders SET trade_no = COALESCE(trade_no, $2), refunded_fen = COALESCE($3, refunded_fen), updated_at = now() WHERE id = $1 RETURNING *')) {
      const o = this.order(p[0]);
      o.trade_no = o.trade_no ?? (p[1] as string | null);
      o.refunded_fen = (p[2] as number | null) ?? o.refunded_fen;
      o.updated_at = this.now();
      return [{ ...o }];
    }
    if (sql.startsWith('INSERT INTO payment_order_events (order_id, event, from_state, to_state, source, detail) VALUES ($1, $2, $3, $4, $5, $6)')) {
      this.events.push({ order_id: String(p[0]), event: p[1] as string, from_state: p[2] as string, to_state: p[3] as string, source: p[4] as string });
      return [];
    }
    if (sql.startsWith('INSERT INTO outbox (operation, partition_key, serial, payload) VALUES ($1, $2, $3, $4) RETURNING id')) {
      const serial = p[2] as string;
      // serial text NOT NULL UNIQUE (migration 1764800100000-outbox)
      if (this.outbox.some((r) => r.serial === serial)) throw new Error(`duplicate key value violates unique constraint "outbox_serial_key" (${serial})`);
      const id = this.nextOutboxId++;
      this.outbox.push({ id, operation: p[0] as string, partition_key: p[1] as string, serial, payload: p[3] as string, status: 'pending', attempts: 0, next_attempt_at: this.clock(), last_error: null, in_doubt: false });
      return [{ id: String(id) }];
    }
    throw new UnknownStatementError(`the memory database does not know this statement: ${sql.slice(0, 160)}`);
  }

  private order(id: unknown): OrderRecord {
    const o = this.orders.get(String(id));
    if (!o) throw new Error(`no payment order ${String(id)}`);
    return o;
  }
}
