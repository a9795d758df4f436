import { BulkheadOptions } from './bulkhead';
import { CircuitBreakerOptions } from './circuit-breaker';
import { DURATION_PATTERN, parseDuration } from './duration';
import { Backoff, RetryOptions } from './retry';

/**
 * The `resilience:` block of an operation (or the broker-wide defaults), with
 * durations resolved to milliseconds. Omitted settings take the defaults of
 * each policy; `false` switches a policy off (e.g. an operation opting out of
 * a broker-wide breaker).
 */
export interface ResilienceOptions {
  /** Per-attempt deadline, ms. */
  timeout?: number | false;
  retries?: RetryOptions | false;
  breaker?: CircuitBreakerOptions | false;
  bulkhead?: BulkheadOptions | false;
}

/** Most retries a definition may ask for. */
export const MAX_RETRIES = 10;

const durationSchema = {
  anyOf: [
    { type: 'integer', minimum: 0, description: 'milliseconds' },
    { type: 'string', pattern: DURATION_PATTERN, description: "e.g. '200ms', '3s', '1m'" },
  ],
};

/** JSON Schema of the `resilience:` block, for the operation schema. */
export const RESILIENCE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    timeout: { anyOf: [{ const: false }, durationSchema] },
    retries: {
      anyOf: [
        { const: false },
        { type: 'integer', minimum: 0, maximum: MAX_RETRIES, description: 'shorthand for { max: n }' },
        {
          type: 'object',
          additionalProperties: false,
          properties: {
            max: { type: 'integer', minimum: 0, maximum: MAX_RETRIES },
            backoff: { enum: ['fixed', 'exponential'] },
            base: durationSchema,
            maxDelay: durationSchema,
            jitter: { type: 'boolean' },
          },
        },
      ],
    },
    breaker: {
      anyOf: [
        { const: false },
        {
          type: 'object',
          additionalProperties: false,
          properties: {
            failureRatio: { type: 'number', minimum: 0, maximum: 1 },
            minRequests: { type: 'integer', minimum: 1 },
            window: durationSchema,
            halfOpenAfter: durationSchema,
            halfOpenMaxCalls: { type: 'integer', minimum: 1 },
          },
        },
      ],
    },
    bulkhead: {
      anyOf: [
        { const: false },
        {
          type: 'object',
          additionalProperties: false,
          properties: {
            concurrency: { type: 'integer', minimum: 1 },
            queue: { type: 'integer', minimum: 0 },
          },
        },
      ],
    },
  },
};

type Block = Record<string, unknown>;

function fail(path: string, what: string): never {
  throw new Error(`${path}: ${what}`);
}

function isBlock(v: unknown): v is Block {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function block(v: unknown, path: string, keys: readonly string[]): Block {
  if (!isBlock(v)) fail(path, `must be a mapping (or false to switch it off)`);
  for (const k of Object.keys(v)) {
    if (!keys.includes(k)) fail(`${path}.${k}`, `unknown setting (expected one of ${keys.join(', ')})`);
  }
  return v;
}

function integer(v: unknown, path: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) fail(path, `must be an integer (got ${JSON.stringify(v)})`);
  if (v < min || v > max) fail(path, max === Number.MAX_SAFE_INTEGER ? `must be at least ${min}` : `must be between ${min} and ${max}`);
  return v;
}

function duration(v: unknown, path: string, opts: { positive?: boolean } = {}): number {
  const ms = parseDuration(v, path);
  if (opts.positive && ms <= 0) fail(path, 'must be greater than 0');
  return ms;
}

function assign<T extends object, K extends keyof T>(out: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) out[key] = value;
}

function parseRetries(v: unknown, path: string): RetryOptions | false {
  if (v === false) return false;
  if (typeof v === 'number') return { max: integer(v, path, 0, MAX_RETRIES) };
  const b = block(v, path, ['max', 'backoff', 'base', 'maxDelay', 'jitter']);
  const out: RetryOptions = {};
  if (b.max !== undefined) out.max = integer(b.max, `${path}.max`, 0, MAX_RETRIES);
  if (b.backoff !== undefined) {
    if (b.backoff !== 'fixed' && b.backoff !== 'exponential') fail(`${path}.backoff`, `must be fixed or exponential (got ${JSON.stringify(b.backoff)})`);
    out.backoff = b.backoff as Backoff;
  }
  if (b.base !== undefined) out.base = duration(b.base, `${path}.base`);
  if (b.maxDelay !== undefined) out.maxDelay = duration(b.maxDelay, `${path}.maxDelay`);
  if (out.base !== undefined && out.maxDelay !== undefined && out.maxDelay < out.base) fail(`${path}.maxDelay`, 'must not be less than base');
  if (b.jitter !== undefined) {
    if (typeof b.jitter !== 'boolean') fail(`${path}.jitter`, 'must be true or false');
    out.jitter = b.jitter;
  }
  return out;
}

function parseBreaker(v: unknown, path: string): CircuitBreakerOptions | false {
  if (v === false) return false;
  const b = block(v, path, ['failureRatio', 'minRequests', 'window', 'halfOpenAfter', 'halfOpenMaxCalls']);
  const out: CircuitBreakerOptions = {};
  if (b.failureRatio !== undefined) {
    if (typeof b.failureRatio !== 'number' || !(b.failureRatio >= 0 && b.failureRatio <= 1)) fail(`${path}.failureRatio`, 'must be between 0 and 1');
    out.failureRatio = b.failureRatio;
  }
  if (b.minRequests !== undefined) out.minRequests = integer(b.minRequests, `${path}.minRequests`, 1);
  if (b.window !== undefined) out.window = duration(b.window, `${path}.window`, { positive: true });
  if (b.halfOpenAfter !== undefined) out.halfOpenAfter = duration(b.halfOpenAfter, `${path}.halfOpenAfter`);
  if (b.halfOpenMaxCalls !== undefined) out.halfOpenMaxCalls = integer(b.halfOpenMaxCalls, `${path}.halfOpenMaxCalls`, 1);
  return out;
}

function parseBulkhead(v: unknown, path: string): BulkheadOptions | false {
  if (v === false) return false;
  const b = block(v, path, ['concurrency', 'queue']);
  const out: BulkheadOptions = {};
  if (b.concurrency !== undefined) out.concurrency = integer(b.concurrency, `${path}.concurrency`, 1);
  if (b.queue !== undefined) out.queue = integer(b.queue, `${path}.queue`, 0);
  return out;
}

/**
 * Validates a `resilience:` block as read from YAML and resolves it to typed
 * options. Errors are plain Errors whose message starts with the setting's
 * path (`resilience.breaker.failureRatio: must be between 0 and 1`); `where`
 * is that path's prefix. An absent block (undefined / null) gives `{}`.
 */
export function parseResilience(yamlBlock: unknown, where = 'resilience'): ResilienceOptions {
  if (yamlBlock === undefined || yamlBlock === null) return {};
  const b = block(yamlBlock, where, ['timeout', 'retries', 'breaker', 'bulkhead']);
  const out: ResilienceOptions = {};
  if (b.timeout !== undefined) out.timeout = b.timeout === false ? false : duration(b.timeout, `${where}.timeout`, { positive: true });
  assign(out, 'retries', b.retries === undefined ? undefined : parseRetries(b.retries, `${where}.retries`));
  assign(out, 'breaker', b.breaker === undefined ? undefined : parseBreaker(b.breaker, `${where}.breaker`));
  assign(out, 'bulkhead', b.bulkhead === undefined ? undefined : parseBulkhead(b.bulkhead, `${where}.bulkhead`));
  return out;
}

/**
 * Layers options, later winning: broker-wide defaults, then the operation's
 * block. Within retries / breaker / bulkhead, settings merge one by one;
 * `false` switches a policy off and a later block switches it on again.
 */
export function mergeResilience(...layers: Array<ResilienceOptions | undefined>): ResilienceOptions {
  const out: ResilienceOptions = {};
  for (const layer of layers) {
    if (!layer) continue;
    if (layer.timeout !== undefined) out.timeout = layer.timeout;
    if (layer.retries !== undefined) out.retries = layer.retries === false ? false : { ...(out.retries || {}), ...layer.retries };
    if (layer.breaker !== undefined) out.breaker = layer.breaker === false ? false : { ...(out.breaker || {}), ...layer.breaker };
    if (layer.bulkhead !== undefined) out.bulkhead = layer.bulkhead === false ? false : { ...(out.bulkhead || {}), ...layer.bulkhead };
  }
  return out;
}
