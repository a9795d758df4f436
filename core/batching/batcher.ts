export interface BatcherOptions<T> {
  /** Writes one batch of at most `maxBatch` items. A rejection goes to `onError`; the batch is not retried. */
  write(batch: T[]): Promise<unknown> | unknown;
  /** A batch is written as soon as this many items are held; no batch is larger. */
  maxBatch: number;
  /** Nothing waits longer than this after it was added (unless a write is still under way). */
  maxDelayMs: number;
  /** Items held at most; beyond it the oldest are dropped and counted (`dropped`). Default: no bound. */
  capacity?: number;
  onError?(err: Error, batch: T[]): void;
  /** Called once per dropped item; keep it cheap (a counter). */
  onDrop?(): void;
}

/**
 * Collects items and writes them in batches off the hot path: a batch leaves
 * when `maxBatch` items are held or `maxDelayMs` after the first of them,
 * whichever comes first. One write runs at a time; what arrives meanwhile
 * waits for it (and makes the next batch larger), within `capacity`.
 * `add` never blocks and never throws.
 */
export class Batcher<T> {
  /** Held items are items[head..]; the slots before head are spent. */
  private items: T[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | null = null;
  private draining: Promise<void> | null = null;
  /** Items ever added / ever taken out (written or dropped): positions in one sequence. */
  private added = 0;
  private taken = 0;
  /** A flush writes everything added before this position. */
  private flushUpTo = 0;
  private closed = false;
  private readonly capacity: number;
  /** Items dropped because `capacity` was reached. */
  dropped = 0;

  constructor(private readonly options: BatcherOptions<T>) {
    if (!(options.maxBatch >= 1)) throw new Error('Batcher: maxBatch must be at least 1');
    this.capacity = Math.max(options.capacity ?? Infinity, options.maxBatch);
  }

  /** Items waiting to be written. */
  get size(): number {
    return this.items.length - this.head;
  }

  add(item: T): void {
    if (this.size >= this.capacity) this.dropOldest();
    this.items.push(item);
    this.added++;
    // once closed, nothing waits: a late item (a request finishing during shutdown) leaves at once
    if (this.closed) void this.flush();
    else if (this.size >= this.options.maxBatch) void this.drain();
    else if (!this.timer) this.armTimer();
  }

  /** Writes everything added so far; resolves when it is written (or reported to onError). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.flushUpTo = this.added;
    return this.drain();
  }

  /** Flushes, and from now on writes each item as it comes (for a service that is stopping). */
  close(): Promise<void> {
    this.closed = true;
    return this.flush();
  }

  private drain(): Promise<void> {
    this.draining ??= this.writeBatches();
    return this.draining;
  }

  private armTimer(): void {
    this.timer = setTimeout(() => void this.flush(), this.options.maxDelayMs);
    this.timer.unref();
  }

  private async writeBatches(): Promise<void> {
    // one tick first: the caller has stored this promise before the loop decides anything
    await undefined;
    try {
      while (this.size >= this.options.maxBatch || (this.size > 0 && this.taken < this.flushUpTo)) {
        const n = Math.min(this.size, this.options.maxBatch);
        const batch = this.items.slice(this.head, this.head + n);
        this.head += n;
        this.taken += n;
        this.compact();
        try {
          await this.options.write(batch);
        } catch (err) {
          try {
            this.options.onError?.(err as Error, batch);
          } catch {
            // a failing error report must not stop the writes
          }
        }
      }
    } finally {
      // in the same tick as the last check: whoever adds or flushes from now on starts a new drain
      this.draining = null;
      // fewer than a batch left over (they came while a write ran): they still leave within maxDelayMs
      if (this.size > 0 && !this.timer) this.armTimer();
    }
  }

  private dropOldest(): void {
    (this.items as Array<T | undefined>)[this.head] = undefined;
    this.head++;
    this.taken++;
    this.dropped++;
    this.options.onDrop?.();
    this.compact();
  }

  /** Gives the spent slots back once they are at least half of the array (amortised O(1) per item). */
  private compact(): void {
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
