import { CorsOptions } from '../../../config/gateway';
import { ANSWERED, definePolicy } from './contract';

/** Request headers a cross-origin caller may send (answered to a preflight when it asks for them). */
const ALLOWED_HEADERS = new Set(['authorization', 'content-type', 'x-request-id', 'x-correlation-id', 'idempotency-key']);
/** Response headers a cross-origin caller may read. */
const EXPOSED_HEADERS = 'X-Request-ID, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset';
export const ORIGIN_PATTERN = '^https?://(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?$';

/**
 * CORS from an allow-list of origins (GATEWAY_CORS_ORIGINS; none by
 * default). A preflight (OPTIONS with Access-Control-Request-Method) from
 * an allowed origin, for a method the path has, is answered 204 with the
 * Access-Control-Allow-* headers; every other OPTIONS falls through to the
 * gateway's fixed answer (403 for a preflight, 204 with Allow otherwise),
 * without CORS headers. No OPTIONS ever runs an action, whatever this
 * policy's options. An actual request from an allowed origin gets
 * Access-Control-Allow-Origin; from any other origin, nothing.
 */
export const corsPolicy = definePolicy<CorsOptions>({
  name: 'cors',
  priority: 700,
  phases: ['connection'],
  switchable: true,
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      origins: { type: 'array', items: { type: 'string', pattern: ORIGIN_PATTERN } },
      maxAge: { type: 'integer', minimum: 0, maximum: 86400 },
    },
  },
  defaults: (config) => (config.cors.origins.length ? config.cors : null),
  merge: (inherited, level, config) => ({ ...(inherited ?? config.cors), ...level }),
  create(options) {
    const origins = new Set(options.origins.map((o) => o.toLowerCase()));
    if (!origins.size) return null;
    const maxAge = String(options.maxAge);
    return {
      connection({ req, res, alias }) {
        const origin = req.headers.origin;
        if (typeof origin !== 'string' || !origins.has(origin.toLowerCase())) return null;
        const requested = req.headers['access-control-request-method'];
        if (req.method === 'OPTIONS') {
          // only for a method this path has: `alias` is the alias the preflight's method resolves to
          if (typeof requested !== 'string' || !alias) return null;
          const headers = String(req.headers['access-control-request-headers'] ?? '')
            .split(',')
            .map((h) => h.trim().toLowerCase())
            .filter((h) => ALLOWED_HEADERS.has(h));
          res.statusCode = 204;
          res.setHeader('Access-Control-Allow-Origin', origin);
          res.setHeader('Vary', 'Origin');
          res.setHeader('Access-Control-Allow-Methods', alias.method === '*' ? requested : alias.method);
          if (headers.length) res.setHeader('Access-Control-Allow-Headers', headers.join(', '));
          res.setHeader('Access-Control-Max-Age', maxAge);
          res.setHeader('Content-Length', '0');
          res.end();
          return ANSWERED;
        }
        res.setHeader('Access-Control-Allow-Origin', origin);
        res.setHeader('Vary', 'Origin');
        res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
        return null;
      },
    };
  },
});
