import { GridbusError } from '../../core/errors';

interface SoapLibError {
  code?: string;
  message?: string;
  root?: { Envelope?: { Body?: { Fault?: { faultcode?: unknown; faultstring?: unknown; detail?: unknown } } } };
  response?: { status?: number; data?: unknown };
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'ERR_SOCKET_CONNECTION_TIMEOUT']);

/**
 * Translates what the `soap` package throws into the bus's vocabulary:
 * a SOAP fault → BACKEND_FAULT with faultcode/faultstring (mappings may
 * re-map it), timeouts → BACKEND_TIMEOUT, no connection → BACKEND_UNAVAILABLE,
 * anything unparsable → BACKEND_BAD_RESPONSE.
 */
export function translateSoapError(err: unknown, endpoint: string, operation: string, timeoutMs: number): GridbusError {
  const e = (err ?? {}) as SoapLibError;
  const fault = e.root?.Envelope?.Body?.Fault;
  if (fault) {
    const faultcode = fault.faultcode === undefined ? undefined : String(fault.faultcode);
    const faultstring = fault.faultstring === undefined ? undefined : String(fault.faultstring);
    return new GridbusError('BACKEND_FAULT', `${operation}: the back office returned a SOAP fault${faultstring ? `: ${faultstring}` : ''}`, {
      details: { operation, faultcode, faultstring },
      cause: err,
    });
  }
  if (e.code === 'ECONNABORTED' || e.code === 'ETIMEDOUT' || /timeout/i.test(e.message ?? '')) {
    return new GridbusError('BACKEND_TIMEOUT', `${operation}: no answer from the back office within ${timeoutMs} ms`, { details: { operation }, cause: err });
  }
  if (e.code && UNREACHABLE.has(e.code)) {
    return new GridbusError('BACKEND_UNAVAILABLE', `${operation}: cannot reach the back office at ${endpoint} (${e.code})`, { details: { operation }, cause: err });
  }
  if (e.response?.status) {
    return new GridbusError('BACKEND_UNAVAILABLE', `${operation}: the back office answered HTTP ${e.response.status}`, {
      details: { operation, httpStatus: e.response.status },
      cause: err,
    });
  }
  return new GridbusError('BACKEND_BAD_RESPONSE', `${operation}: the back-office response could not be read: ${e.message ?? 'unknown error'}`, {
    details: { operation },
    cause: err,
  });
}
