import { randomUUID } from 'crypto';
import { ERROR_CODES, ErrorCode, GridbusError } from '../../../core/errors';
import { GatewayRequest, GatewayResponse } from '../types';

/** A policy's "no": a stable code, a status (the code's unless the operator chose one) and when to come back. */
export interface Refusal {
  code: ErrorCode;
  status: number;
  message: string;
  /** Seconds; sent as Retry-After. */
  retryAfterS?: number;
  details?: Record<string, unknown>;
}

export function refusal(code: ErrorCode, message: string, extra: Partial<Omit<Refusal, 'code' | 'message'>> = {}): Refusal {
  return { code, message, status: extra.status ?? ERROR_CODES[code].status, ...(extra.retryAfterS ? { retryAfterS: extra.retryAfterS } : {}), ...(extra.details ? { details: extra.details } : {}) };
}

/**
 * Answers a refusal at once, before the body is read or any service is
 * called, in the bus's one error body `{ code, message, requestId, details? }`.
 */
export function sendRefusal(req: GatewayRequest, res: GatewayResponse, r: Refusal): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const requestId = req.$ctx?.requestID ?? req.$requestId ?? randomUUID();
  res.statusCode = r.status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('X-Request-ID', requestId);
  if (r.retryAfterS) res.setHeader('Retry-After', String(r.retryAfterS));
  const body: Record<string, unknown> = { code: r.code, message: r.message, requestId };
  if (r.details) body.details = r.details;
  res.$errorCode = r.code;
  res.end(JSON.stringify(body));
}

/**
 * The same refusal as an error, for checks that run where moleculer-web
 * expects a throw (after authentication). `retryAfterMs` in the details is
 * what error-response.ts turns into Retry-After.
 */
export function refusalError(r: Refusal): GridbusError {
  const details = { ...(r.details ?? {}), ...(r.retryAfterS ? { retryAfterMs: r.retryAfterS * 1000 } : {}) };
  return new GridbusError(r.code, r.message, { details });
}
