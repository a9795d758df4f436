import { HygieneOptions } from '../../../config/gateway';
import { GatewayRequest } from '../types';
import { MEDIA_TYPES, createBodyParser, hasBody } from './body-parsing';
import { PolicyHandlers, Verdict, definePolicy } from './contract';
import { Refusal, refusal } from './refusal';

/**
 * Request hygiene: cheap checks that refuse malformed or abusive requests
 * with a clear 4xx before any service sees them. Body size is body-parser's
 * `limit` (413 PAYLOAD_TOO_LARGE); header bytes are Node's `maxHeaderSize`
 * (431, see header-limits.ts).
 */

/** More header lines than allowed → 431. (Node keeps at most `maxHeadersCount`, set one above the limit.) */
export function checkHeaderCount(req: GatewayRequest, maxHeaders: number): Refusal | null {
  const count = req.rawHeaders.length / 2;
  if (count <= maxHeaders) return null;
  return refusal('REQUEST_HEADER_FIELDS_TOO_LARGE', `Too many request headers (at most ${maxHeaders})`);
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex
const QUERY_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/**
 * Path segments (hence every path parameter) must decode, and must not
 * carry a path separator, a dot segment or a control character once
 * decoded: `..%2F..%2Fetc%2Fpasswd`, `%00`, `%5C`. Query values must not
 * carry control characters other than tab and line breaks.
 */
/** A path of plain characters only (no `%`, `.`, `\`, controls) has nothing to decode or check. */
const PLAIN_PATH = /^[A-Za-z0-9\-_~!$&'()*+,;=:@/]*$/;

export function checkPathAndQuery(req: GatewayRequest): Refusal | null {
  const url = req.originalUrl ?? req.url ?? '';
  const q = url.indexOf('?');
  const raw = q < 0 ? url : url.slice(0, q);
  return (PLAIN_PATH.test(raw) ? null : checkPath(raw)) ?? checkQuery(req);
}

function checkPath(raw: string): Refusal | null {
  for (const segment of raw.split('/')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return refusal('MALFORMED_REQUEST', 'The request path is not valid percent-encoding');
    }
    if (decoded === '.' || decoded === '..' || /[/\\]/.test(decoded) || CONTROL.test(decoded)) {
      return refusal('MALFORMED_REQUEST', 'The request path holds a path separator, a dot segment or a control character', { details: { reason: 'path traversal or control character in the path' } });
    }
  }
  return null;
}

function checkQuery(req: GatewayRequest): Refusal | null {
  if (hasControl((req as { query?: unknown }).query, 0)) {
    return refusal('MALFORMED_REQUEST', 'A query parameter holds a control character');
  }
  return null;
}

function hasControl(value: unknown, depth: number): boolean {
  if (typeof value === 'string') return QUERY_CONTROL.test(value);
  if (depth > 8 || value === null || typeof value !== 'object') return false;
  for (const [k, v] of Object.entries(value)) if (QUERY_CONTROL.test(k) || hasControl(v, depth + 1)) return true;
  return false;
}

/**
 * A request carrying a body must say it is one of `allowed` → else 415.
 * `type/` + `*` allows a whole type; `*` + `/` + `*` leaves the check to the route.
 */
export function checkContentType(req: GatewayRequest, allowed: readonly string[]): Refusal | null {
  if (allowed.includes('*/*')) return null;
  const length = req.headers['content-length'];
  const hasBody = (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
  if (!hasBody) return null;
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  const ok = type !== '' && allowed.some((a) => a === type || (a.endsWith('/*') && type.startsWith(a.slice(0, -1))));
  if (ok) return null;
  return refusal('UNSUPPORTED_MEDIA_TYPE', `The request body must be ${allowed.join(' or ')}`, { details: { allowed: [...allowed] } });
}

/** Nesting deeper than `maxDepth` (objects and arrays) → 400; walked without recursion. */
export function checkJsonDepth(body: unknown, maxDepth: number): Refusal | null {
  if (body === null || typeof body !== 'object') return null;
  const stack: Array<[unknown, number]> = [[body, 1]];
  while (stack.length) {
    const [value, depth] = stack.pop()!;
    if (depth > maxDepth) return refusal('MALFORMED_REQUEST', `The request body is nested too deeply (at most ${maxDepth} levels)`);
    for (const child of Object.values(value as object)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return null;
}

type Hygiene = Required<Omit<HygieneOptions, 'bodyLimit'>> & { bodyLimit: string | null };

/**
 * A `stream:` alias (POST /api/v1/reports) hands the body to its action
 * unread, as a stream: the action reads it within its own limits (the
 * upload limits), so it takes multipart/form-data (or JSON) and nothing is
 * parsed here.
 */
const STREAM_MEDIA_TYPES: readonly string[] = ['multipart/form-data', 'application/json'];
const isStreamAlias = (alias: unknown) => (alias as { type?: string } | null)?.type === 'stream';

/**
 * Request hygiene: header count, path and query, the body's media type at
 * `connection`; the body itself (the route's parsers with `bodyLimit`, then
 * the JSON depth) at `body`, the last phase, so nothing is read for a
 * request any earlier policy or the token check refuses.
 */
export const hygienePolicy = definePolicy<Hygiene>({
  name: 'hygiene',
  priority: 800,
  phases: ['connection', 'body'],
  switchable: false,
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      bodyLimit: { type: 'string', pattern: '^[0-9]+(b|kb|mb)$' },
      allowedContentTypes: { type: 'array', items: { type: 'string', pattern: '^([a-z0-9.+-]+/[a-z0-9.+*-]+|\\*/\\*)$' } },
      maxJsonDepth: { type: 'integer', minimum: 1, maximum: 1000 },
    },
  },
  defaults: (config, route) => ({
    bodyLimit: route.parsers.length ? String(route.parsers[0][1].limit ?? '100kb') : null,
    allowedContentTypes: route.parsers.length ? route.parsers.map(([kind]) => MEDIA_TYPES[kind]) : ['application/json'],
    maxJsonDepth: config.maxJsonDepth,
  }),
  merge: (inherited, level) => ({ ...inherited!, ...level, ...(level.allowedContentTypes ? { allowedContentTypes: [...level.allowedContentTypes] } : {}) }),
  create(options, deps, route) {
    const maxHeaders = deps.config.maxHeaders;
    const parse = createBodyParser(route.parsers, options.bodyLimit);
    const handlers: PolicyHandlers = {
      connection: ({ req, alias }) => checkHeaderCount(req, maxHeaders) ?? checkPathAndQuery(req) ?? checkContentType(req, isStreamAlias(alias) ? STREAM_MEDIA_TYPES : options.allowedContentTypes),
    };
    if (parse) {
      handlers.body = ({ req, res, alias }) => {
        if (isStreamAlias(alias)) return null;
        const r = req as GatewayRequest & { body?: unknown };
        // as body-parser does for a request without a body, without a promise
        if (!hasBody(req)) {
          r.body ??= {};
          return null;
        }
        return new Promise<Verdict>((resolve, reject) => parse(req, res, (err) => (err ? reject(err) : resolve(checkJsonDepth(r.body, options.maxJsonDepth)))));
      };
    }
    return handlers;
  },
});
