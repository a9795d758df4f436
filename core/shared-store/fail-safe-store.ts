import { DependencyHealth } from '../health';
import { Clock, TimerHandle, realClock } from '../resilience/clock';
import { Hits, SharedStore, SharedStoreContentionError, SharedStoreTimeoutError, WindowCount } from './types';

export type FailSafeState = 'starting' | 'up' | 'down';

export interface FailSafeOptions {
  /** How long one operation may take on the shared store before the local one answers, ms. Default 50. */
  timeoutMs?: number;
  /** While not up: how often the shared store is probed, ms. Default 1000. */
  probeIntervalMs?: number;
  /** Time a probe (or a health check) may take, ms. Default 1000. */
  probeTimeoutMs?: number;
  /** At start, failures within this time are "still connecting", not an outage. Default 5000. */
  startGraceMs?: number;
  /** Names the shared store in health details. */
  description?: string;
  clock?: Clock;
  log?: { info(message: string): void; warn(message: string): void };
}

/**
 * The shared store when it answers, the local one when it does not: a slow
 * or unreachable store never holds a request up for more than `timeoutMs`.
 * The switch is logged once each way and shown in health as `degraded`
 * ("limits are per node"); probes bring it back when the store recovers.
 * Counts made locally during an outage are not merged back.
 */
export class FailSafeStore implements SharedStore {
  readonly kind: string;
  private state: FailSafeState = 'starting';
  private reason = 'connecting';
  private readonly startedAt: number;
  private probeTimer: TimerHandle | null = null;
  private probing = false;
  private closed = false;
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  private readonly probeIntervalMs: number;
  private readonly probeTimeoutMs: number;
  private readonly startGraceMs: number;

  constructor(
    readonly primary: SharedStore,
    readonly fallback: SharedStore,
    private readonly options: FailSafeOptions = {},
  ) {
    this.kind = `fail-safe(${primary.kind}|${fallback.kind})`;
    this.clock = options.clock ?? realClock;
    this.timeoutMs = options.timeoutMs ?? 50;
    this.probeIntervalMs = options.probeIntervalMs ?? 1000;
    this.probeTimeoutMs = options.probeTimeoutMs ?? 1000;
    this.startGraceMs = options.startGraceMs ?? 5000;
    this.startedAt = this.clock.now();
    this.scheduleProbe(0);
  }

  /** 'starting' (not yet reached), 'up' (shared) or 'down' (local fallback). */
  current(): FailSafeState {
    return this.state;
  }

  incr(key: string, windowMs: number, hits?: Hits): Promise<WindowCount> {
    return this.run((s) => s.incr(key, windowMs, hits));
  }

  /** While the shared store is not up, the local store answers at once; while it is, only `incr` can. */
  incrNow(key: string, windowMs: number): WindowCount | null {
    return this.state === 'up' ? null : (this.fallback.incrNow?.(key, windowMs) ?? null);
  }

  get(key: string): Promise<string | null> {
    return this.run((s) => s.get(key));
  }

  set(key: string, value: string, ttlMs: number): Promise<void> {
    return this.run((s) => s.set(key, value, ttlMs));
  }

  delete(key: string): Promise<void> {
    return this.run((s) => s.delete(key));
  }

  /** Listings may take longer than one request's budget: the probe timeout applies. */
  list(prefix: string): Promise<Array<{ key: string; value: string }>> {
    return this.run((s) => s.list(prefix), this.probeTimeoutMs);
  }

  /** Always serves (locally if need be). */
  async ping(): Promise<void> {
    // the fallback is always there
  }

  /** For the health registry: checks the shared store when it is believed up. */
  async health(): Promise<DependencyHealth> {
    if (this.state === 'up') {
      try {
        await this.withTimeout(this.primary.ping(), this.probeTimeoutMs);
      } catch (err) {
        this.markDown(err);
      }
    }
    switch (this.state) {
      case 'up':
        return { status: 'up', detail: `${this.options.description ?? this.primary.kind}: limits are shared by all gateway nodes` };
      case 'starting':
        return { status: 'degraded', detail: `shared store connecting: limits are per node until then (${this.reason})` };
      default:
        return { status: 'degraded', detail: `shared store down: limits are per node (${this.reason})` };
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.probeTimer?.clear();
    this.probeTimer = null;
    await Promise.all([this.primary.close(), this.fallback.close()]);
  }

  private async run<T>(op: (store: SharedStore) => Promise<T>, timeoutMs = this.timeoutMs): Promise<T> {
    if (this.state !== 'up') return op(this.fallback);
    try {
      return await this.withTimeout(op(this.primary), timeoutMs);
    } catch (err) {
      // contention is one busy counter, not an outage: this operation alone is answered locally
      if (!(err instanceof SharedStoreContentionError)) this.markDown(err);
      return op(this.fallback);
    }
  }

  private withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = this.clock.setTimer(ms, () => reject(new SharedStoreTimeoutError(ms)));
      work.then(
        (value) => {
          timer.clear();
          resolve(value);
        },
        (err: unknown) => {
          timer.clear();
          reject(err);
        },
      );
    });
  }

  private markDown(err: unknown): void {
    this.reason = (err as Error)?.message ?? String(err);
    if (this.state === 'down') {
      this.scheduleProbe(this.probeIntervalMs);
      return;
    }
    if (this.state === 'starting' && this.clock.now() - this.startedAt < this.startGraceMs) {
      // still connecting: look again soon
      this.scheduleProbe(Math.min(this.probeIntervalMs, 200));
      return;
    }
    this.state = 'down';
    this.options.log?.warn(`shared store unavailable (${this.reason}): rate limits and IP bans are per node until it returns`);
    this.scheduleProbe(this.probeIntervalMs);
  }

  private markUp(): void {
    const was = this.state;
    this.state = 'up';
    this.reason = '';
    if (was === 'down') this.options.log?.info('shared store is back: rate limits and IP bans are cluster-wide again');
    else if (was === 'starting') this.options.log?.info(`shared store ready: ${this.options.description ?? this.primary.kind}`);
  }

  private scheduleProbe(delayMs: number): void {
    if (this.closed || this.probeTimer) return;
    this.probeTimer = this.clock.setTimer(delayMs, () => {
      this.probeTimer = null;
      void this.probe();
    });
  }

  private async probe(): Promise<void> {
    if (this.closed || this.probing || this.state === 'up') return;
    this.probing = true;
    try {
      await this.withTimeout(this.primary.ping(), this.probeTimeoutMs);
      if (!this.closed) this.markUp();
    } catch (err) {
      this.markDown(err);
    } finally {
      this.probing = false;
    }
  }
}
