import { Clock, TimerHandle, realClock } from '../resilience/clock';
import { Hits, SharedStore, WindowCount, windowStart } from './types';

export interface SyncedCountersOptions {
  /** How often hits counted here are sent to the shared store, ms (> 0). */
  syncMs: number;
  /** Counters held at most; idle ones of ended windows go first. Default 100 000. */
  maxCounters?: number;
  clock?: Clock;
  log?: { warn(message: string): void };
}

/** One key's counter in one window, as this node sees it. */
interface Counter {
  key: string;
  windowMs: number;
  start: number;
  /** The store's count at its last answer (other nodes' hits and ours sent so far). */
  shared: number;
  /** The store's count of the window before, at its last answer. */
  previous: number;
  /** Hits counted here, not yet sent. */
  pending: number;
  /** Hits on their way to the store. */
  sending: number;
  /** When the store last answered for this counter (null: never), clock ms. */
  answeredAt: number | null;
  /** The send in flight, if any. */
  flight: Promise<void> | null;
  /** First-sight callers waiting for the send that carries their hits. */
  waiting: Array<(batch: { count: number; size: number }) => void>;
}

/**
 * Kong's `sync_rate` for the gateway's counters: the first hit of a key in a
 * window asks the shared store (so a client already counted on other nodes is
 * known at once); later hits are counted in memory and answered at once, and
 * every `syncMs` the hits counted here are sent in one increment per key,
 * whose answer brings back what the other nodes counted meanwhile. A key not
 * heard of from the store for two intervals asks it again at its next hit.
 *
 * The price: a limit can be exceeded by what the other nodes admit within
 * about two sync intervals. Within one node counts stay exact. `get`/`set`/`delete`
 * (bans, nonces) go straight to the store. GATEWAY_SHARED_STORE_SYNC_MS=0
 * turns this off: every hit then waits for the store.
 */
export class SyncedCounters implements SharedStore {
  readonly kind: string;
  private readonly counters = new Map<string, Counter>();
  private readonly clock: Clock;
  private readonly maxCounters: number;
  private timer: TimerHandle | null = null;
  private closed = false;

  constructor(
    private readonly inner: SharedStore,
    private readonly options: SyncedCountersOptions,
  ) {
    if (!(options.syncMs > 0)) throw new Error('SyncedCounters needs syncMs > 0');
    this.kind = `synced(${inner.kind}, ${options.syncMs} ms)`;
    this.clock = options.clock ?? realClock;
    this.maxCounters = options.maxCounters ?? 100_000;
    this.arm();
  }

  /** Counters held now (for tests and health). */
  get size(): number {
    return this.counters.size;
  }

  async incr(key: string, windowMs: number, hits: Hits = {}): Promise<WindowCount> {
    // hits already timed elsewhere belong to the store as they are
    if (hits.at !== undefined) return this.inner.incr(key, windowMs, hits);
    const by = hits.by ?? 1;
    const start = windowStart(this.clock.now(), windowMs);
    const c = this.counter(key, windowMs, start);
    if (this.fresh(c)) return this.hit(c, by);
    c.pending += by;
    // First sight in this window (or not heard of for longer than two syncs):
    // wait for the store. Hits arriving meanwhile join the same send; each
    // learns its own place in it.
    const place = c.pending;
    const batch = new Promise<{ count: number; size: number }>((resolve) => c.waiting.push(resolve));
    void this.send(c);
    const { count, size } = await batch;
    return this.view(c, count - size + place);
  }

  /** A hit on a counter synced recently, answered from memory; null when the store must be asked (`incr`). */
  incrNow(key: string, windowMs: number): WindowCount | null {
    const c = this.counters.get(counterId(key, windowMs, windowStart(this.clock.now(), windowMs)));
    return c && this.fresh(c) ? this.hit(c, 1) : null;
  }

  get(key: string): Promise<string | null> {
    return this.inner.get(key);
  }

  set(key: string, value: string, ttlMs: number): Promise<void> {
    return this.inner.set(key, value, ttlMs);
  }

  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }

  list(prefix: string): Promise<Array<{ key: string; value: string }>> {
    return this.inner.list(prefix);
  }

  ping(): Promise<void> {
    return this.inner.ping();
  }

  /** Sends what is still counted here, then closes the store. */
  async close(): Promise<void> {
    this.closed = true;
    this.timer?.clear();
    this.timer = null;
    await this.syncNow();
    await this.inner.close();
  }

  /** Sends every counter's pending hits now and waits for the answers. */
  async syncNow(): Promise<void> {
    const sends: Promise<void>[] = [];
    for (const c of this.counters.values()) if (c.pending > 0) sends.push(this.send(c));
    await Promise.all(sends);
    this.evict();
  }

  /** Busy counters are synced every interval; an idle one's view of the other nodes would be stale. */
  private fresh(c: Counter): boolean {
    return c.answeredAt !== null && this.clock.now() - c.answeredAt <= 2 * this.options.syncMs;
  }

  /** Hits counted here, answered with what this node knows now. */
  private hit(c: Counter, by: number): WindowCount {
    c.pending += by;
    return this.view(c, c.shared + c.sending + c.pending);
  }

  private view(c: Counter, count: number): WindowCount {
    return { count, previous: c.previous, resetAt: c.start + c.windowMs, windowMs: c.windowMs };
  }

  private counter(key: string, windowMs: number, start: number): Counter {
    const id = counterId(key, windowMs, start);
    let c = this.counters.get(id);
    if (!c) {
      if (this.counters.size >= this.maxCounters) this.evict(true);
      // what this node knows of the window before stands in until the store answers
      const before = this.counters.get(counterId(key, windowMs, start - windowMs));
      c = {
        key,
        windowMs,
        start,
        shared: 0,
        previous: before ? before.shared + before.sending + before.pending : 0,
        pending: 0,
        sending: 0,
        answeredAt: null,
        flight: null,
        waiting: [],
      };
      this.counters.set(id, c);
    }
    return c;
  }

  /**
   * One increment of the store by the pending hits (after the send in flight,
   * if any: one at a time per counter keeps the answers in order).
   */
  private send(c: Counter): Promise<void> {
    const run = async (): Promise<void> => {
      const n = c.pending;
      if (n === 0) return;
      const waiting = c.waiting;
      c.waiting = [];
      c.pending = 0;
      c.sending += n;
      try {
        const answer = await this.inner.incr(c.key, c.windowMs, { by: n, at: c.start });
        c.shared = Math.max(c.shared, answer.count);
        c.previous = Math.max(c.previous, answer.previous);
        c.answeredAt = this.clock.now();
        c.sending -= n;
        // the store's count includes these n hits: each waiting caller takes its place among them
        for (const resolve of waiting) resolve({ count: answer.count, size: n });
      } catch (err) {
        // the store failed (the fail-safe store normally answers locally instead): keep the hits for the next sync
        c.sending -= n;
        c.pending += n;
        // answered locally meanwhile: better than holding every request on a failing store
        c.answeredAt = this.clock.now();
        this.options.log?.warn(`shared store: counter sync failed, kept for the next one: ${(err as Error)?.message ?? String(err)}`);
        for (const resolve of waiting) resolve({ count: c.shared + c.sending + c.pending, size: c.pending });
      }
    };
    const next: Promise<void> = (c.flight ?? Promise.resolve()).then(run).finally(() => {
      if (c.flight === next) c.flight = null;
    });
    c.flight = next;
    return next;
  }

  /** Drops counters of ended windows with nothing left to send (`force`: also the oldest idle ones). */
  private evict(force = false): void {
    const now = this.clock.now();
    for (const [id, c] of this.counters) {
      // kept one window past its end: the next window reads it as `previous`
      if (c.pending === 0 && !c.flight && c.start + 2 * c.windowMs <= now) this.counters.delete(id);
    }
    if (!force) return;
    for (const [id, c] of this.counters) {
      if (this.counters.size < this.maxCounters) break;
      if (c.pending === 0 && !c.flight) this.counters.delete(id);
    }
  }

  private arm(): void {
    if (this.closed) return;
    this.timer = this.clock.setTimer(this.options.syncMs, () => {
      void this.syncNow().finally(() => this.arm());
    });
  }
}

function counterId(key: string, windowMs: number, start: number): string {
  return `${windowMs}\u0000${start}\u0000${key}`;
}
