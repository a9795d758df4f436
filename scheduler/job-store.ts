import { DataSource, EntityManager } from 'typeorm';
import { GridbusError } from '../core/errors';
import { JobCounts, JobKind } from './job-kind';
import { DEFAULT_TIME_ZONE } from './schedule';

export interface JobSchedule {
  job: string;
  cron: string;
  timeZone: string;
  paused: boolean;
  leaseMs: number;
  maxAttempts: number;
  backoffMs: number;
  missed: 'skip' | 'catchUp';
  params: Record<string, unknown>;
  updatedAt: string;
}

/** What an operator may change of a job's schedule (gridbus jobs set). */
export type ScheduleChange = Partial<Pick<JobSchedule, 'cron' | 'timeZone' | 'missed' | 'maxAttempts' | 'backoffMs'>>;

/** What the history says of one job, for /health and /metrics. */
export interface JobStatus {
  job: string;
  lastOkAt: string | null;
  lastError: string | null;
  failures: number;
  abandoned: number;
  running: number;
}

export type RunReason = 'scheduled' | 'manual' | 'retry' | 'catchUp';
export type RunOutcome = 'running' | 'ok' | 'failed' | 'abandoned';

/** A lease this node holds on one job: every write of the run carries its token. */
export interface Lease {
  job: string;
  holder: string;
  fencingToken: string;
  scheduledFor: Date;
}

export interface RunRow {
  id: string;
  job: string;
  scheduledFor: string;
  attempt: number;
  reason: RunReason;
  node: string;
  fencingToken: string;
  startedAt: string;
  endedAt: string | null;
  outcome: RunOutcome;
  progress: JobCounts | null;
  counts: JobCounts | null;
  error: string | null;
}

const SCHEDULE_COLUMNS = `job, cron, time_zone AS "timeZone", paused, lease_ms AS "leaseMs", max_attempts AS "maxAttempts",
  backoff_ms AS "backoffMs", missed, params, updated_at AS "updatedAt"`;
const RUN_COLUMNS = `id::text AS id, job, scheduled_for AS "scheduledFor", attempt, reason, node, fencing_token::text AS "fencingToken",
  started_at AS "startedAt", ended_at AS "endedAt", outcome, progress, counts, error`;

function leaseLost(lease: Lease, what: string): GridbusError {
  return new GridbusError('JOB_LEASE_LOST', `job '${lease.job}': ${what} refused: fencing token ${lease.fencingToken} is no longer the lease's (another node took the job over)`, {
    details: { job: lease.job, fencingToken: lease.fencingToken },
  });
}

/**
 * The scheduler's tables. The lease is taken with one atomic UPDATE (free
 * when expired, and only for an instant later than the last one taken, so
 * each scheduled instant runs once however many nodes tick); every write a
 * run makes is conditioned on the lease still carrying the run's fencing token.
 */
export class JobStore {
  constructor(private readonly ds: DataSource) {}

  /** Inserts the default schedule of each kind that has no row yet; an operator's row is never overwritten. */
  async seed(kinds: JobKind[]): Promise<void> {
    for (const k of kinds) {
      const d = k.defaultSchedule;
      await this.ds.query(
        `INSERT INTO job_schedule (job, cron, time_zone, paused, lease_ms, max_attempts, backoff_ms, missed, params)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (job) DO NOTHING`,
        [k.name, d.cron, d.timeZone ?? DEFAULT_TIME_ZONE, d.paused ?? false, d.leaseMs ?? 60000, d.maxAttempts ?? 3, d.backoffMs ?? 60000, d.missed ?? 'skip', JSON.stringify(d.params ?? {})],
      );
      await this.ds.query(`INSERT INTO job_lease (job) VALUES ($1) ON CONFLICT (job) DO NOTHING`, [k.name]);
    }
  }

  async schedules(): Promise<JobSchedule[]> {
    return this.ds.query(`SELECT ${SCHEDULE_COLUMNS} FROM job_schedule ORDER BY job`);
  }

  async schedule(job: string): Promise<JobSchedule | null> {
    const rows = await this.ds.query(`SELECT ${SCHEDULE_COLUMNS} FROM job_schedule WHERE job = $1`, [job]);
    return rows[0] ?? null;
  }

  /** Changes the job's schedule (only the fields given); answers the row before and after, null when there is no row. */
  async reschedule(job: string, change: ScheduleChange): Promise<{ before: JobSchedule; after: JobSchedule } | null> {
    return this.ds.transaction(async (m) => {
      const rows: JobSchedule[] = await m.query(`SELECT ${SCHEDULE_COLUMNS} FROM job_schedule WHERE job = $1 FOR UPDATE`, [job]);
      if (!rows[0]) return null;
      const after: JobSchedule[] = await m.query(
        `UPDATE job_schedule SET cron = COALESCE($2, cron), time_zone = COALESCE($3, time_zone), missed = COALESCE($4, missed),
                max_attempts = COALESCE($5, max_attempts), backoff_ms = COALESCE($6, backoff_ms), updated_at = now()
          WHERE job = $1 RETURNING ${SCHEDULE_COLUMNS}`,
        [job, change.cron ?? null, change.timeZone ?? null, change.missed ?? null, change.maxAttempts ?? null, change.backoffMs ?? null],
      );
      const row = Array.isArray(after[0]) ? (after[0] as unknown as JobSchedule[])[0] : after[0];
      return { before: rows[0], after: row };
    });
  }

  async setPaused(job: string, paused: boolean): Promise<boolean> {
    const [, count] = await this.ds.query(`UPDATE job_schedule SET paused = $2, updated_at = now() WHERE job = $1`, [job, paused]);
    return count > 0;
  }

  /**
   * Takes the job's lease for `scheduledFor` when it is free (expired) and
   * that instant was not taken before: one statement, so two nodes never
   * both win. A scheduled instant is not taken while the job is paused.
   * A retry takes the same instant again (its attempt number keeps it once).
   * Runs of older tokens still 'running' are marked abandoned.
   */
  async acquire(job: string, holder: string, scheduledFor: Date, leaseMs: number, opts: { evenIfPaused?: boolean; retry?: boolean } = {}): Promise<Lease | null> {
    const rows: { token: string }[] = await this.ds.query(
      `UPDATE job_lease l SET holder = $2, expires_at = clock_timestamp() + $4 * interval '1 millisecond',
              fencing_token = l.fencing_token + 1, scheduled_for = $3
        WHERE l.job = $1 AND l.expires_at < clock_timestamp()
          AND (l.scheduled_for IS NULL OR l.scheduled_for < $3 OR ($6 AND l.scheduled_for = $3))
          AND ($5 OR NOT EXISTS (SELECT 1 FROM job_schedule s WHERE s.job = l.job AND s.paused))
        RETURNING l.fencing_token::text AS token`,
      [job, holder, scheduledFor, leaseMs, opts.evenIfPaused ?? false, opts.retry ?? false],
    );
    const row = Array.isArray(rows[0]) ? (rows[0] as unknown as { token: string }[])[0] : rows[0];
    if (!row) return null;
    const lease: Lease = { job, holder, fencingToken: row.token, scheduledFor };
    await this.abandonOlder(lease);
    return lease;
  }

  /** Runs of this job under an older token that never ended: their holder stopped renewing. */
  private async abandonOlder(lease: Lease): Promise<void> {
    await this.ds.query(
      `UPDATE job_run SET outcome = 'abandoned', ended_at = clock_timestamp(),
              error = 'the lease expired: node ' || node || ' stopped renewing it (killed or paused); taken over by ' || $3
        WHERE job = $1 AND outcome = 'running' AND fencing_token < $2::bigint`,
      [lease.job, lease.fencingToken, lease.holder],
    );
  }

  /** Extends the lease while its token is still the lease's; false when it was taken over. */
  async renew(lease: Lease, leaseMs: number): Promise<boolean> {
    const [, count] = await this.ds.query(
      `UPDATE job_lease SET expires_at = clock_timestamp() + $3 * interval '1 millisecond' WHERE job = $1 AND fencing_token = $2::bigint`,
      [lease.job, lease.fencingToken, leaseMs],
    );
    return count > 0;
  }

  /** Frees the lease at once (the run ended) when it is still ours. */
  async release(lease: Lease): Promise<void> {
    await this.ds.query(`UPDATE job_lease SET expires_at = '-infinity', holder = NULL WHERE job = $1 AND fencing_token = $2::bigint`, [lease.job, lease.fencingToken]);
  }

  /**
   * Runs `fn` in a transaction that first locks the lease row (FOR SHARE)
   * under the run's token: a takeover waits until it commits, and once the
   * token changed nothing is written (JOB_LEASE_LOST). A job's own writes go through here.
   */
  async fenced<T>(lease: Lease, fn: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction(async (manager) => {
      const rows = await manager.query(`SELECT 1 FROM job_lease WHERE job = $1 AND fencing_token = $2::bigint FOR SHARE`, [lease.job, lease.fencingToken]);
      if (!rows.length) throw leaseLost(lease, 'a write of the job');
      return fn(manager);
    });
  }

  /** The history row of a run that starts now, written only under the lease's current token. */
  async startRun(lease: Lease, attempt: number, reason: RunReason): Promise<string> {
    const rows: { id: string }[] = await this.ds.query(
      `INSERT INTO job_run (job, scheduled_for, attempt, reason, node, fencing_token)
       SELECT $1, $3, $4, $5, $6, l.fencing_token FROM job_lease l WHERE l.job = $1 AND l.fencing_token = $2::bigint
       RETURNING id::text AS id`,
      [lease.job, lease.fencingToken, lease.scheduledFor, attempt, reason, lease.holder],
    );
    if (!rows[0]) throw leaseLost(lease, 'starting the run');
    return rows[0].id;
  }

  /** Progress of a running run; throws JOB_LEASE_LOST when the token is stale. */
  async progress(lease: Lease, runId: string, counts: JobCounts): Promise<void> {
    await this.conditioned(lease, 'progress', `progress = $4::jsonb`, runId, [JSON.stringify(counts)]);
  }

  /** The run's outcome; throws JOB_LEASE_LOST when the token is stale (the run is someone else's now). */
  async finish(lease: Lease, runId: string, outcome: 'ok' | 'failed', counts: JobCounts | null, error: string | null): Promise<void> {
    await this.conditioned(lease, `outcome ${outcome}`, `outcome = $4, counts = $5::jsonb, error = $6, ended_at = clock_timestamp()`, runId, [
      outcome,
      counts ? JSON.stringify(counts) : null,
      error,
    ]);
  }

  private async conditioned(lease: Lease, what: string, set: string, runId: string, values: unknown[]): Promise<void> {
    const [, count] = await this.ds.query(
      `UPDATE job_run r SET ${set}
        WHERE r.id = $1::bigint AND r.outcome = 'running' AND r.fencing_token = $3::bigint
          AND EXISTS (SELECT 1 FROM job_lease l WHERE l.job = $2 AND l.fencing_token = $3::bigint)`,
      [runId, lease.job, lease.fencingToken, ...values],
    );
    if (count === 0) throw leaseLost(lease, what);
  }

  /** The last instant any node took the job's lease for (null: never ran). */
  async lastTaken(job: string): Promise<Date | null> {
    const rows: { at: Date | null }[] = await this.ds.query(`SELECT scheduled_for AS at FROM job_lease WHERE job = $1`, [job]);
    return rows[0]?.at ? new Date(rows[0].at) : null;
  }

  async statuses(): Promise<JobStatus[]> {
    return this.ds.query(
      `SELECT s.job,
              (SELECT max(ended_at) FROM job_run r WHERE r.job = s.job AND r.outcome = 'ok') AS "lastOkAt",
              (SELECT error FROM job_run r WHERE r.job = s.job AND r.outcome = 'failed' ORDER BY id DESC LIMIT 1) AS "lastError",
              (SELECT count(*)::int FROM job_run r WHERE r.job = s.job AND r.outcome = 'failed') AS failures,
              (SELECT count(*)::int FROM job_run r WHERE r.job = s.job AND r.outcome = 'abandoned') AS abandoned,
              (SELECT count(*)::int FROM job_run r WHERE r.job = s.job AND r.outcome = 'running') AS running
         FROM job_schedule s ORDER BY s.job`,
    );
  }

  async history(job: string | null, limit: number): Promise<RunRow[]> {
    return this.ds.query(`SELECT ${RUN_COLUMNS} FROM job_run WHERE ($1::text IS NULL OR job = $1) ORDER BY id DESC LIMIT $2`, [job, limit]);
  }
}
