import { Clock, TimerHandle, realClock } from '../resilience/clock';
import { Hits, SharedStore, WindowCount, windowStart } from './types';

export interface LocalStoreOptions {
  /** Entries (counters and values) kept at most; the oldest go first. Default 100 000. */
  maxKeys?: number;
  /** How often expired entries are swept, ms. Default 10 000. */
  sweepIntervalMs?: number;
  clock?: Clock;
}

interface Entry {
  value: string;
  count: number;
  expiresAt: number;
}

/**
 * One node's memory: counters and values with expiry. Bounded (a flood of
 * distinct keys evicts the oldest entries rather than growing without end);
 * the sweep timer never keeps the process alive.
 */
export class LocalStore implements SharedStore {
  readonly kind = 'local';
  private readonly entries = new Map<string, Entry>();
  private readonly maxKeys: number;
  private readonly sweepIntervalMs: number;
  private readonly clock: Clock;
  private timer: TimerHandle | null = null;
  private closed = false;

  constructor(options: LocalStoreOptions = {}) {
    this.maxKeys = options.maxKeys ?? 100_000;
    this.sweepIntervalMs = options.sweepIntervalMs ?? 10_000;
    this.clock = options.clock ?? realClock;
    this.arm();
  }

  /** Entries held now (expired ones included until the next sweep). */
  get size(): number {
    return this.entries.size;
  }

  async incr(key: string, windowMs: number, hits: Hits = {}): Promise<WindowCount> {
    return this.count(key, windowMs, hits);
  }

  incrNow(key: string, windowMs: number): WindowCount {
    return this.count(key, windowMs, {});
  }

  private count(key: string, windowMs: number, hits: Hits): WindowCount {
    const now = this.clock.now();
    const start = windowStart(hits.at ?? now, windowMs);
    const current = `${key}\u0000${start}`;
    const previous = this.live(`${key}\u0000${start - windowMs}`, now);
    let entry = this.live(current, now);
    if (!entry) {
      // Kept two windows: the next window reads it as its `previous`.
      entry = { value: '', count: 0, expiresAt: start + 2 * windowMs };
      this.put(current, entry);
    }
    entry.count += hits.by ?? 1;
    return { count: entry.count, previous: previous?.count ?? 0, resetAt: start + windowMs, windowMs };
  }

  async get(key: string): Promise<string | null> {
    return this.live(key, this.clock.now())?.value ?? null;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.entries.delete(key); // re-inserted last: the newest survive eviction
    this.put(key, { value, count: 0, expiresAt: this.clock.now() + ttlMs });
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async list(prefix: string): Promise<Array<{ key: string; value: string }>> {
    const now = this.clock.now();
    const head = `${prefix}:`;
    const out: Array<{ key: string; value: string }> = [];
    // counters are stored under `<key>\0<window>`: never a value
    for (const [key, entry] of this.entries) {
      if (key.startsWith(head) && !key.includes('\u0000') && entry.expiresAt > now) out.push({ key: key.slice(head.length), value: entry.value });
    }
    return out;
  }

  async ping(): Promise<void> {
    // always available
  }

  async close(): Promise<void> {
    this.closed = true;
    this.timer?.clear();
    this.timer = null;
    this.entries.clear();
  }

  /** Drops every expired entry; answers how many went. */
  sweep(): number {
    const now = this.clock.now();
    let removed = 0;
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt <= now) {
        this.entries.delete(key);
        removed++;
      }
    }
    return removed;
  }

  private live(key: string, now: number): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private put(key: string, entry: Entry): void {
    if (this.entries.size >= this.maxKeys) {
      this.sweep();
      // Still full: evict the oldest (Map keeps insertion order).
      const it = this.entries.keys();
      while (this.entries.size >= this.maxKeys) this.entries.delete(it.next().value as string);
    }
    this.entries.set(key, entry);
  }

  private arm(): void {
    if (this.closed) return;
    this.timer = this.clock.setTimer(this.sweepIntervalMs, () => {
      this.sweep();
      this.arm();
    });
  }
}
