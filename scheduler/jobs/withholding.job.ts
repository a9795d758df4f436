import { JobKind } from '../job-kind';

/**
 * Withholding (代扣): pays the arrears of accounts with a signed agreement,
 * once per bill whatever node or restart runs it (payment.withhold). Daily
 * after the marketing system issues bills; failures leave notices for the
 * messaging service.
 */
export const withholdingJob: JobKind = {
  name: 'withholding',
  description: 'pay the arrears of accounts with a signed withholding agreement, once per bill',
  defaultSchedule: { cron: '0 10 * * *', maxAttempts: 3, backoffMs: 600_000, missed: 'catchUp' },
  async run(ctx) {
    return (await ctx.deps.broker.call('payment.withhold', {}, { timeout: 1_800_000 })) as Record<string, number>;
  },
};
