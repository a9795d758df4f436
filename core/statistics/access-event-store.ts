import { DataSource } from 'typeorm';
import { AccessBatch, eventsOf, outcomeOf } from './access-event';

const HOUR_MS = 3_600_000;

const COLUMNS = ['at', 'function', 'route_group', 'user_id', 'client_ip', 'status', 'outcome', 'error_code', 'latency_ms', 'request_id', 'node_id'];
const TYPES = ['timestamptz', 'text', 'text', 'text', 'text', 'smallint', 'text', 'text', 'float8', 'text', 'text'];

/** One statement per batch, one array per column (unnest): no limit of bind parameters, one round trip. */
const INSERT = `INSERT INTO access_event (${COLUMNS.join(', ')}) SELECT * FROM unnest(${TYPES.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})`;

export type AccessGroupBy = 'function' | 'hour' | 'day' | 'outcome';

/** The key of each grouping: fixed SQL, never built from input. */
const GROUP_KEYS: Record<AccessGroupBy, string> = {
  function: 'function',
  outcome: 'outcome',
  hour: `date_trunc('hour', at, $3)`,
  day: `date_trunc('day', at, $3)`,
};

export interface AccessQuery {
  from: Date;
  to: Date;
  groupBy: AccessGroupBy;
  /** IANA time zone of the hour and day buckets. */
  timeZone: string;
}

export interface AccessGroup {
  /** The function, the outcome, or the start of the hour / day (ISO 8601). */
  key: string;
  calls: number;
  ok: number;
  refused: number;
  errors: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  users: number;
}

/** Text of at most `max` characters, or null. */
function text(v: unknown, max: number): string | null {
  return typeof v === 'string' && v !== '' ? v.slice(0, max) : null;
}

/**
 * The access events of every gateway node in `access_event`: appended a
 * batch at a time, aggregated for the back office, pruned after
 * `retentionDays` (at most once an hour).
 */
export class AccessEventStore {
  private lastPruneAt = -Infinity;

  constructor(
    private readonly ds: DataSource,
    private readonly options: { retentionDays: number; now?: () => number },
  ) {}

  /** Writes the usable events of a batch; returns how many were written and how many were not usable. */
  async insert(batch: AccessBatch): Promise<{ written: number; skipped: number }> {
    const events = eventsOf(batch);
    const nodeId = text(batch?.nodeId, 64);
    const columns: unknown[][] = COLUMNS.map(() => []);
    let written = 0;
    for (const e of events) {
      const { at, status, latencyMs } = e;
      const fn = text(e.function, 200);
      if (typeof at !== 'number' || !Number.isFinite(at) || typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599 || !fn) continue;
      const latency = typeof latencyMs === 'number' && Number.isFinite(latencyMs) && latencyMs >= 0 ? latencyMs : 0;
      // the outcome follows from the status: stored consistent whatever the producer said
      const row = [new Date(at).toISOString(), fn, text(e.group, 32), text(e.userId, 128), text(e.clientIp, 64), status, outcomeOf(status), text(e.code, 64), latency, text(e.requestId, 128), nodeId];
      row.forEach((value, i) => columns[i].push(value));
      written++;
    }
    if (written) await this.ds.query(INSERT, columns);
    return { written, skipped: events.length - written };
  }

  /** Deletes events older than the retention, unless that was done less than an hour ago; null when not due. */
  async pruneIfDue(): Promise<number | null> {
    const now = (this.options.now ?? Date.now)();
    if (now - this.lastPruneAt < HOUR_MS) return null;
    this.lastPruneAt = now;
    return this.prune();
  }

  async prune(): Promise<number> {
    const [, affected] = await this.ds.query(`DELETE FROM access_event WHERE at < now() - make_interval(days => $1)`, [this.options.retentionDays]);
    return Number(affected ?? 0);
  }

  /** Calls per group in [from, to): outcomes, latency percentiles (ms) and distinct users. */
  async aggregate(q: AccessQuery): Promise<AccessGroup[]> {
    const timed = q.groupBy === 'hour' || q.groupBy === 'day';
    const pct = (p: number) => `round(percentile_cont(${p}) WITHIN GROUP (ORDER BY latency_ms)::numeric, 1)::float8`;
    const rows: Array<Record<string, unknown>> = await this.ds.query(
      `SELECT ${GROUP_KEYS[q.groupBy]} AS key,
              count(*)::int AS calls,
              (count(*) FILTER (WHERE outcome = 'ok'))::int AS ok,
              (count(*) FILTER (WHERE outcome = 'refused'))::int AS refused,
              (count(*) FILTER (WHERE outcome = 'error'))::int AS errors,
              ${pct(0.5)} AS p50, ${pct(0.95)} AS p95, ${pct(0.99)} AS p99,
              count(DISTINCT user_id)::int AS users
         FROM access_event
        WHERE at >= $1 AND at < $2
        GROUP BY 1
        ORDER BY ${timed ? '1' : 'calls DESC, 1'}`,
      timed ? [q.from, q.to, q.timeZone] : [q.from, q.to],
    );
    return rows.map((r) => ({
      key: r.key instanceof Date ? r.key.toISOString() : String(r.key),
      calls: r.calls as number,
      ok: r.ok as number,
      refused: r.refused as number,
      errors: r.errors as number,
      p50Ms: r.p50 as number | null,
      p95Ms: r.p95 as number | null,
      p99Ms: r.p99 as number | null,
      users: r.users as number,
    }));
  }
}
