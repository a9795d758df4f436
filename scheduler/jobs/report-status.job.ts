import { JobKind } from '../job-kind';

/**
 * Reports whose marketing ticket is still open: asks marketing.queryTicket
 * and records each status change (and the staff's reply) in the report's
 * timeline. The work is the power service's (power.syncReports).
 */
export const reportStatusJob: JobKind = {
  name: 'report-status',
  description: 'follow the marketing tickets of open reports and record their status changes',
  defaultSchedule: { cron: '*/5 * * * *', maxAttempts: 1, missed: 'skip' },
  async run(ctx) {
    const limit = typeof ctx.params.limit === 'number' ? ctx.params.limit : undefined;
    return (await ctx.deps.broker.call('power.syncReports', limit ? { limit } : {}, { timeout: 300_000 })) as Record<string, number>;
  },
};
