export type { Clock, TimerHandle } from './clock';
export { realClock, sleep, FakeClock, flushMicrotasks } from './clock';
export { parseDuration, DURATION_PATTERN, MAX_DURATION_MS } from './duration';
export {
  CIRCUIT_OPEN, BULKHEAD_FULL, BREAKER_FAILURE_CODES, errorCodeOf, isBackendFailure, isRetryableError, isFastFailRefusal,
} from './failures';
export type {
  CircuitState, CircuitBreakerOptions, CircuitCounts, CircuitStateChangeInfo, CircuitBreakerSnapshot, CircuitStateListener,
  CircuitBreakerDeps, CircuitBreaker,
} from './circuit-breaker';
export { CircuitOpenError, BREAKER_DEFAULTS, createCircuitBreaker } from './circuit-breaker';
export type { BulkheadOptions, BulkheadSnapshot, Bulkhead } from './bulkhead';
export { BulkheadFullError, BULKHEAD_DEFAULTS, createBulkhead } from './bulkhead';
export type { Backoff, RetryOptions, RetryInfo, RetryDeps, RetryCallOptions, Retry } from './retry';
export { RETRY_DEFAULTS, MIN_ATTEMPT_MS, retryDelay, createRetry } from './retry';
export type { AttemptContext, AttemptFn, TimeoutOptions, Timeout } from './timeout';
export { createTimeout } from './timeout';
export type { ResilienceOptions } from './options';
export { RESILIENCE_SCHEMA, MAX_RETRIES, parseResilience, mergeResilience } from './options';
export type { ResiliencePolicyDeps, ResilienceCallOptions, ResiliencePolicySnapshot, ResiliencePolicy } from './policy';
export { createResiliencePolicy } from './policy';
export { resilienceBudgetMs, budgetWarning } from './budget';
