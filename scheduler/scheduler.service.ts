import { Context, ServiceBroker, ServiceSchema } from 'moleculer';
import { GridbusError } from '../core/errors';
import * as cron from 'node-cron';
import { requireDep, ServiceDeps } from '../services/service-deps';
import { JOB_KINDS } from './jobs';
import { JobRunner } from './job-runner';
import { JobSchedule, JobStatus, JobStore, ScheduleChange } from './job-store';
import { JobRegistry } from './registry';
import { listWithRegistry } from '../core/metrics/listed-metrics';
import { jobHealth, jobMetrics } from './job-health';
import { lastMissedInstant } from './missed-runs';
import { instantOf, validateSchedule } from './schedule';

type OperatorCtx = Context<{ job: string }, { user?: { id: string }; clientIp?: string }>;
type Logger = { info(m: string): void; warn(m: string): void; error(m: string): void };

/** How often a node re-reads job_schedule (an operator's change of cron, zone or pause takes effect within it). */
const RELOAD_MS = 10_000;

interface Ticking {
  cron: string;
  timeZone: string;
  task: cron.ScheduledTask;
}

/**
 * Runs the registered job kinds (scheduler/jobs) on the schedules of the
 * job_schedule table. Every node running this service ticks; the job's
 * lease decides which one runs each instant (docs/operations.md "Scheduled jobs").
 */
export function createSchedulerService(deps: ServiceDeps): ServiceSchema {
  const ds = requireDep(deps.dataSource, 'the database', 'scheduler');
  const registry = new JobRegistry(JOB_KINDS);
  const store = new JobStore(ds);
  const ticking = new Map<string, Ticking>();
  const invalid = new Map<string, string>();
  let runner: JobRunner;
  let reloadTimer: NodeJS.Timeout | undefined;
  let logger: Logger;

  // what /health and /metrics read: the schedules and the history's summary, re-read at most once a second
  let view: { at: number; schedules: JobSchedule[]; statuses: JobStatus[] } = { at: 0, schedules: [], statuses: [] };
  async function fresh(): Promise<typeof view> {
    if (Date.now() - view.at > 1000) view = { at: Date.now(), schedules: await store.schedules(), statuses: await store.statuses() };
    return view;
  }

  function watch(job: string): void {
    deps.health.register(`job ${job}`, async () => {
      const v = await fresh();
      const schedule = v.schedules.find((s) => s.job === job);
      if (!schedule) return { status: 'down', detail: 'no schedule row' };
      return jobHealth(schedule, v.statuses.find((s) => s.job === job), invalid.get(job) ?? null);
    });
  }

  function tick(job: string, at: Date): void {
    runner.runWithRetries(job, instantOf(at), 'scheduled').catch((err) => logger.error(`job ${job}: run not started: ${(err as Error).message}`));
  }

  /** Per the job's `missed` policy: `catchUp` runs the newest instant missed while no node ran it, once; `skip` waits for the next. */
  async function catchUp(schedules: JobSchedule[]): Promise<void> {
    for (const s of schedules) {
      if (s.missed !== 'catchUp' || s.paused || !ticking.has(s.job)) continue;
      const missed = lastMissedInstant(s.cron, s.timeZone, await store.lastTaken(s.job), new Date());
      if (!missed) continue;
      logger.info(`job ${s.job}: instant ${missed.toISOString()} was missed; catching up once`);
      await runner.runWithRetries(s.job, missed, 'catchUp');
    }
  }

  function apply(schedules: JobSchedule[]): void {
    const seen = new Set<string>();
    for (const s of schedules) {
      if (!registry.has(s.job)) continue;
      if (!seen.has(s.job) && !ticking.has(s.job) && !invalid.has(s.job)) watch(s.job);
      seen.add(s.job);
      const current = ticking.get(s.job);
      if (current && current.cron === s.cron && current.timeZone === s.timeZone) continue;
      try {
        validateSchedule(s.job, s.cron, s.timeZone);
        invalid.delete(s.job);
      } catch (err) {
        if (invalid.get(s.job) !== (err as Error).message) logger.error(`${(err as Error).message}; the job keeps ${current ? `its previous schedule '${current.cron}'` : 'not running'}`);
        invalid.set(s.job, (err as Error).message);
        continue;
      }
      void current?.task.destroy();
      const task = cron.schedule(s.cron, (c) => tick(s.job, c.date), { timezone: s.timeZone, name: `job:${s.job}`, suppressMissedWarning: true });
      ticking.set(s.job, { cron: s.cron, timeZone: s.timeZone, task });
      logger.info(`job ${s.job}: scheduled '${s.cron}' (${s.timeZone})${s.paused ? ', paused' : ''}`);
    }
    for (const [job, t] of ticking) {
      if (!seen.has(job)) {
        void t.task.destroy();
        ticking.delete(job);
      }
    }
  }

  function audit(ctx: OperatorCtx, action: string, job: string, outcome: 'success' | 'failure', details: Record<string, unknown> | null): void {
    ctx.emit('audit.event', {
      actor: ctx.meta.user?.id ?? 'unknown',
      action,
      outcome,
      target: `job:${job}`,
      sourceIp: ctx.meta.clientIp ?? null,
      requestId: ctx.requestID,
      nodeId: deps.config.nodeId,
      details,
    });
  }

  async function setPaused(ctx: OperatorCtx, paused: boolean) {
    const job = ctx.params.job;
    const action = paused ? 'scheduler.job.paused' : 'scheduler.job.resumed';
    if (!registry.has(job) || !(await store.setPaused(job, paused))) {
      audit(ctx, action, job, 'failure', { reason: 'no such job' });
      registry.get(job); // JOB_NOT_FOUND naming the known jobs
      throw new GridbusError('JOB_NOT_FOUND', `job '${job}' has no schedule row`, { details: { job } });
    }
    audit(ctx, action, job, 'success', null);
    return { job, paused };
  }

  /** Validates and writes a new schedule; every node picks it up at its next re-read (RELOAD_MS). */
  async function reschedule(ctx: Context<{ job: string } & ScheduleChange, OperatorCtx['meta']>) {
    const { job, ...change } = ctx.params;
    try {
      registry.get(job); // JOB_NOT_FOUND naming the known jobs
      const current = await store.schedule(job);
      if (!current) throw new GridbusError('JOB_NOT_FOUND', `job '${job}' has no schedule row`, { details: { job } });
      if (!Object.keys(change).length) throw new GridbusError('VALIDATION_FAILED', `job '${job}': nothing to change (give cron, timeZone, missed, maxAttempts or backoffMs)`, { details: { job } });
      validateSchedule(job, change.cron ?? current.cron, change.timeZone ?? current.timeZone);
      const r = await store.reschedule(job, change);
      if (!r) throw new GridbusError('JOB_NOT_FOUND', `job '${job}' has no schedule row`, { details: { job } });
      const pick = (s: JobSchedule) => ({ cron: s.cron, timeZone: s.timeZone, missed: s.missed, maxAttempts: s.maxAttempts, backoffMs: s.backoffMs });
      audit(ctx as unknown as OperatorCtx, 'scheduler.job.rescheduled', job, 'success', { before: pick(r.before), after: pick(r.after) });
      view.at = 0;
      return { ...r.after, description: registry.get(job).description, takesEffectWithinMs: RELOAD_MS };
    } catch (err) {
      audit(ctx as unknown as OperatorCtx, 'scheduler.job.rescheduled', job, 'failure', { code: (err as GridbusError).type ?? 'INTERNAL', reason: (err as Error).message, change });
      throw err;
    }
  }

  return {
    name: 'scheduler',
    async started(this: { broker: ServiceBroker; logger: Logger }) {
      logger = this.logger;
      listWithRegistry(this.broker, () => jobMetrics(view.statuses.filter((st) => registry.has(st.job))));
      runner = new JobRunner(store, registry, this.broker.nodeID, { dataSource: ds, config: deps.config, broker: this.broker }, logger);
      await store.seed(registry.all());
      const schedules = await store.schedules();
      apply(schedules);
      catchUp(schedules).catch((err) => logger.error(`missed runs not caught up: ${(err as Error).message}`));
      await fresh();
      reloadTimer = setInterval(() => {
        view.at = 0;
        fresh().then((v) => apply(v.schedules), (err) => logger.warn(`job schedules not reloaded: ${(err as Error).message}`));
      }, RELOAD_MS);
      reloadTimer.unref();
    },
    async stopped() {
      clearInterval(reloadTimer);
      for (const t of ticking.values()) await t.task.destroy();
      ticking.clear();
      // a stopped run is written as failed (node stopping) before the database closes
      await runner?.drain(5000);
    },
    actions: {
      /** Every job: its schedule, whether it is paused, and whether its schedule was refused. */
      list: {
        params: { $$strict: true },
        async handler() {
          const rows = await store.schedules();
          return rows
            .filter((s) => registry.has(s.job))
            .map((s) => ({ ...s, description: registry.get(s.job).description, invalid: invalid.get(s.job) ?? null }));
        },
      },
      /** Runs the job now on this node (even when paused), once it wins the lease; answers when the run started. */
      run: {
        params: { job: { type: 'string', min: 1, max: 64 }, $$strict: true },
        async handler(ctx: OperatorCtx) {
          const job = ctx.params.job;
          try {
            registry.get(job);
            const started = await new Promise<string | null>((resolve, reject) => {
              runner.runWithRetries(job, instantOf(new Date()), 'manual', resolve).then(
                (r) => resolve(r ? r.runId : null),
                (err) => reject(err),
              );
            });
            if (started === null) throw new GridbusError('JOB_BUSY', `job '${job}' is running now (another run holds its lease); try again when it ended`, { details: { job } });
            audit(ctx, 'scheduler.job.run', job, 'success', { runId: started });
            return { job, runId: started, started: true };
          } catch (err) {
            audit(ctx, 'scheduler.job.run', job, 'failure', { code: (err as GridbusError).type ?? 'INTERNAL', reason: (err as Error).message });
            throw err;
          }
        },
      },
      pause: {
        params: { job: { type: 'string', min: 1, max: 64 }, $$strict: true },
        async handler(ctx: OperatorCtx) {
          return setPaused(ctx, true);
        },
      },
      resume: {
        params: { job: { type: 'string', min: 1, max: 64 }, $$strict: true },
        async handler(ctx: OperatorCtx) {
          return setPaused(ctx, false);
        },
      },
      /** Changes when and how often a job runs; validated, audited with the schedule before and after. */
      reschedule: {
        params: {
          job: { type: 'string', min: 1, max: 64 },
          cron: { type: 'string', min: 1, max: 120, optional: true },
          timeZone: { type: 'string', min: 1, max: 64, optional: true },
          missed: { type: 'enum', values: ['skip', 'catchUp'], optional: true },
          maxAttempts: { type: 'number', integer: true, min: 1, max: 100, optional: true },
          backoffMs: { type: 'number', integer: true, min: 0, max: 86_400_000, optional: true },
          $$strict: true,
        },
        async handler(ctx: Context<{ job: string } & ScheduleChange, OperatorCtx['meta']>) {
          return reschedule(ctx);
        },
      },
      history: {
        params: {
          job: { type: 'string', max: 64, optional: true },
          limit: { type: 'number', integer: true, min: 1, max: 500, optional: true, convert: true },
          $$strict: true,
        },
        async handler(ctx: Context<{ job?: string; limit?: number }>) {
          if (ctx.params.job) registry.get(ctx.params.job);
          return store.history(ctx.params.job ?? null, ctx.params.limit ?? 50);
        },
      },
    },
  };
}
