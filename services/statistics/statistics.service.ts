import { Context, ServiceSchema } from 'moleculer';
import { ACCESS_BATCH_EVENT, ACCESS_GROUP_BY, AccessBatch, AccessEventStore, AccessGroupBy, ISO_INSTANT, STATISTICS_GROUP, parseAccessQuery } from '../../core/statistics';
import { requireDep, ServiceDeps } from '../service-deps';

type Logger = { warn: (m: string) => void; error: (m: string) => void; info: (m: string) => void };

/**
 * The back office's statistics. Gateway nodes buffer one access event per
 * call and emit them as `access.batch` (group `statistics`); one instance
 * writes each batch in one statement. Events older than
 * STATISTICS_RETENTION_DAYS are pruned at most once an hour. See docs/statistics.md.
 */
export function createStatisticsService(deps: ServiceDeps): ServiceSchema {
  const ds = requireDep(deps.dataSource, 'the database', 'statistics');
  const store = new AccessEventStore(ds, { retentionDays: deps.config.statistics.retentionDays });
  return {
    name: 'statistics',
    events: {
      [ACCESS_BATCH_EVENT]: {
        group: STATISTICS_GROUP,
        async handler(this: { logger: Logger }, ctx: Context<AccessBatch>) {
          try {
            const { skipped } = await store.insert(ctx.params);
            if (skipped) this.logger.warn(`access.batch from ${ctx.params?.nodeId ?? ctx.nodeID}: ${skipped} unusable event(s) skipped`);
          } catch (err) {
            this.logger.error(`access.batch from ${ctx.nodeID}: ${ctx.params?.rows?.length ?? 0} events not written: ${(err as Error).message}`);
          }
          try {
            const pruned = await store.pruneIfDue();
            if (pruned) this.logger.info(`access events older than ${deps.config.statistics.retentionDays} days pruned: ${pruned}`);
          } catch (err) {
            this.logger.error(`access events not pruned: ${(err as Error).message}`);
          }
        },
      },
    },
    actions: {
      /** Calls per function, hour, day or outcome in [from, to): outcomes, latency percentiles, distinct users. */
      access: {
        params: {
          from: { type: 'string', pattern: ISO_INSTANT },
          to: { type: 'string', pattern: ISO_INSTANT },
          groupBy: { type: 'enum', values: [...ACCESS_GROUP_BY], optional: true },
          tz: { type: 'string', max: 64, pattern: '^[A-Za-z][A-Za-z0-9_+/-]*$', optional: true },
          $$strict: true,
        },
        async handler(ctx: Context<{ from: string; to: string; groupBy?: AccessGroupBy; tz?: string }>) {
          const q = parseAccessQuery(ctx.params);
          const groups = await store.aggregate(q);
          return { from: q.from.toISOString(), to: q.to.toISOString(), groupBy: q.groupBy, tz: q.timeZone, groups };
        },
      },
    },
  };
}
