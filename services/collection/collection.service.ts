import { Context, ServiceSchema } from 'moleculer';
import { dailyUsage } from '../../core/collection/meter-reading-store';
import { requireDep, ServiceDeps } from '../service-deps';

/**
 * Meter data from the collection system: daily readings arrive over Kafka
 * (shape in mappings/topics) through the channels declared in mappings/channels
 * (sink daily-readings), run by the node's channel runtime;
 * this service answers usage per day out of the bus's own store.
 */
export function createCollectionService(deps: ServiceDeps): ServiceSchema {
  const ds = requireDep(deps.dataSource, 'the database', 'collection');
  return {
    name: 'collection',
    actions: {
      dailyUsage: {
        params: {
          meterPointId: { type: 'string', min: 1, max: 40 },
          from: { type: 'string', pattern: /^\d{4}-\d{2}-\d{2}$/ },
          to: { type: 'string', pattern: /^\d{4}-\d{2}-\d{2}$/ },
          $$strict: true,
        },
        handler(ctx: Context<{ meterPointId: string; from: string; to: string }>) {
          return dailyUsage(ds, ctx.params.meterPointId, ctx.params.from, ctx.params.to);
        },
      },
    },
  };
}
