import { JobKind } from '../job-kind';

/**
 * The daily statistics: access events of the last `params.days` complete days
 * (default 2: late events of the day before are counted again) in
 * `params.timeZone` (default Asia/Shanghai), per function, into access_daily.
 * Rewriting a day is idempotent: a retry or a catch-up gives the same rows.
 */
export const accessRollupJob: JobKind = {
  name: 'access-rollup',
  description: 'roll the access events of the previous days up into daily aggregates (access_daily)',
  defaultSchedule: { cron: '15 0 * * *', maxAttempts: 3, backoffMs: 300_000, missed: 'catchUp', params: { days: 2, timeZone: 'Asia/Shanghai' } },
  async run(ctx) {
    const days = typeof ctx.params.days === 'number' && Number.isInteger(ctx.params.days) && ctx.params.days >= 1 && ctx.params.days <= 90 ? ctx.params.days : 2;
    const tz = typeof ctx.params.timeZone === 'string' ? ctx.params.timeZone : 'Asia/Shanghai';
    const rows = await ctx.fenced(async (m) => {
      const inserted: unknown[] = await m.query(
        `INSERT INTO access_daily (day, function, calls, ok, refused, errors, users, p50_ms, p95_ms, rolled_at)
         SELECT (at AT TIME ZONE $1)::date, function, count(*), count(*) FILTER (WHERE outcome = 'ok'),
                count(*) FILTER (WHERE outcome = 'refused'), count(*) FILTER (WHERE outcome = 'error'), count(DISTINCT user_id),
                percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms), percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms), now()
           FROM access_event
          WHERE at >= (((now() AT TIME ZONE $1)::date - $2::int)::timestamp AT TIME ZONE $1)
            AND at < (((now() AT TIME ZONE $1)::date)::timestamp AT TIME ZONE $1)
          GROUP BY 1, 2
         ON CONFLICT (day, function) DO UPDATE SET calls = EXCLUDED.calls, ok = EXCLUDED.ok, refused = EXCLUDED.refused, errors = EXCLUDED.errors,
           users = EXCLUDED.users, p50_ms = EXCLUDED.p50_ms, p95_ms = EXCLUDED.p95_ms, rolled_at = EXCLUDED.rolled_at
         RETURNING 1`,
        [tz, days],
      );
      return inserted.length;
    });
    return { days, rows };
  },
};
