import type { Message, TopicPartitionOffset } from 'node-rdkafka';
import { AbortableSleeper } from './retry';

export function laneKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/**
 * One assigned partition: its records in fetch order, handled one unit at a
 * time (so order within the partition holds), and the offset that may be
 * committed: the offset after the last record that is done. Because units
 * complete strictly in order, that offset never passes an unfinished record.
 *
 * A lane lives for one assignment. `close()` (revocation, stop) drops the
 * records not yet started and cuts retry backoffs short; `seal()` (after
 * the drain wait) makes late completions count for nothing, since the
 * partition may already belong to another member.
 */
export class PartitionLane {
  private readonly queue: Message[] = [];
  private head = 0;
  private runningFlag = false;
  private closedFlag = false;
  private sealedFlag = false;
  private idleWaiters: Array<() => void> = [];
  readonly sleeper = new AbortableSleeper();
  /** Offset after the last done record (what a commit sends), null until one is done. */
  doneOffset: number | null = null;
  /** Last offset handed to an asynchronous commit. */
  commitSent: number | null = null;
  /** Last offset the broker confirmed. */
  committed: number | null = null;

  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}

  get key(): string {
    return laneKey(this.topic, this.partition);
  }

  get queued(): number {
    return this.queue.length - this.head;
  }

  get running(): boolean {
    return this.runningFlag;
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  get sealed(): boolean {
    return this.sealedFlag;
  }

  enqueue(message: Message): void {
    this.queue.push(message);
  }

  /** Removes and returns up to `max` records from the head. */
  take(max: number): Message[] {
    const unit = this.queue.slice(this.head, this.head + max);
    this.head += unit.length;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    return unit;
  }

  /** Puts a unit back at the head (its processing failed unexpectedly). */
  putBack(unit: Message[]): void {
    this.queue.splice(this.head, 0, ...unit);
  }

  setRunning(running: boolean): void {
    this.runningFlag = running;
    if (!running) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  whenIdle(): Promise<void> {
    if (!this.runningFlag) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** A unit ending at `lastOffset` is done. Ignored once sealed. */
  markDone(lastOffset: number): boolean {
    if (this.sealedFlag) return false;
    this.doneOffset = lastOffset + 1;
    return true;
  }

  /** Stops taking work; returns how many queued records were dropped. */
  close(): number {
    const dropped = this.closedFlag ? 0 : this.queued;
    this.closedFlag = true;
    this.queue.length = 0;
    this.head = 0;
    this.sleeper.abort();
    return dropped;
  }

  seal(): void {
    this.close();
    this.sealedFlag = true;
  }

  /** The commit this lane needs, if any (offset = next record to read). */
  pendingCommit(against: number | null): TopicPartitionOffset | null {
    if (this.doneOffset === null || this.doneOffset === against) return null;
    return { topic: this.topic, partition: this.partition, offset: this.doneOffset };
  }
}
