import { JobKind } from '../job-kind';

/**
 * Diagnostic: sleeps `params.ms` milliseconds (default 1000), reporting
 * progress every `params.stepMs` (default 500), and fails when `params.fail`
 * is true. Paused by default: an operator resumes it to see that the
 * scheduler, its lease and its history work on a cluster.
 */
export const sleepJob: JobKind = {
  name: 'sleep',
  description: 'diagnostic: sleeps params.ms milliseconds, reporting progress (paused by default)',
  defaultSchedule: { cron: '*/5 * * * *', paused: true, maxAttempts: 1, params: { ms: 1000 } },
  async run(ctx) {
    const ms = typeof ctx.params.ms === 'number' ? ctx.params.ms : 1000;
    const stepMs = typeof ctx.params.stepMs === 'number' ? ctx.params.stepMs : 500;
    const started = Date.now();
    let steps = 0;
    while (Date.now() - started < ms) {
      if (ctx.signal.aborted) throw new Error('sleep aborted');
      await new Promise((r) => setTimeout(r, Math.min(stepMs, ms - (Date.now() - started))));
      steps++;
      await ctx.progress({ steps, sleptMs: Date.now() - started });
    }
    if (ctx.params.fail === true) throw new Error('sleep failed as params.fail asked');
    return { steps, sleptMs: Date.now() - started };
  },
};
