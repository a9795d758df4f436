import { ResilienceOptions } from './options';
import { RETRY_DEFAULTS, retryDelay } from './retry';

/**
 * The longest a call can take under these options when the back office never
 * answers: every attempt runs to its timeout, with the full backoff between
 * them (jitter only shortens it). Undefined when attempts have no timeout.
 */
export function resilienceBudgetMs(options: ResilienceOptions, idempotent: boolean): number | undefined {
  if (!options.timeout) return undefined;
  const retries = options.retries || undefined;
  const attempts = idempotent && retries ? 1 + (retries.max ?? RETRY_DEFAULTS.max) : 1;
  let total = attempts * options.timeout;
  for (let retry = 1; retry < attempts; retry++) total += retryDelay({ ...retries, jitter: false }, retry);
  return total;
}

/**
 * A warning when the budget does not fit the time the caller waits
 * (REQUEST_TIMEOUT_MS): calls are then cut at the caller's deadline, so the
 * later attempts never run in full.
 */
export function budgetWarning(operation: string, options: ResilienceOptions, idempotent: boolean, requestTimeoutMs: number): string | null {
  const budget = resilienceBudgetMs(options, idempotent);
  if (budget === undefined || budget <= requestTimeoutMs) return null;
  const retries = options.retries || undefined;
  const attempts = idempotent && retries ? 1 + (retries.max ?? RETRY_DEFAULTS.max) : 1;
  return (
    `${operation}: ${attempts} attempt(s) of ${options.timeout} ms plus backoff can take ${budget} ms, more than the request timeout ` +
    `(REQUEST_TIMEOUT_MS ${requestTimeoutMs} ms); the call is cut at the caller's deadline with BACKEND_TIMEOUT. ` +
    `Lower resilience.timeout or retries so that attempts × timeout + backoff fits`
  );
}
