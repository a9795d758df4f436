/**
 * The counters and short-lived entries the gateway nodes share (IP
 * high-frequency control, bans, rate limits). One tiny interface, in the
 * spirit of fastify-rate-limit's stores, with a local (one node, in memory)
 * and a cluster (NATS JetStream KV) implementation.
 *
 * Keys are free strings; callers separate their parts with ':'
 * (`ban:203.0.113.7`, `rl:api:minute:user-7`). Values are short strings.
 */
export interface SharedStore {
  /** 'local', 'nats-kv', or 'fail-safe(nats-kv|local)'. */
  readonly kind: string;
  /**
   * Adds one (or `by`) to `key`'s counter in the fixed window of `windowMs`
   * holding now (or `at`, epoch ms: hits counted locally and sent later land
   * in the window they happened in). Windows are aligned on the epoch, so
   * every node agrees where they start.
   */
  incr(key: string, windowMs: number, hits?: Hits): Promise<WindowCount>;
  /**
   * One hit counted at once, without I/O, when the store can answer so
   * (memory, a counter synced recently); null when only `incr` can. Lets the
   * gateway's hot path skip a promise per limit.
   */
  incrNow?(key: string, windowMs: number): WindowCount | null;
  /** The value set under `key`, or null when none or expired. */
  get(key: string): Promise<string | null>;
  /** Sets `key` for `ttlMs` (the store may keep it up to one clean-up pass longer; `get` never answers it after). */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * The live values whose keys start with `prefix` + ':' (e.g. `ban` → every
   * `ban:<ip>`), keys without the prefix. For operators' listings, not for
   * the request path: it reads the whole set.
   */
  list(prefix: string): Promise<Array<{ key: string; value: string }>>;
  /** Resolves when the store can serve; rejects (fast) when it cannot. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** How many hits an `incr` adds, and when they happened. */
export interface Hits {
  /** Default 1. */
  by?: number;
  /** Epoch ms; default now. */
  at?: number;
}

export interface WindowCount {
  /** Hits in the current window, this one included. */
  count: number;
  /** Hits in the window before (0 when it has expired or never existed). */
  previous: number;
  /** Epoch ms at which the current window ends. */
  resetAt: number;
  windowMs: number;
}

/** Start of the fixed window holding `now`. */
export function windowStart(now: number, windowMs: number): number {
  return Math.floor(now / windowMs) * windowMs;
}

/**
 * Approximate sliding-window count from two fixed windows (the technique of
 * Cloudflare's and nginx's limiters): the previous window's hits weighted by
 * how much of it still overlaps the sliding window, plus the current ones.
 * Exact when traffic is even across the previous window; never under-counts
 * the current window.
 */
export function slidingCount(w: WindowCount, now: number): number {
  const elapsed = now - (w.resetAt - w.windowMs);
  const weight = Math.max(0, Math.min(1, 1 - elapsed / w.windowMs));
  return w.count + w.previous * weight;
}

/** The store cannot serve (not connected, no JetStream, bucket gone). */
export class SharedStoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SharedStoreUnavailableError';
  }
}

/** Too many nodes updated one counter at once; the store itself is fine. */
export class SharedStoreContentionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SharedStoreContentionError';
  }
}

/** The store did not answer within the allowed time. */
export class SharedStoreTimeoutError extends Error {
  constructor(readonly timeoutMs: number, options?: { cause?: unknown }) {
    super(`shared store did not answer within ${timeoutMs} ms`, options);
    this.name = 'SharedStoreTimeoutError';
  }
}
