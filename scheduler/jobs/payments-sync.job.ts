import { JobKind } from '../job-kind';

/**
 * Orders whose notification never came: asks Alipay (alipay.trade.query) and
 * applies the answer; closes expired unpaid ones (alipay.trade.close). The
 * work is the payment service's (payment.sync); the job only runs it.
 */
export const paymentsSyncJob: JobKind = {
  name: 'payments-sync',
  description: 'ask Alipay about unpaid orders without notification; close expired ones',
  defaultSchedule: { cron: '*/1 * * * *', maxAttempts: 1, missed: 'skip' },
  async run(ctx) {
    const limit = typeof ctx.params.limit === 'number' ? ctx.params.limit : undefined;
    return (await ctx.deps.broker.call('payment.sync', limit ? { limit } : {}, { timeout: 300_000 })) as Record<string, number>;
  },
};
