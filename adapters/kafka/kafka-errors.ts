import { CODES } from 'node-rdkafka';
import { ERROR_CODES, ErrorCode, GridbusError, isErrorCode } from '../../core/errors';

const E = CODES.ERRORS;

/**
 * Code put in `x-error-code` when a record's value cannot be parsed.
 * VALIDATION_FAILED until the vocabulary has a code of its own
 * (e.g. MALFORMED_MESSAGE): change it here only.
 */
export const MALFORMED_RECORD_CODE: ErrorCode = 'VALIDATION_FAILED';

/** librdkafka error codes meaning the cluster cannot be reached right now. */
const UNREACHABLE = new Set<number>([
  E.ERR__TRANSPORT,
  E.ERR__ALL_BROKERS_DOWN,
  E.ERR__RESOLVE,
  E.ERR_NOT_LEADER_FOR_PARTITION,
  E.ERR_LEADER_NOT_AVAILABLE,
  E.ERR_BROKER_NOT_AVAILABLE,
  E.ERR__UNKNOWN_TOPIC,
  E.ERR_UNKNOWN_TOPIC_OR_PART,
  E.ERR_REBALANCE_IN_PROGRESS,
  E.ERR_NOT_ENOUGH_REPLICAS,
  E.ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND,
]);
const TIMEOUTS = new Set<number>([E.ERR__TIMED_OUT, E.ERR__MSG_TIMED_OUT, E.ERR_REQUEST_TIMED_OUT, E.ERR__TIMED_OUT_QUEUE]);
const DENIED = new Set<number>([
  E.ERR__AUTHENTICATION,
  E.ERR_SASL_AUTHENTICATION_FAILED,
  E.ERR_TOPIC_AUTHORIZATION_FAILED,
  E.ERR_GROUP_AUTHORIZATION_FAILED,
  E.ERR_CLUSTER_AUTHORIZATION_FAILED,
]);
const CONFIG = new Set<number>([E.ERR__INVALID_ARG, E.ERR__UNKNOWN_PARTITION, E.ERR_MSG_SIZE_TOO_LARGE, E.ERR_INVALID_MSG_SIZE]);

interface RdkafkaErrorLike {
  code?: unknown;
  message?: unknown;
  isRetriable?: unknown;
}

/**
 * Translates what node-rdkafka reports (a LibrdKafkaError with a numeric
 * `code`, or a plain Error from a delivery report) into the bus vocabulary:
 * no connection → BACKEND_UNAVAILABLE, timeouts → BACKEND_TIMEOUT (both
 * retryable), bad settings or oversized messages → CONFIG_INVALID, refused
 * credentials → BACKEND_FAULT.
 */
export function translateKafkaError(err: unknown, context: string): GridbusError {
  if (err instanceof GridbusError) return err;
  const e = (err ?? {}) as RdkafkaErrorLike;
  const code = typeof e.code === 'number' ? e.code : undefined;
  const text = typeof e.message === 'string' && e.message ? e.message : String(err);
  const message = `kafka ${context}: ${text}`;
  const details = { kafkaCode: code };
  if (code !== undefined && TIMEOUTS.has(code)) return new GridbusError('BACKEND_TIMEOUT', message, { details, cause: err });
  if (code !== undefined && UNREACHABLE.has(code)) return new GridbusError('BACKEND_UNAVAILABLE', message, { details, cause: err });
  if (code !== undefined && DENIED.has(code)) return new GridbusError('BACKEND_FAULT', message, { details, cause: err });
  if (code !== undefined && CONFIG.has(code)) return new GridbusError('CONFIG_INVALID', message, { details, cause: err });
  if (/timed? ?out/i.test(text)) return new GridbusError('BACKEND_TIMEOUT', message, { details, cause: err });
  if (/transport|broker|connect|leader|unknown topic/i.test(text)) return new GridbusError('BACKEND_UNAVAILABLE', message, { details, cause: err });
  return new GridbusError('BACKEND_UNAVAILABLE', message, { details, cause: err, retryable: e.isRetriable === true });
}

/** What a handler's failure means for the record: its code, and whether trying again can help. */
export interface FailureView {
  code: ErrorCode;
  message: string;
  retryable: boolean;
}

/**
 * Classifies anything a handler threw. A GridbusError (or an error that
 * crossed the transporter with a known `type`) says itself whether it is
 * retryable; any other error counts as INTERNAL and is retried when
 * `retryUnknownErrors` (a dropped database connection looks like that).
 */
export function classifyFailure(err: unknown, retryUnknownErrors: boolean): FailureView {
  const e = (err ?? {}) as { type?: unknown; errorCode?: unknown; retryable?: unknown; message?: unknown };
  const message = typeof e.message === 'string' && e.message ? e.message : String(err);
  const code = isErrorCode(e.errorCode) ? e.errorCode : isErrorCode(e.type) ? e.type : undefined;
  if (code) {
    const retryable = typeof e.retryable === 'boolean' ? e.retryable : ERROR_CODES[code].retryable;
    return { code, message, retryable };
  }
  return { code: 'INTERNAL', message, retryable: typeof e.retryable === 'boolean' ? e.retryable : retryUnknownErrors };
}
