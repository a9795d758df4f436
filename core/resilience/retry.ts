import { Clock, realClock, sleep } from './clock';
import { isRetryableError } from './failures';

export type Backoff = 'fixed' | 'exponential';

export interface RetryOptions {
  /** Retries after the first attempt (attempts = 1 + max). Default 2. */
  max?: number;
  /** Default 'exponential'. */
  backoff?: Backoff;
  /** Delay before the first retry, ms; exponential doubles it each time. Default 200. */
  base?: number;
  /** Cap on any one delay, ms. Default: none. */
  maxDelay?: number;
  /** Full jitter: each delay is uniform in [0, delay). Default false. */
  jitter?: boolean;
}

export const RETRY_DEFAULTS = { max: 2, backoff: 'exponential', base: 200, jitter: false } as const;

export interface RetryInfo {
  /** The attempt that just failed (1-based). */
  attempt: number;
  /** Attempts in all, if every one fails. */
  attempts: number;
  delayMs: number;
  error: unknown;
}

export interface RetryDeps {
  clock?: Clock;
  /** Source of jitter, in [0, 1). */
  random?: () => number;
  /** Default: `isRetryableError` (retryable === true, not a breaker/bulkhead refusal). */
  isRetryable?: (err: unknown) => boolean;
  /** Called before each wait (for a log line). */
  onRetry?: (info: RetryInfo) => void;
}

export interface RetryCallOptions {
  /** Retries happen only for idempotent operations. */
  idempotent: boolean;
  /** Checked after a retryable failure: true stops retrying (e.g. the breaker opened). */
  shouldStop?: (err: unknown) => boolean;
  /** Called before each wait of this call (its log line carries this call's request id). */
  onRetry?: (info: RetryInfo) => void;
  /**
   * Clock time by which the caller needs an answer: no retry is started that
   * could not get at least MIN_ATTEMPT_MS of it after its backoff.
   */
  deadline?: number;
}

/** The least time worth starting another attempt with. */
export const MIN_ATTEMPT_MS = 50;

export interface Retry {
  readonly max: number;
  execute<T>(fn: (attempt: number) => Promise<T>, call: RetryCallOptions): Promise<T>;
}

/** Delay before retry number `retry` (1 = the first retry). */
export function retryDelay(options: RetryOptions, retry: number, random: () => number = Math.random): number {
  const base = options.base ?? RETRY_DEFAULTS.base;
  const backoff = options.backoff ?? RETRY_DEFAULTS.backoff;
  let delay = backoff === 'fixed' ? base : base * 2 ** (retry - 1);
  if (options.maxDelay !== undefined) delay = Math.min(delay, options.maxDelay);
  if (options.jitter) delay = Math.floor(random() * delay);
  return delay;
}

/**
 * Repeats a failed attempt after a backoff, only when the operation is
 * idempotent and the error is retryable; the caller's `shouldStop` can end
 * the sequence early. The last error is thrown unchanged.
 */
export function createRetry(options: RetryOptions = {}, deps: RetryDeps = {}): Retry {
  const max = options.max ?? RETRY_DEFAULTS.max;
  if (!Number.isInteger(max) || max < 0) throw new RangeError(`retries max: must be a non-negative integer (got ${max})`);
  if (options.backoff !== undefined && options.backoff !== 'fixed' && options.backoff !== 'exponential') {
    throw new RangeError(`retries backoff: must be 'fixed' or 'exponential' (got ${String(options.backoff)})`);
  }
  if (options.base !== undefined && !(options.base >= 0)) throw new RangeError(`retries base: must not be negative (got ${options.base})`);
  if (options.maxDelay !== undefined && !(options.maxDelay >= 0)) throw new RangeError(`retries maxDelay: must not be negative (got ${options.maxDelay})`);
  const clock = deps.clock ?? realClock;
  const random = deps.random ?? Math.random;
  const isRetryable = deps.isRetryable ?? isRetryableError;

  async function execute<T>(fn: (attempt: number) => Promise<T>, call: RetryCallOptions): Promise<T> {
    const attempts = call.idempotent ? 1 + max : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn(attempt);
      } catch (err) {
        if (attempt >= attempts || !isRetryable(err) || call.shouldStop?.(err)) throw err;
        const delayMs = retryDelay(options, attempt, random);
        if (call.deadline !== undefined && clock.now() + delayMs + MIN_ATTEMPT_MS > call.deadline) throw err;
        try {
          deps.onRetry?.({ attempt, attempts, delayMs, error: err });
          call.onRetry?.({ attempt, attempts, delayMs, error: err });
        } catch {
          // a logging bug must not change the outcome
        }
        await sleep(clock, delayMs);
      }
    }
  }

  return { max, execute };
}
