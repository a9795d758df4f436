import { Context, ServiceSchema } from 'moleculer';
import { requireDep, ServiceDeps } from '../service-deps';

/**
 * Nightly reconciliation, first part: the marketing system's collected-payment
 * files are taken from the SFTP drop, checked against their totals and loaded
 * (see core/files/reconciliation-ingest.ts). Bad files land in the failed
 * folder with a reason file beside them. The drops are channels declared
 * in mappings/channels (sink reconciliation-records), run by the node's
 * channel runtime.
 */
export function createReconcileService(deps: ServiceDeps): ServiceSchema {
  const ds = requireDep(deps.dataSource, 'the database', 'reconcile');
  const channels = deps.channels ?? null;
  return {
    name: 'reconcile',
    actions: {
      /** Files loaded so far, newest first. */
      files: {
        params: { limit: { type: 'number', integer: true, min: 1, max: 500, optional: true, convert: true }, $$strict: true },
        handler(ctx: Context<{ limit?: number }>) {
          return ds.query(
            'SELECT id, layout, name, size, lines, records, received_at AS "receivedAt" FROM inbound_file ORDER BY id DESC LIMIT $1',
            [ctx.params.limit ?? 50],
          );
        },
      },
      /** Polls this node's drops now (operators; and tests, without waiting for the timer). */
      pollFiles: {
        async handler() {
          const results = channels ? await channels.poll('reconcile') : [];
          if (!results.length) return { polled: false, reason: 'no reconciliation channel runs on this node (mappings/channels, sink reconciliation-records)', channels: [] };
          return { polled: results.some((r) => r.polled), channels: results };
        },
      },
    },
  };
}
