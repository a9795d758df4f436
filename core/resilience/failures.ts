import { ErrorCode, toErrorView } from '../errors';

/** `details.reason` of the bus's own fast-fail refusals. */
export const CIRCUIT_OPEN = 'CIRCUIT_OPEN';
export const BULKHEAD_FULL = 'BULKHEAD_FULL';

/**
 * Codes that say the back office (or our call to it) is unhealthy. A business
 * answer such as ACCOUNT_NOT_FOUND or VALIDATION_FAILED is not one of them.
 */
export const BREAKER_FAILURE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'BACKEND_UNAVAILABLE', 'BACKEND_TIMEOUT', 'BACKEND_FAULT', 'BACKEND_BAD_RESPONSE', 'INTERNAL',
]);

/** The bus error code of anything thrown (unknown errors are INTERNAL). */
export function errorCodeOf(err: unknown): ErrorCode {
  return toErrorView(err).code;
}

function reasonOf(err: unknown): unknown {
  const data = (err as { data?: unknown } | null)?.data;
  return data && typeof data === 'object' ? (data as { reason?: unknown }).reason : undefined;
}

/** A refusal by a breaker or bulkhead of this bus, not a back-office answer. */
export function isFastFailRefusal(err: unknown): boolean {
  const reason = reasonOf(err);
  return reason === CIRCUIT_OPEN || reason === BULKHEAD_FULL;
}

/**
 * Worth another attempt: marked retryable (by its code's default or by the
 * mapping) and not one of our own fast-fail refusals.
 */
export function isRetryableError(err: unknown): boolean {
  return (err as { retryable?: unknown } | null)?.retryable === true && !isFastFailRefusal(err);
}

/**
 * Default breaker predicate: back-office failures and anything marked
 * retryable count; business errors do not.
 */
export function isBackendFailure(err: unknown): boolean {
  if (isFastFailRefusal(err)) return false;
  return BREAKER_FAILURE_CODES.has(errorCodeOf(err)) || (err as { retryable?: unknown } | null)?.retryable === true;
}
