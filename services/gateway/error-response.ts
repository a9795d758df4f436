import type { IncomingMessage, ServerResponse } from 'http';
import { ErrorView, toErrorView } from '../../core/errors';
import { GatewayResponse } from './types';

/** Errors raised by moleculer-web's body parser carry an http-errors `type`. */
const BODY_PARSER_ERRORS: Record<string, ErrorView> = {
  'entity.parse.failed': { code: 'MALFORMED_REQUEST', status: 400, message: 'Request body is not valid JSON' },
  'entity.too.large': { code: 'PAYLOAD_TOO_LARGE', status: 413, message: 'Request body is too large' },
  'encoding.unsupported': { code: 'UNSUPPORTED_MEDIA_TYPE', status: 415, message: 'Content-Encoding is not supported: send the body as identity, gzip or deflate', details: { allowedEncodings: ['identity', 'gzip', 'deflate'] } },
  'charset.unsupported': { code: 'UNSUPPORTED_MEDIA_TYPE', status: 415, message: 'Request body charset is not supported' },
  'request.aborted': { code: 'MALFORMED_REQUEST', status: 400, message: 'Request body was not received completely' },
};

export function httpErrorView(err: unknown): ErrorView {
  const type = (err as { type?: unknown } | null)?.type;
  if (typeof type === 'string' && Object.prototype.hasOwnProperty.call(BODY_PARSER_ERRORS, type)) return BODY_PARSER_ERRORS[type];
  return toErrorView(err);
}

/** The one error body of the bus: `{ code, message, requestId }` (+ details when safe). */
export function sendError(req: IncomingMessage & { $ctx?: { requestID?: string | null } }, res: ServerResponse, err: unknown, fallbackRequestId: string): ErrorView {
  const view = httpErrorView(err);
  const requestId = req.$ctx?.requestID ?? (res.getHeader('X-Request-ID') as string | undefined) ?? fallbackRequestId;
  if (res.headersSent) {
    res.end();
    return view;
  }
  res.statusCode = view.status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('X-Request-ID', requestId);
  if (view.status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
  // An open circuit (or a full bulkhead) says when to come back; tell the caller.
  const retryAfterMs = (err as { data?: { retryAfterMs?: unknown } } | null)?.data?.retryAfterMs;
  if ((view.status === 503 || view.status === 429) && typeof retryAfterMs === 'number' && retryAfterMs > 0) {
    res.setHeader('Retry-After', String(Math.ceil(retryAfterMs / 1000)));
  }
  const body: Record<string, unknown> = { code: view.code, message: view.message, requestId };
  // Details help a caller fix its request; on 5xx they would only leak internals.
  if (view.details && view.status < 500) body.details = view.details;
  (res as GatewayResponse).$errorCode = view.code;
  res.end(JSON.stringify(body));
  return view;
}
