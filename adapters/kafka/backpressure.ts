export interface BackpressureOptions {
  /** Most records taken from Kafka and not yet done, over all partitions (a hard bound). */
  maxInFlight: number;
  /** In-flight count at or below which a paused consumer resumes (hysteresis). */
  resumeAt: number;
}

/** Partitions (by key) whose effective state changed: the consumer pauses / resumes them in librdkafka. */
export interface FlowChanges {
  pause: string[];
  resume: string[];
}

interface PartitionState {
  held: number;
  paused: boolean;
}

/**
 * Bounds the records a consumer holds, on two levels. Every record taken
 * from Kafka is acquired for its partition; every record done (handled,
 * dead-lettered, or dropped because its partition was revoked) is released.
 *
 * - Overall: at most `maxInFlight`. The next poll never asks for more than
 *   the free room, and when the room is gone every partition is paused
 *   (librdkafka stops fetching and drops what it prefetched for them) until
 *   the count drains to `resumeAt`.
 * - Per partition: the bound is shared evenly (`partitionLimit`), so that one
 *   partition whose records arrive first cannot take the whole room while the
 *   others, which could be handled in parallel, wait. A partition that holds
 *   its share is paused alone and resumes at the same proportion as the whole.
 *
 * A partition is paused in librdkafka when either level says so. Pure state:
 * no timers, no I/O; the consumer applies the returned changes.
 */
export class BackpressureController {
  private readonly partitions = new Map<string, PartitionState>();
  private total = 0;
  private globalPaused = false;
  private peak = 0;
  private pauses = 0;
  private resumes = 0;

  constructor(private readonly options: BackpressureOptions) {
    if (!(options.maxInFlight >= 1)) throw new RangeError('maxInFlight must be >= 1');
    if (!(options.resumeAt >= 0 && options.resumeAt < options.maxInFlight)) throw new RangeError('resumeAt must be in [0, maxInFlight)');
  }

  get inFlight(): number {
    return this.total;
  }

  /** The overall bound is reached (every partition is paused). */
  get paused(): boolean {
    return this.globalPaused;
  }

  /** Free room overall. */
  get capacity(): number {
    return Math.max(0, this.options.maxInFlight - this.total);
  }

  /** Each assigned partition's share of the bound. */
  get partitionLimit(): number {
    return Math.max(1, Math.floor(this.options.maxInFlight / Math.max(1, this.partitions.size)));
  }

  private get partitionResumeAt(): number {
    return Math.floor((this.partitionLimit * this.options.resumeAt) / this.options.maxInFlight);
  }

  get maxObserved(): number {
    return this.peak;
  }

  /** Times a partition went from fetching to paused. */
  get pauseCount(): number {
    return this.pauses;
  }

  get resumeCount(): number {
    return this.resumes;
  }

  held(key: string): number {
    return this.partitions.get(key)?.held ?? 0;
  }

  isPaused(key: string): boolean {
    const p = this.partitions.get(key);
    return !!p && (this.globalPaused || p.paused);
  }

  pausedPartitions(): number {
    let n = 0;
    for (const key of this.partitions.keys()) if (this.isPaused(key)) n++;
    return n;
  }

  /**
   * How many records the next poll may return: no more than the free room
   * overall, nor than the room of any partition still fetching (so one poll
   * cannot overfill a partition). 0 when everything is paused.
   */
  pollSize(maxPollRecords: number): number {
    let n = Math.min(maxPollRecords, this.capacity);
    let fetching = 0;
    for (const [key, p] of this.partitions) {
      if (this.isPaused(key)) continue;
      fetching++;
      n = Math.min(n, this.partitionLimit - p.held);
    }
    return fetching ? Math.max(0, n) : 0;
  }

  /**
   * Partitions were assigned. The new ones are always listed (in `pause` or
   * `resume`) so the consumer sets their state explicitly; existing ones are
   * listed when the smaller share changes theirs.
   */
  assign(keys: string[]): FlowChanges {
    const before = this.snapshot();
    for (const key of keys) if (!this.partitions.has(key)) this.partitions.set(key, { held: 0, paused: false });
    this.rebalanceShares();
    const changes = this.diff(before);
    for (const key of keys) {
      if (changes.pause.includes(key) || changes.resume.includes(key)) continue;
      (this.isPaused(key) ? changes.pause : changes.resume).push(key);
    }
    return changes;
  }

  /** Partitions were revoked. Their records stay counted until released. */
  revoke(keys: string[]): FlowChanges {
    const before = this.snapshot();
    for (const key of keys) {
      before.delete(key);
      this.partitions.delete(key);
    }
    this.rebalanceShares();
    return this.diff(before);
  }

  /** Records of a partition were taken from Kafka. */
  acquire(key: string, n: number): FlowChanges {
    if (n < 0) throw new RangeError('acquire(n) needs n >= 0');
    if (n === 0) return { pause: [], resume: [] };
    return this.change(key, () => {
      this.total += n;
      if (this.total > this.peak) this.peak = this.total;
      const p = this.partitions.get(key);
      if (p) {
        p.held += n;
        if (!p.paused && p.held >= this.partitionLimit) p.paused = true;
      }
      if (!this.globalPaused && this.total >= this.options.maxInFlight) this.globalPaused = true;
    });
  }

  /** Records of a partition are done or dropped (the partition may be gone already). */
  release(key: string, n: number): FlowChanges {
    if (n < 0) throw new RangeError('release(n) needs n >= 0');
    if (n > this.total) throw new RangeError(`release(${n}) exceeds the ${this.total} records in flight`);
    if (n === 0) return { pause: [], resume: [] };
    return this.change(key, () => {
      this.total -= n;
      const p = this.partitions.get(key);
      if (p) {
        p.held = Math.max(0, p.held - n);
        if (p.paused && p.held <= this.partitionResumeAt) p.paused = false;
      }
      if (this.globalPaused && this.total <= this.options.resumeAt) this.globalPaused = false;
    });
  }

  /** Applies a change to one partition; looks at all of them only when the overall state flipped. */
  private change(key: string, mutate: () => void): FlowChanges {
    const globalBefore = this.globalPaused;
    const keyBefore = this.isPaused(key);
    mutate();
    const changes: FlowChanges = { pause: [], resume: [] };
    const note = (k: string, was: boolean) => {
      const now = this.isPaused(k);
      if (now && !was) {
        changes.pause.push(k);
        this.pauses++;
      } else if (!now && was) {
        changes.resume.push(k);
        this.resumes++;
      }
    };
    if (globalBefore === this.globalPaused) {
      if (this.partitions.has(key)) note(key, keyBefore);
      return changes;
    }
    for (const [k, p] of this.partitions) note(k, k === key ? keyBefore : globalBefore || p.paused);
    return changes;
  }

  private rebalanceShares(): void {
    const limit = this.partitionLimit;
    const resumeAt = this.partitionResumeAt;
    for (const p of this.partitions.values()) {
      if (!p.paused && p.held >= limit) p.paused = true;
      else if (p.paused && p.held <= resumeAt) p.paused = false;
    }
  }

  private snapshot(): Map<string, boolean> {
    const m = new Map<string, boolean>();
    for (const key of this.partitions.keys()) m.set(key, this.isPaused(key));
    return m;
  }

  private diff(before: Map<string, boolean>): FlowChanges {
    const changes: FlowChanges = { pause: [], resume: [] };
    for (const [key, was] of before) {
      if (!this.partitions.has(key)) continue;
      const now = this.isPaused(key);
      if (now && !was) {
        changes.pause.push(key);
        this.pauses++;
      } else if (!now && was) {
        changes.resume.push(key);
        this.resumes++;
      }
    }
    return changes;
  }
}
