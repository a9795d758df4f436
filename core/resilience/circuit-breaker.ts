import { GridbusError } from '../errors';
import { Clock, TimerHandle, realClock } from './clock';
import { CIRCUIT_OPEN, isBackendFailure } from './failures';

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Failures / total in the window at or above which the circuit opens (0..1). Default 0.5. */
  failureRatio?: number;
  /** Calls the window must hold before the ratio is judged. Default 20. */
  minRequests?: number;
  /** Rolling window, ms. Default 60 000. */
  window?: number;
  /** Time spent open before trial calls are let through, ms. Default 10 000. */
  halfOpenAfter?: number;
  /** Trial calls allowed at once while half-open. Default 1. */
  halfOpenMaxCalls?: number;
  /** Buckets the window is divided into (its granularity). Default 10. */
  buckets?: number;
  /**
   * Whether an error counts as a failure. Errors it rejects (business
   * answers) count as successes: the back office did answer.
   * Default: `isBackendFailure`.
   */
  isFailure?: (err: unknown) => boolean;
}

export const BREAKER_DEFAULTS = {
  failureRatio: 0.5,
  minRequests: 20,
  window: 60_000,
  halfOpenAfter: 10_000,
  halfOpenMaxCalls: 1,
  buckets: 10,
} as const;

export interface CircuitCounts {
  successes: number;
  failures: number;
  total: number;
}

export interface CircuitStateChangeInfo extends CircuitCounts {
  key: string;
  /** Clock time of the change. */
  at: number;
  /** While open: time until trial calls are let through. */
  retryAfterMs?: number;
  /** The failure that caused the change, if one did. */
  error?: unknown;
}

export interface CircuitBreakerSnapshot extends CircuitCounts {
  key: string;
  state: CircuitState;
  /** Observed failures / total in the window (0 when empty). */
  failureRatio: number;
  /** Trial calls in flight while half-open. */
  halfOpenInFlight: number;
  /** Calls refused fast since the breaker was created. */
  rejected: number;
  /** While open: time until trial calls are let through. */
  retryAfterMs?: number;
}

export type CircuitStateListener = (from: CircuitState, to: CircuitState, info: CircuitStateChangeInfo) => void;

export interface CircuitBreakerDeps {
  /** Names the breaker in errors and events: an operation or endpoint key. */
  key?: string;
  clock?: Clock;
  onStateChange?: CircuitStateListener;
}

export interface CircuitBreaker {
  readonly key: string;
  /** Runs `fn` unless the circuit is open; records its outcome. */
  execute<T>(fn: () => Promise<T>): Promise<T>;
  state(): CircuitState;
  snapshot(): CircuitBreakerSnapshot;
  /** Back to closed with an empty window (an operator's override). */
  reset(): void;
  /** Cancels the half-open timer. */
  dispose(): void;
}

/**
 * A call refused because the circuit is open (or half-open and its trial
 * calls are taken). The gateway answers 503 with Retry-After from
 * `retryAfterMs`, which also travels in `details` across the transporter.
 */
export class CircuitOpenError extends GridbusError {
  readonly reason = CIRCUIT_OPEN;
  readonly retryAfterMs: number;
  readonly key: string;

  constructor(key: string, retryAfterMs: number) {
    super('SERVICE_UNAVAILABLE', `${key}: the back office is failing; calls are suspended for ${retryAfterMs} ms`, {
      details: { reason: CIRCUIT_OPEN, retryAfterMs, key },
    });
    this.name = 'CircuitOpenError';
    this.retryAfterMs = retryAfterMs;
    this.key = key;
  }
}

interface Bucket {
  epoch: number;
  successes: number;
  failures: number;
}

function checkOptions(o: Required<Omit<CircuitBreakerOptions, 'isFailure'>>): void {
  if (!(o.failureRatio >= 0 && o.failureRatio <= 1)) throw new RangeError(`circuit breaker failureRatio: must be between 0 and 1 (got ${o.failureRatio})`);
  if (!Number.isInteger(o.minRequests) || o.minRequests < 1) throw new RangeError(`circuit breaker minRequests: must be an integer of at least 1 (got ${o.minRequests})`);
  if (!(o.window > 0)) throw new RangeError(`circuit breaker window: must be greater than 0 (got ${o.window})`);
  if (!(o.halfOpenAfter >= 0)) throw new RangeError(`circuit breaker halfOpenAfter: must not be negative (got ${o.halfOpenAfter})`);
  if (!Number.isInteger(o.halfOpenMaxCalls) || o.halfOpenMaxCalls < 1) throw new RangeError(`circuit breaker halfOpenMaxCalls: must be an integer of at least 1 (got ${o.halfOpenMaxCalls})`);
  if (!Number.isInteger(o.buckets) || o.buckets < 1) throw new RangeError(`circuit breaker buckets: must be an integer of at least 1 (got ${o.buckets})`);
}

/**
 * closed → (failures/total ≥ failureRatio with ≥ minRequests in the rolling
 * window) → open → (halfOpenAfter) → half-open → first trial success → closed,
 * first trial failure → open again. The window is a fixed ring of buckets.
 */
export function createCircuitBreaker(options: CircuitBreakerOptions = {}, deps: CircuitBreakerDeps = {}): CircuitBreaker {
  const { isFailure = isBackendFailure, ...rest } = options;
  const opts = { ...BREAKER_DEFAULTS, ...stripUndefined(rest) };
  checkOptions(opts);
  const key = deps.key ?? 'circuit';
  const clock = deps.clock ?? realClock;
  const bucketMs = opts.window / opts.buckets;
  const ring: Bucket[] = Array.from({ length: opts.buckets }, () => ({ epoch: Number.NEGATIVE_INFINITY, successes: 0, failures: 0 }));

  let current: CircuitState = 'closed';
  /** Bumped on every transition: outcomes of calls admitted earlier are judged accordingly. */
  let generation = 0;
  let openUntil = 0;
  let halfOpenInFlight = 0;
  let rejected = 0;
  let timer: TimerHandle | undefined;

  const epochOf = (t: number) => Math.floor(t / bucketMs);

  function bucketAt(t: number): Bucket {
    const epoch = epochOf(t);
    const b = ring[((epoch % opts.buckets) + opts.buckets) % opts.buckets];
    if (b.epoch !== epoch) {
      b.epoch = epoch;
      b.successes = 0;
      b.failures = 0;
    }
    return b;
  }

  function counts(): CircuitCounts {
    const epoch = epochOf(clock.now());
    let successes = 0;
    let failures = 0;
    for (const b of ring) {
      if (b.epoch > epoch - opts.buckets && b.epoch <= epoch) {
        successes += b.successes;
        failures += b.failures;
      }
    }
    return { successes, failures, total: successes + failures };
  }

  function clearWindow(): void {
    for (const b of ring) {
      b.epoch = Number.NEGATIVE_INFINITY;
      b.successes = 0;
      b.failures = 0;
    }
  }

  function cancelTimer(): void {
    timer?.clear();
    timer = undefined;
  }

  function retryAfterMs(): number {
    return Math.max(0, openUntil - clock.now());
  }

  function transition(to: CircuitState, error?: unknown): void {
    const from = current;
    if (from === to) return;
    const snapshotCounts = counts();
    current = to;
    generation++;
    halfOpenInFlight = 0;
    cancelTimer();
    if (to === 'open') {
      openUntil = clock.now() + opts.halfOpenAfter;
      timer = clock.setTimer(opts.halfOpenAfter, () => {
        timer = undefined;
        if (current === 'open') transition('half-open');
      });
    }
    if (to === 'closed') clearWindow();
    const info: CircuitStateChangeInfo = { key, at: clock.now(), ...snapshotCounts };
    if (to === 'open') info.retryAfterMs = opts.halfOpenAfter;
    if (error !== undefined) info.error = error;
    try {
      deps.onStateChange?.(from, to, info);
    } catch {
      // a listener's bug must not break the call path
    }
  }

  /** Open turns half-open once its time is up, even if the timer is late. */
  function state(): CircuitState {
    if (current === 'open' && clock.now() >= openUntil) transition('half-open');
    return current;
  }

  function onOutcome(admittedIn: number, trial: boolean, failed: boolean, error: unknown): void {
    if (admittedIn !== generation) {
      // Admitted under an earlier state. Only count it if we are closed now.
      if (current === 'closed') record(failed, error);
      return;
    }
    if (trial) {
      halfOpenInFlight--;
      if (failed) transition('open', error);
      else transition('closed');
      return;
    }
    record(failed, error);
  }

  function record(failed: boolean, error: unknown): void {
    const b = bucketAt(clock.now());
    if (!failed) {
      b.successes++;
      return;
    }
    b.failures++;
    const c = counts();
    if (c.total >= opts.minRequests && c.failures / c.total >= opts.failureRatio) transition('open', error);
  }

  function execute<T>(fn: () => Promise<T>): Promise<T> {
    const s = state();
    let trial = false;
    if (s === 'open') {
      rejected++;
      return Promise.reject(new CircuitOpenError(key, retryAfterMs()));
    }
    if (s === 'half-open') {
      if (halfOpenInFlight >= opts.halfOpenMaxCalls) {
        rejected++;
        // A trial is under way; if it fails the circuit stays open for halfOpenAfter.
        return Promise.reject(new CircuitOpenError(key, opts.halfOpenAfter));
      }
      halfOpenInFlight++;
      trial = true;
    }
    const admittedIn = generation;
    let p: Promise<T>;
    try {
      p = Promise.resolve(fn());
    } catch (err) {
      p = Promise.reject(err);
    }
    return p.then(
      (value) => {
        onOutcome(admittedIn, trial, false, undefined);
        return value;
      },
      (err: unknown) => {
        let failed: boolean;
        try {
          failed = isFailure(err);
        } catch {
          failed = true;
        }
        onOutcome(admittedIn, trial, failed, err);
        throw err;
      },
    );
  }

  function snapshot(): CircuitBreakerSnapshot {
    const s = state();
    const c = counts();
    const snap: CircuitBreakerSnapshot = {
      key,
      state: s,
      ...c,
      failureRatio: c.total ? c.failures / c.total : 0,
      halfOpenInFlight,
      rejected,
    };
    if (s === 'open') snap.retryAfterMs = retryAfterMs();
    return snap;
  }

  return {
    key,
    execute,
    state,
    snapshot,
    reset() {
      transition('closed');
      clearWindow();
    },
    dispose: cancelTimer,
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
