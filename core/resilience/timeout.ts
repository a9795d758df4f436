import { GridbusError } from '../errors';
import { Clock, realClock } from './clock';

/** What each attempt of a call receives. */
export interface AttemptContext {
  /** Aborted when the attempt's deadline passes: pass it on so the call really stops. */
  signal: AbortSignal;
  /** The attempt's deadline, when there is one (for clients that take a number). */
  timeoutMs?: number;
  /** 1 for the first attempt. */
  attempt: number;
}

export type AttemptFn<T> = (attempt: AttemptContext) => Promise<T>;

export interface TimeoutOptions {
  /** Per-attempt deadline, ms; undefined = none. */
  timeout?: number;
}

export interface Timeout {
  readonly timeoutMs?: number;
  /**
   * Runs one attempt under the per-attempt timeout, shortened to the call's
   * `deadline` (clock time) when that comes first.
   */
  execute<T>(fn: AttemptFn<T>, attempt: number, deadline?: number): Promise<T>;
}

/**
 * Per-attempt deadline: if the call has not settled in time, the attempt
 * fails with BACKEND_TIMEOUT and its signal is aborted with that error.
 * Without a deadline the attempt still gets a (never aborted) signal.
 */
export function createTimeout(options: TimeoutOptions = {}, deps: { key?: string; clock?: Clock } = {}): Timeout {
  const timeoutMs = options.timeout;
  if (timeoutMs !== undefined && !(timeoutMs > 0)) throw new RangeError(`timeout: must be greater than 0 (got ${timeoutMs})`);
  const clock = deps.clock ?? realClock;
  const key = deps.key ?? 'call';

  function execute<T>(fn: AttemptFn<T>, attempt: number, deadline?: number): Promise<T> {
    const left = deadline === undefined ? undefined : Math.floor(deadline - clock.now());
    if (left !== undefined && left <= 0) {
      return Promise.reject(
        new GridbusError('BACKEND_TIMEOUT', `${key}: the caller's deadline passed before attempt ${attempt}`, { details: { timeoutMs: 0, attempt, cappedByDeadline: true } }),
      );
    }
    const capped = left !== undefined && (timeoutMs === undefined || left < timeoutMs);
    const limitMs = capped ? left : timeoutMs;
    // The signal is made only for a call that asks for it (an AbortController costs about as much as the rest of this).
    let controller: AbortController | undefined;
    let timedOut: GridbusError | undefined;
    const ctx = {
      attempt,
      get signal() {
        if (!controller) {
          controller = new AbortController();
          if (timedOut) controller.abort(timedOut);
        }
        return controller.signal;
      },
    } as AttemptContext;
    if (limitMs !== undefined) ctx.timeoutMs = limitMs;
    let p: Promise<T>;
    try {
      p = Promise.resolve(fn(ctx));
    } catch (err) {
      p = Promise.reject(err);
    }
    if (limitMs === undefined) return p;
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const timer = clock.setTimer(limitMs, () => {
        if (settled) return;
        settled = true;
        const why = capped ? `attempt ${attempt}, cut short by the caller's deadline` : `attempt ${attempt}`;
        const err = new GridbusError('BACKEND_TIMEOUT', `${key}: no answer within ${limitMs} ms (${why})`, {
          details: capped ? { timeoutMs: limitMs, attempt, cappedByDeadline: true } : { timeoutMs: limitMs, attempt },
        });
        timedOut = err;
        reject(err);
        controller?.abort(err);
      });
      p.then(
        (v) => {
          if (settled) return;
          settled = true;
          timer.clear();
          resolve(v);
        },
        (e: unknown) => {
          // A late failure (usually the abort itself) is dropped: the deadline already answered.
          if (settled) return;
          settled = true;
          timer.clear();
          reject(e);
        },
      );
    });
  }

  return { timeoutMs, execute };
}
