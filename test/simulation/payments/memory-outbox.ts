import { hooksByOperation, OutboxSettleHook, OutboxSettlement } from '../../../core/outbox/settle-hook';
import type { ClaimedRow, SettleDetail } from '../../../core/outbox/outbox-store';
import type { StoredPayload } from '../../../core/outbox/outbox-writer';
import type { MemoryDb, OutboxRecord } from './memory-db';

/** Open rows: `dead` and `unknown` hold their account's later rows back (as in OutboxStore). */
const OPEN = new Set(['pending', 'delivering', 'unknown', 'dead']);

/**
 * The outbox table's claim / settle / holdUnknown / replay with OutboxStore's
 * semantics, over the memory database: a claim takes the due heads of the
 * partitions (oldest open row per account), bumps attempts (the fencing token)
 * and leases the row in simulated time; a settle or hold changes the row only
 * while that claim still holds, and then runs the operation's settle hooks
 * (the real writeOffHook) in the same all-or-nothing transaction.
 */
export class OutboxTable {
  private readonly hooks: Map<string, OutboxSettleHook[]>;

  constructor(
    private readonly db: MemoryDb,
    hooks: readonly OutboxSettleHook[],
    private readonly clock: () => number,
  ) {
    this.hooks = hooksByOperation(hooks);
  }

  claim(limit: number, leaseMs: number): ClaimedRow[] {
    const now = this.clock();
    const rows = this.db.outbox;
    const heads = rows
      .filter((o) => (o.status === 'pending' || o.status === 'delivering') && o.next_attempt_at <= now && !rows.some((e) => e.partition_key === o.partition_key && e.id < o.id && OPEN.has(e.status)))
      .sort((a, b) => a.id - b.id)
      .slice(0, limit);
    return heads.map((r) => {
      const outcomeUnknown = r.status === 'delivering';
      r.in_doubt = r.in_doubt || outcomeUnknown;
      r.status = 'delivering';
      r.attempts += 1;
      r.next_attempt_at = now + leaseMs;
      return { id: String(r.id), operation: r.operation, partitionKey: r.partition_key, serial: r.serial, payload: JSON.parse(r.payload) as StoredPayload, attempts: r.attempts, outcomeUnknown, inDoubt: r.in_doubt };
    });
  }

  async settle(row: ClaimedRow, status: 'delivered' | 'pending' | 'dead' | 'unknown', error: string | null, retryInMs = 0, detail: SettleDetail = {}): Promise<boolean> {
    const settlement: OutboxSettlement =
      status === 'delivered'
        ? { status, answer: detail.answer ?? null }
        : status === 'pending'
          ? { status, reason: error, resent: detail.resent === true }
          : status === 'unknown'
            ? { status, reason: error ?? 'outcome unknown', parked: true }
            : { status, reason: error ?? 'refused' };
    return this.update(row, settlement, (r) => {
      r.status = status;
      r.last_error = error ?? r.last_error;
      r.in_doubt = r.in_doubt || detail.inDoubt === true;
      r.next_attempt_at = this.clock() + retryInMs;
    });
  }

  async holdUnknown(row: ClaimedRow, error: string, retryInMs: number): Promise<boolean> {
    return this.update(row, { status: 'unknown', reason: error, parked: false }, (r) => {
      r.last_error = error;
      r.next_attempt_at = this.clock() + retryInMs;
      r.in_doubt = true;
    });
  }

  /** The operator's replay: dead or unknown rows back to pending, attempts reset; answers the serials replayed. */
  async replayParked(statuses: ReadonlyArray<'dead' | 'unknown'> = ['dead', 'unknown'], serial?: string): Promise<string[]> {
    const parked = this.db.outbox.filter((r) => (statuses as readonly string[]).includes(r.status) && (serial === undefined || r.serial === serial));
    if (!parked.length) return [];
    await this.db.transaction(async (tx) => {
      for (const r of parked) {
        r.status = 'pending';
        r.attempts = 0;
        r.next_attempt_at = this.clock();
        for (const hook of this.hooks.get(r.operation) ?? []) await hook.onSettled(tx, { id: String(r.id), serial: r.serial, partitionKey: r.partition_key }, { status: 'replayed' });
      }
    });
    return parked.map((r) => r.serial);
  }

  private async update(row: ClaimedRow, settlement: OutboxSettlement, change: (r: OutboxRecord) => void): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const r = this.db.outbox.find((o) => String(o.id) === row.id && o.attempts === row.attempts && o.status === 'delivering');
      if (!r) return false;
      change(r);
      for (const hook of this.hooks.get(r.operation) ?? []) await hook.onSettled(tx, { id: String(r.id), serial: r.serial, partitionKey: r.partition_key }, settlement);
      return true;
    });
  }
}
