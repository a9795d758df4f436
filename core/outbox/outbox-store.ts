import { DataSource, EntityManager } from 'typeorm';
import type { StoredPayload } from './outbox-writer';
import { hooksByOperation, OutboxSettleHook, OutboxSettlement } from './settle-hook';

export type OutboxStatus = 'pending' | 'delivering' | 'delivered' | 'dead' | 'discarded' | 'unknown';

export interface ClaimedRow {
  id: string;
  operation: string;
  partitionKey: string;
  serial: string;
  payload: StoredPayload;
  /** Attempts including this one: the fencing token of the claim. */
  attempts: number;
  /** The previous attempt's outcome was not known (timeout, or its node died mid-call). */
  outcomeUnknown: boolean;
  /** Some attempt's outcome was ever unknown: it may still be applied late (never parked dead). */
  inDoubt: boolean;
}

export interface OutboxRowView {
  id: string;
  operation: string;
  partitionKey: string;
  serial: string;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  discardReason: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
}

/** What a settle records beside the status: the back end's answer, a resend, an attempt whose outcome was unknown. */
export interface SettleDetail {
  answer?: unknown;
  resent?: boolean;
  /** This attempt timed out: it may still be applied late. */
  inDoubt?: boolean;
}

/** Rows not yet settled; `dead` rows hold their account's later rows back (order per account). */
const OPEN = `('pending', 'delivering', 'unknown', 'dead')`;

const rowsOf = <T>(result: unknown): T[] => (Array.isArray(result) && Array.isArray(result[0]) ? (result[0] as T[]) : (result as T[]));

function view(r: Record<string, unknown>): OutboxRowView {
  return {
    id: String(r.id),
    operation: r.operation as string,
    partitionKey: r.partition_key as string,
    serial: r.serial as string,
    status: r.status as OutboxStatus,
    attempts: r.attempts as number,
    nextAttemptAt: r.next_attempt_at as Date,
    lastError: (r.last_error as string | null) ?? null,
    discardReason: (r.discard_reason as string | null) ?? null,
    createdAt: r.created_at as Date,
    deliveredAt: (r.delivered_at as Date | null) ?? null,
  };
}

/**
 * The outbox table in SQL. A claim is committed before the call (status
 * `delivering`, attempts + 1, a lease in next_attempt_at) and settled after it
 * only if the claim still holds (same attempts): a node that paused past its
 * lease cannot overwrite what another node did since.
 */
export class OutboxStore {
  private readonly hooks: Map<string, OutboxSettleHook[]>;

  constructor(
    private readonly ds: DataSource,
    hooks: readonly OutboxSettleHook[] = [],
  ) {
    this.hooks = hooksByOperation(hooks);
  }

  /**
   * Runs one row update, and the hooks of its operation on the same
   * transaction when it changed the row (a lost claim changes nothing).
   */
  private async update(operation: string | null, sql: string, params: unknown[], settlement: OutboxSettlement): Promise<Array<Record<string, unknown>>> {
    const hooks = operation === null ? [...this.hooks.values()].flat() : this.hooks.get(operation) ?? [];
    if (!hooks.length && operation !== null) return rowsOf(await this.ds.query(sql, params));
    return this.ds.transaction(async (tx: EntityManager) => {
      const rows = rowsOf<Record<string, unknown>>(await tx.query(sql, params));
      for (const r of rows) {
        const own = this.hooks.get(r.operation as string) ?? [];
        for (const hook of own) await hook.onSettled(tx, { id: String(r.id), serial: r.serial as string, partitionKey: r.partition_key as string }, settlement);
      }
      return rows;
    });
  }

  /**
   * Claims up to `limit` heads of partitions that are due: the oldest open row
   * of each account, when it is pending or delivering with an expired lease
   * (its node died mid-call: the outcome is unknown). A dead or unknown head
   * holds its account's later rows until an operator replays or discards it. SKIP LOCKED lets nodes
   * claim side by side without waiting for each other.
   */
  async claim(limit: number, leaseMs: number): Promise<ClaimedRow[]> {
    return this.ds.transaction(async (tx) => {
      const heads: Array<Record<string, unknown>> = await tx.query(
        `SELECT o.id, o.operation, o.partition_key, o.serial, o.payload, o.status, o.attempts, o.in_doubt
           FROM outbox o
          WHERE o.status IN ('pending', 'delivering')
            AND o.next_attempt_at <= now()
            AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.partition_key = o.partition_key AND e.id < o.id AND e.status IN ${OPEN})
          ORDER BY o.id
          LIMIT $1
          FOR UPDATE OF o SKIP LOCKED`,
        [limit],
      );
      if (!heads.length) return [];
      const ids = heads.map((h) => h.id);
      await tx.query(
        `UPDATE outbox SET status = 'delivering', attempts = attempts + 1, next_attempt_at = now() + ($2::bigint * interval '1 millisecond'),
                in_doubt = in_doubt OR status = 'delivering', updated_at = now()
          WHERE id = ANY($1::bigint[])`,
        [ids, leaseMs],
      );
      return heads.map((h) => ({
        id: String(h.id),
        operation: h.operation as string,
        partitionKey: h.partition_key as string,
        serial: h.serial as string,
        payload: h.payload as StoredPayload,
        attempts: (h.attempts as number) + 1,
        outcomeUnknown: h.status === 'delivering',
        inDoubt: (h.in_doubt as boolean) || h.status === 'delivering',
      }));
    });
  }

  /** Settles a claim; false when the claim no longer holds (its lease expired and another node took the row). */
  async settle(row: ClaimedRow, status: 'delivered' | 'pending' | 'dead' | 'unknown', error: string | null, retryInMs = 0, detail: SettleDetail = {}): Promise<boolean> {
    const settlement: OutboxSettlement =
      status === 'delivered'
        ? { status, answer: detail.answer ?? null }
        : status === 'pending'
          ? { status, reason: error, resent: detail.resent === true }
          : status === 'unknown'
            ? { status, reason: error ?? 'outcome unknown', parked: true }
            : { status, reason: error ?? 'refused' };
    const result = await this.update(row.operation, 
      `UPDATE outbox SET status = $3, last_error = COALESCE($4, last_error),
              next_attempt_at = now() + ($5::bigint * interval '1 millisecond'),
              delivered_at = CASE WHEN $3 = 'delivered' THEN now() ELSE delivered_at END, in_doubt = in_doubt OR $6, updated_at = now()
        WHERE id = $1 AND attempts = $2 AND status = 'delivering' RETURNING id, operation, serial, partition_key`,
      [row.id, row.attempts, status, error, retryInMs, detail.inDoubt === true],
      settlement,
    );
    return result.length > 0;
  }

  /**
   * Keeps a claim's outcome unknown (its settle query failed): the row stays
   * `delivering` with a lease of `retryInMs`, so the next claim sees an
   * unknown outcome again and queries again instead of resending.
   */
  async holdUnknown(row: ClaimedRow, error: string, retryInMs: number): Promise<boolean> {
    const result = await this.update(
      row.operation,
      `UPDATE outbox SET last_error = $3, next_attempt_at = now() + ($4::bigint * interval '1 millisecond'), in_doubt = true, updated_at = now()
        WHERE id = $1 AND attempts = $2 AND status = 'delivering' RETURNING id, operation, serial, partition_key`,
      [row.id, row.attempts, error, retryInMs],
      { status: 'unknown', reason: error, parked: false },
    );
    return result.length > 0;
  }

  /** Undelivered rows by operation: how many and how old the oldest is. */
  async backlog(): Promise<Array<{ operation: string; status: OutboxStatus; count: number; oldestAgeS: number }>> {
    const rows: Array<Record<string, unknown>> = await this.ds.query(
      `SELECT operation, status, count(*)::int AS count, EXTRACT(EPOCH FROM now() - min(created_at))::float AS age
         FROM outbox WHERE status IN ${OPEN} GROUP BY operation, status ORDER BY operation, status`,
    );
    return rows.map((r) => ({ operation: r.operation as string, status: r.status as OutboxStatus, count: r.count as number, oldestAgeS: Math.floor(r.age as number) }));
  }

  /** Age in seconds of the oldest row not yet delivered (dead letters included), 0 when none. */
  async oldestAgeS(): Promise<number> {
    const rows: Array<{ age: number | null }> = await this.ds.query(`SELECT EXTRACT(EPOCH FROM now() - min(created_at))::float AS age FROM outbox WHERE status IN ${OPEN}`);
    return Math.max(0, Math.floor(rows[0]?.age ?? 0));
  }

  async list(status: OutboxStatus, limit: number): Promise<OutboxRowView[]> {
    const rows: Array<Record<string, unknown>> = await this.ds.query(`SELECT * FROM outbox WHERE status = $1 ORDER BY id LIMIT $2`, [status, limit]);
    return rows.map(view);
  }

  async get(id: string): Promise<OutboxRowView | null> {
    const rows: Array<Record<string, unknown>> = await this.ds.query(`SELECT * FROM outbox WHERE id = $1`, [id]);
    return rows.length ? view(rows[0]) : null;
  }

  /** Dead or unknown rows back to pending, attempts reset; answers the ids that changed. */
  async replay(ids: string[]): Promise<string[]> {
    const result = await this.update(
      null,
      `UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = now(), updated_at = now()
        WHERE id = ANY($1::bigint[]) AND status IN ('dead', 'unknown') RETURNING id, operation, serial, partition_key`,
      [ids],
      { status: 'replayed' },
    );
    return result.map((r) => String(r.id));
  }

  /** An undelivered row the operator gives up on, with the reason; false when there is none such. */
  async discard(id: string, reason: string): Promise<boolean> {
    const result = await this.update(
      null,
      `UPDATE outbox SET status = 'discarded', discard_reason = $2, updated_at = now()
        WHERE id = $1 AND status IN ('pending', 'dead', 'unknown') RETURNING id, operation, serial, partition_key`,
      [id, reason],
      { status: 'discarded', reason },
    );
    return result.length > 0;
  }
}
