import { JobKind } from '../job-kind';

/**
 * Outage bulletins from the data center's SFTP drop: polls the channel
 * datacenter.outage-bulletins (mappings/channels/outage-bulletins.yaml) now;
 * the content service's channel loads each new file (core/content/outage-ingest.ts)
 * or moves a bad one to .failed with a reason file. The job only runs it.
 */
export const outageImportJob: JobKind = {
  name: 'outage-import',
  description: "import outage bulletins from the data center's drop (channel datacenter.outage-bulletins)",
  defaultSchedule: { cron: '*/10 * * * *', maxAttempts: 2, backoffMs: 30_000, missed: 'skip' },
  async run(ctx) {
    const r = (await ctx.deps.broker.call('content.pollOutages', {}, { timeout: 300_000 })) as { polled: boolean; channels: Array<{ polled: boolean; result?: unknown }> };
    return { channels: r.channels.length, polled: r.channels.filter((c) => c.polled).length };
  },
};
