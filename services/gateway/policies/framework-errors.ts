import { GridbusError } from '../../../core/errors';
import { httpErrorView } from '../error-response';

/**
 * moleculer-web raises a few errors of its own that the bus vocabulary did
 * not know, so they left as 500 INTERNAL: a path parameter that is not
 * valid percent-encoding (BadRequestError UNABLE_DECODE_PARAM), an alias
 * whose service has gone (ServiceUnavailableError), and body-parser
 * failures without a known `type`, a body that does not inflate as its
 * Content-Encoding says. Bad input must never look like our
 * fault: they become their proper codes here. Everything the bus already
 * understands passes through untouched.
 */
export function translateFrameworkError(err: unknown): unknown {
  if (httpErrorView(err).code !== 'INTERNAL') return err;
  const e = (err ?? {}) as { name?: unknown; code?: unknown; status?: unknown; type?: unknown };
  // A body that does not inflate as its Content-Encoding says: zlib's error (code Z_DATA_ERROR, Z_BUF_ERROR...),
  // which moleculer-web re-wraps with that code and no status, so it looked like our fault.
  if (typeof e.code === 'string' && /^Z_[A-Z_]+$/.test(e.code)) {
    return new GridbusError('MALFORMED_REQUEST', 'The request body is not valid gzip or deflate data, as its Content-Encoding says it is', {
      cause: err,
      details: { reason: 'body does not decode as its Content-Encoding' },
    });
  }
  switch (e.name) {
    case 'BadRequestError':
    case 'InvalidRequestBodyError':
      return new GridbusError('MALFORMED_REQUEST', 'The request could not be read: check its path and body', { cause: err });
    case 'ServiceUnavailableError':
      return new GridbusError('SERVICE_UNAVAILABLE', 'A bus service needed for this request is not available', { cause: err });
    case 'PayloadTooLarge':
      return new GridbusError('PAYLOAD_TOO_LARGE', 'Request body is too large', { cause: err });
    case 'ForbiddenError':
      return new GridbusError('FORBIDDEN', 'Forbidden', { cause: err });
    case 'RateLimitExceeded':
      return new GridbusError('RATE_LIMITED', 'API rate limit exceeded', { cause: err });
    default:
      break;
  }
  // body-parser's other refusals (wrong Content-Length, bad stream encoding...) arrive as a 4xx MoleculerError
  const status = typeof e.code === 'number' ? e.code : typeof e.status === 'number' ? e.status : 0;
  if (status >= 400 && status < 500) {
    if (status === 413) return new GridbusError('PAYLOAD_TOO_LARGE', 'Request body is too large', { cause: err });
    if (status === 415) return new GridbusError('UNSUPPORTED_MEDIA_TYPE', 'Request body encoding is not supported', { cause: err });
    return new GridbusError('MALFORMED_REQUEST', 'The request could not be read', { cause: err });
  }
  return err;
}
