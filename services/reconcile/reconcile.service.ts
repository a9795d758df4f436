import { Context, ServiceSchema } from 'moleculer';
import { requireDep, ServiceDeps } from '../service-deps';

/** A file channel as the service sees it: the SFTP consumer wired at start-up. */
export interface FileChannel {
  readonly id: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  poll(): Promise<unknown>;
}

/**
 * Nightly reconciliation, first part: the marketing system's collected-payment
 * files are taken from the SFTP drop, checked against their totals and loaded
 * (see core/files/reconciliation-ingest.ts). Bad files land in the failed
 * folder with a reason file beside them.
 */
export function createReconcileService(deps: ServiceDeps & { reconFiles?: FileChannel | null }): ServiceSchema {
  const ds = requireDep(deps.dataSource, 'the database', 'reconcile');
  const channel = deps.reconFiles ?? null;
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
      /** Polls the drop now (operators; and tests, without waiting for the timer). */
      pollFiles: {
        async handler() {
          if (!channel) return { polled: false, reason: 'RECON_SFTP_URL is not configured' };
          return { polled: true, result: await channel.poll() };
        },
      },
    },
    async started() {
      if (channel) await channel.start();
      else this.logger.info('reconciliation file channel is off: no RECON_SFTP_URL configured');
    },
    async stopped() {
      await channel?.stop();
    },
  };
}
