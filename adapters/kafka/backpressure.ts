/** What the consumer must do with its assigned partitions after a change in the in-flight count. */
export type FlowChange = 'pause' | 'resume' | null;

export interface BackpressureOptions {
  /** Most records taken from Kafka and not yet done. */
  maxInFlight: number;
  /** In-flight count at or below which a paused consumer resumes (hysteresis). */
  resumeAt: number;
}

/**
 * Bounds the records a consumer holds. Every record taken from Kafka is
 * acquired; every record done (handled, dead-lettered, or dropped because
 * its partition was revoked) is released. When the count reaches the bound
 * the consumer pauses its partitions (librdkafka stops fetching and drops
 * what it prefetched for them); once it drains to `resumeAt` it resumes.
 * The gap between the two keeps it from flapping on every record.
 *
 * Pure state: no timers, no I/O. The consumer applies the returned changes.
 */
export class BackpressureController {
  private inFlightCount = 0;
  private pausedState = false;
  private peak = 0;
  private pauses = 0;
  private resumes = 0;

  constructor(private readonly options: BackpressureOptions) {
    if (!(options.maxInFlight >= 1)) throw new RangeError('maxInFlight must be >= 1');
    if (!(options.resumeAt >= 0 && options.resumeAt < options.maxInFlight)) throw new RangeError('resumeAt must be in [0, maxInFlight)');
  }

  get inFlight(): number {
    return this.inFlightCount;
  }

  get paused(): boolean {
    return this.pausedState;
  }

  /** Free room: how many records the next poll may return (0 when full). */
  get capacity(): number {
    return Math.max(0, this.options.maxInFlight - this.inFlightCount);
  }

  /** Highest in-flight count seen so far. */
  get maxObserved(): number {
    return this.peak;
  }

  get pauseCount(): number {
    return this.pauses;
  }

  get resumeCount(): number {
    return this.resumes;
  }

  /** Records were taken from Kafka. */
  acquire(n: number): FlowChange {
    if (n < 0) throw new RangeError('acquire(n) needs n >= 0');
    this.inFlightCount += n;
    if (this.inFlightCount > this.peak) this.peak = this.inFlightCount;
    if (!this.pausedState && this.inFlightCount >= this.options.maxInFlight) {
      this.pausedState = true;
      this.pauses++;
      return 'pause';
    }
    return null;
  }

  /** Records are done (or dropped). */
  release(n: number): FlowChange {
    if (n < 0) throw new RangeError('release(n) needs n >= 0');
    if (n > this.inFlightCount) throw new RangeError(`release(${n}) exceeds the ${this.inFlightCount} records in flight`);
    this.inFlightCount -= n;
    if (this.pausedState && this.inFlightCount <= this.options.resumeAt) {
      this.pausedState = false;
      this.resumes++;
      return 'resume';
    }
    return null;
  }
}
