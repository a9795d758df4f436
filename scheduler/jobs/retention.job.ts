import { JobContext, JobKind } from '../job-kind';

/** Rows deleted per statement: short transactions, progress between them, a stop honoured between them. */
const BATCH = 5000;

function days(ctx: JobContext, key: string, fallback: number): number {
  const v = ctx.params[key];
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 3650 ? v : fallback;
}

/** Deletes rows of `table` older than `keepDays` by `column`, a batch per fenced transaction. */
async function prune(ctx: JobContext, table: string, column: string, keepDays: number, onBatch: (n: number) => Promise<void>): Promise<number> {
  let total = 0;
  for (;;) {
    if (ctx.signal.aborted) throw new Error(`stopped while pruning ${table}`);
    const n = await ctx.fenced(async (m) => {
      const [, count] = await m.query(
        `DELETE FROM ${table} WHERE ctid IN (SELECT ctid FROM ${table} WHERE ${column} < now() - $1 * interval '1 day' LIMIT ${BATCH})`,
        [keepDays],
      );
      return count as number;
    });
    total += n;
    if (n) await onBatch(total);
    if (n < BATCH) return total;
  }
}

/**
 * Deletes what is kept no longer: access events beyond STATISTICS_RETENTION_DAYS,
 * the message log beyond params.messageLogDays (30), the audit log beyond
 * params.auditDays (365), run history beyond params.jobRunDays (90).
 */
export const retentionJob: JobKind = {
  name: 'retention',
  description: 'delete access events, message log, audit log and job runs beyond their retention',
  defaultSchedule: { cron: '30 3 * * *', maxAttempts: 3, backoffMs: 600_000, missed: 'catchUp', params: { messageLogDays: 30, auditDays: 365, jobRunDays: 90 } },
  async run(ctx) {
    const counts = { accessEvents: 0, messageLog: 0, auditLog: 0, jobRuns: 0 };
    const report = (key: keyof typeof counts) => async (n: number) => {
      counts[key] = n;
      await ctx.progress(counts);
    };
    counts.accessEvents = await prune(ctx, 'access_event', 'at', ctx.deps.config.statistics.retentionDays, report('accessEvents'));
    counts.messageLog = await prune(ctx, 'message_log', 'at', days(ctx, 'messageLogDays', 30), report('messageLog'));
    counts.auditLog = await prune(ctx, 'audit_log', 'at', days(ctx, 'auditDays', 365), report('auditLog'));
    counts.jobRuns = await prune(ctx, "job_run", 'started_at', days(ctx, 'jobRunDays', 90), report('jobRuns'));
    return counts;
  },
};
