import { GridbusError } from '../core/errors';
import { JobContext, JobCounts } from './job-kind';
import { JobStore, Lease, RunReason } from './job-store';
import { JobRegistry } from './registry';

type Log = { info(m: string): void; warn(m: string): void; error(m: string): void };

export interface RunResult {
  runId: string;
  outcome: 'ok' | 'failed' | 'lost';
  counts: JobCounts | null;
  error: string | null;
}

/**
 * Runs one instant of a job on this node when it wins the job's lease:
 * the history row, renewal while running (abort when the lease is lost),
 * the outcome — each write under the lease's fencing token.
 */
export class JobRunner {
  private readonly running = new Map<string, AbortController>();
  private readonly waits = new Set<() => void>();
  private stopping = false;

  constructor(
    private readonly store: JobStore,
    private readonly registry: JobRegistry,
    private readonly nodeId: string,
    private readonly deps: JobContext['deps'],
    private readonly log: Log,
  ) {}

  runningJobs(): string[] {
    return [...this.running.keys()];
  }

  /** null: another node holds the lease, or this instant was taken already, or the job is paused. */
  async runInstant(job: string, scheduledFor: Date, reason: RunReason, attempt = 1, onStarted?: (runId: string) => void): Promise<RunResult | null> {
    const kind = this.registry.get(job);
    const schedule = await this.store.schedule(job);
    if (!schedule) throw new GridbusError('JOB_NOT_FOUND', `job '${job}' has no schedule row (the scheduler seeds it at start)`, { details: { job } });
    const lease = await this.store.acquire(job, this.nodeId, scheduledFor, schedule.leaseMs, { evenIfPaused: reason === 'manual', retry: reason === 'retry' });
    if (!lease) return null;
    const controller = new AbortController();
    this.running.set(job, controller);
    let lost = false;
    const renewer = setInterval(() => {
      this.store.renew(lease, schedule.leaseMs).then(
        (ok) => {
          if (!ok && !lost) {
            lost = true;
            this.log.warn(`job ${job}: lease lost (fencing token ${lease.fencingToken}); stopping this run`);
            controller.abort(new Error('lease lost'));
          }
        },
        (err) => this.log.warn(`job ${job}: lease not renewed: ${(err as Error).message}`),
      );
    }, Math.max(200, Math.floor(schedule.leaseMs / 3)));
    let runId: string | null = null;
    try {
      runId = await this.store.startRun(lease, attempt, reason);
      onStarted?.(runId);
      this.log.info(`job ${job}: run ${runId} started (instant ${scheduledFor.toISOString()}, attempt ${attempt}, token ${lease.fencingToken})`);
      const ctx: JobContext = {
        signal: controller.signal,
        progress: (counts) => this.store.progress(lease, runId!, counts),
        fencingToken: lease.fencingToken,
        fenced: (fn) => this.store.fenced(lease, fn),
        params: schedule.params ?? {},
        log: this.prefixed(job),
        deps: this.deps,
      };
      let counts: JobCounts | null = null;
      let error: string | null = null;
      try {
        counts = (await kind.run(ctx)) ?? null;
      } catch (err) {
        error = (err as Error).message || String(err);
      }
      return await this.finish(lease, runId, counts, error);
    } catch (err) {
      if ((err as GridbusError).errorCode === 'JOB_LEASE_LOST') {
        this.log.warn(`job ${job}: ${(err as Error).message}`);
        return { runId: runId ?? '', outcome: 'lost', counts: null, error: (err as Error).message };
      }
      throw err;
    } finally {
      clearInterval(renewer);
      this.running.delete(job);
      await this.store.release(lease).catch((e) => this.log.warn(`job ${job}: lease not released: ${(e as Error).message}`));
    }
  }

  private async finish(lease: Lease, runId: string, counts: JobCounts | null, error: string | null): Promise<RunResult> {
    const outcome = error === null ? 'ok' : 'failed';
    await this.store.finish(lease, runId, outcome, counts, error);
    if (outcome === 'ok') this.log.info(`job ${lease.job}: run ${runId} ok ${JSON.stringify(counts ?? {})}`);
    else this.log.error(`job ${lease.job}: run ${runId} failed: ${error}`);
    return { runId, outcome, counts, error };
  }

  /**
   * Runs an instant and, when the run failed, retries it on this node after
   * backoffMs, 2×, 4×... until the schedule's maxAttempts (a retry takes the
   * lease again; a node that dies between attempts leaves the rest to the next instant).
   */
  async runWithRetries(job: string, scheduledFor: Date, reason: RunReason, onStarted?: (runId: string) => void): Promise<RunResult | null> {
    let result = await this.runInstant(job, scheduledFor, reason, 1, onStarted);
    for (let attempt = 2; result?.outcome === 'failed'; attempt++) {
      const schedule = await this.store.schedule(job);
      if (!schedule || attempt > schedule.maxAttempts || this.stopping) break;
      const delay = schedule.backoffMs * 2 ** (attempt - 2);
      this.log.info(`job ${job}: attempt ${attempt} of ${schedule.maxAttempts} in ${delay} ms`);
      await this.sleep(delay);
      if (this.stopping) break;
      result = await this.runInstant(job, scheduledFor, 'retry', attempt);
    }
    return result;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waits.delete(done);
        resolve();
      }, ms);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waits.add(done);
    });
  }

  /** Stops every run of this node and waits (at most `ms`) for their outcomes to be written. */
  async drain(ms: number): Promise<void> {
    this.abortAll();
    const deadline = Date.now() + ms;
    while (this.running.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  }

  /** Asks every run of this node to stop and drops pending retries (the node is stopping). */
  abortAll(): void {
    this.stopping = true;
    for (const w of this.waits) w();
    this.waits.clear();
    for (const c of this.running.values()) c.abort(new Error('node stopping'));
  }

  private prefixed(job: string): Log {
    return {
      info: (m) => this.log.info(`job ${job}: ${m}`),
      warn: (m) => this.log.warn(`job ${job}: ${m}`),
      error: (m) => this.log.error(`job ${job}: ${m}`),
    };
  }
}
