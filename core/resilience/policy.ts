import { Bulkhead, BulkheadSnapshot, createBulkhead } from './bulkhead';
import { CircuitBreaker, CircuitBreakerSnapshot, CircuitStateListener, createCircuitBreaker } from './circuit-breaker';
import { Clock, realClock } from './clock';
import { ResilienceOptions } from './options';
import { RetryInfo, createRetry } from './retry';
import { AttemptFn, createTimeout } from './timeout';

export interface ResiliencePolicyDeps {
  /** The operation name (or endpoint key): names errors, events and metrics. */
  key: string;
  /** Whether the operation may be retried. Default false. */
  idempotent?: boolean;
  clock?: Clock;
  /** Jitter source, in [0, 1). */
  random?: () => number;
  /**
   * A breaker shared with other operations (one per endpoint key, say). When
   * given it is used instead of building one from `options.breaker`, and
   * `dispose()` leaves it alone.
   */
  breaker?: CircuitBreaker;
  onStateChange?: CircuitStateListener;
  onRetry?: (info: RetryInfo & { key: string }) => void;
}

export interface ResilienceCallOptions {
  /** Overrides the policy's `idempotent` for this call. */
  idempotent?: boolean;
  /** Hears of this call's retries (the policy's `onRetry` hears of every call's). */
  onRetry?: (info: RetryInfo & { key: string }) => void;
  /**
   * Clock time by which the caller needs the answer (the deadline the call
   * carries): every attempt is cut short at it and no retry starts past it,
   * so the caller hears BACKEND_TIMEOUT rather than its own request timeout.
   */
  deadline?: number;
}

export interface ResiliencePolicySnapshot {
  key: string;
  breaker?: CircuitBreakerSnapshot;
  bulkhead?: BulkheadSnapshot;
}

export interface ResiliencePolicy {
  readonly key: string;
  readonly breaker?: CircuitBreaker;
  readonly bulkhead?: Bulkhead;
  /** Per-attempt deadline in ms, if any. */
  readonly timeoutMs?: number;
  /** bulkhead → retry → breaker → timeout → fn. */
  execute<T>(fn: AttemptFn<T>, call?: ResilienceCallOptions): Promise<T>;
  snapshot(): ResiliencePolicySnapshot;
  /** Cancels timers of what this policy owns. */
  dispose(): void;
}

/**
 * One operation's resilience: bulkhead (outermost) → retry → circuit breaker
 * → per-attempt timeout → the call. Every attempt passes the breaker, so a
 * breaker opening mid-sequence stops the retries.
 */
export function createResiliencePolicy(options: ResilienceOptions, deps: ResiliencePolicyDeps): ResiliencePolicy {
  const { key } = deps;
  const clock = deps.clock ?? realClock;
  const ownsBreaker = !deps.breaker && !!options.breaker;
  const breaker = deps.breaker ?? (options.breaker ? createCircuitBreaker(options.breaker, { key, clock, onStateChange: deps.onStateChange }) : undefined);
  const bulkhead = options.bulkhead ? createBulkhead(options.bulkhead, { key }) : undefined;
  const timeout = createTimeout({ timeout: options.timeout || undefined }, { key, clock });
  const retry = createRetry(options.retries ? options.retries : { max: 0 }, {
    clock,
    random: deps.random,
    onRetry: deps.onRetry && ((info) => deps.onRetry!({ ...info, key })),
  });
  const shouldStop = () => breaker?.state() === 'open';

  function execute<T>(fn: AttemptFn<T>, call: ResilienceCallOptions = {}): Promise<T> {
    const idempotent = call.idempotent ?? deps.idempotent ?? false;
    const { deadline } = call;
    const attempt = (n: number) => (breaker ? breaker.execute(() => timeout.execute(fn, n, deadline)) : timeout.execute(fn, n, deadline));
    const onRetry = call.onRetry && ((info: RetryInfo) => call.onRetry!({ ...info, key }));
    const run = () => retry.execute(attempt, { idempotent, shouldStop, onRetry, deadline });
    return bulkhead ? bulkhead.execute(run) : run();
  }

  const policy: ResiliencePolicy = {
    key,
    execute,
    snapshot() {
      const snap: ResiliencePolicySnapshot = { key };
      if (breaker) snap.breaker = breaker.snapshot();
      if (bulkhead) snap.bulkhead = bulkhead.snapshot();
      return snap;
    },
    dispose() {
      if (ownsBreaker) breaker?.dispose();
    },
  };
  if (breaker) (policy as { breaker?: CircuitBreaker }).breaker = breaker;
  if (bulkhead) (policy as { bulkhead?: Bulkhead }).bulkhead = bulkhead;
  if (timeout.timeoutMs !== undefined) (policy as { timeoutMs?: number }).timeoutMs = timeout.timeoutMs;
  return policy;
}
