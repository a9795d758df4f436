import { GridbusError } from '../errors';
import { BULKHEAD_FULL } from './failures';

export interface BulkheadOptions {
  /** Calls running at once. Default 10. */
  concurrency?: number;
  /** Calls waiting (FIFO) once all slots are taken; 0 = none. Default 100. */
  queue?: number;
}

export const BULKHEAD_DEFAULTS = { concurrency: 10, queue: 100 } as const;

export interface BulkheadSnapshot {
  key: string;
  concurrency: number;
  queue: number;
  running: number;
  queued: number;
  /** Calls refused because slots and queue were full, since creation. */
  rejected: number;
}

export interface Bulkhead {
  readonly key: string;
  execute<T>(fn: () => Promise<T>): Promise<T>;
  running(): number;
  queued(): number;
  snapshot(): BulkheadSnapshot;
}

/** Every slot and every queue place is taken. */
export class BulkheadFullError extends GridbusError {
  readonly reason = BULKHEAD_FULL;
  readonly key: string;

  constructor(key: string, concurrency: number, queue: number) {
    super('SERVICE_UNAVAILABLE', `${key}: too many calls in progress (${concurrency} running, ${queue} waiting)`, {
      details: { reason: BULKHEAD_FULL, key, concurrency, queue },
    });
    this.name = 'BulkheadFullError';
    this.key = key;
  }
}

interface Waiter {
  fn: () => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/**
 * At most `concurrency` calls run; up to `queue` more wait in arrival order;
 * beyond that a call is refused at once. A slot is released however the call
 * ends.
 */
export function createBulkhead(options: BulkheadOptions = {}, deps: { key?: string } = {}): Bulkhead {
  const concurrency = options.concurrency ?? BULKHEAD_DEFAULTS.concurrency;
  const maxQueue = options.queue ?? BULKHEAD_DEFAULTS.queue;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`bulkhead concurrency: must be an integer of at least 1 (got ${concurrency})`);
  if (!Number.isInteger(maxQueue) || maxQueue < 0) throw new RangeError(`bulkhead queue: must be a non-negative integer (got ${maxQueue})`);
  const key = deps.key ?? 'bulkhead';
  const waiting: Waiter[] = [];
  let running = 0;
  let rejected = 0;

  function release(): void {
    running--;
    const next = waiting.shift();
    if (next) start(next.fn).then(next.resolve, next.reject);
  }

  function start<T>(fn: () => Promise<T>): Promise<T> {
    running++;
    let p: Promise<T>;
    try {
      p = Promise.resolve(fn());
    } catch (err) {
      p = Promise.reject(err);
    }
    return p.then(
      (v) => {
        release();
        return v;
      },
      (err: unknown) => {
        release();
        throw err;
      },
    );
  }

  function execute<T>(fn: () => Promise<T>): Promise<T> {
    if (running < concurrency) return start(fn);
    if (waiting.length >= maxQueue) {
      rejected++;
      return Promise.reject(new BulkheadFullError(key, concurrency, maxQueue));
    }
    return new Promise<T>((resolve, reject) => {
      waiting.push({ fn, resolve: resolve as (v: unknown) => void, reject });
    });
  }

  return {
    key,
    execute,
    running: () => running,
    queued: () => waiting.length,
    snapshot: () => ({ key, concurrency, queue: maxQueue, running, queued: waiting.length, rejected }),
  };
}
