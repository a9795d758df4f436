import { connect, ConnectionOptions, KV, KvEntry, NatsConnection, StorageType } from 'nats';
import { maskUrlSecrets } from '../crypto/mask-url';
import { Clock, TimerHandle, realClock } from '../resilience/clock';
import { Hits, SharedStore, SharedStoreContentionError, SharedStoreUnavailableError, WindowCount, windowStart } from './types';

export interface NatsKvStoreOptions {
  /** NATS URL(s), comma-separated. */
  servers: string;
  /** Keeps the keys of one bus (BUS_NAMESPACE) apart from another's on a shared NATS. */
  namespace: string;
  /** Connection name shown by the NATS server (`gridbus:<node>:shared-store`). */
  name?: string;
  /** Timeout of each JetStream API request, ms. Default 1000. */
  requestTimeoutMs?: number;
  /** Wait between connection attempts, ms. Default 1000. */
  reconnectWaitMs?: number;
  /** Compare-and-set attempts per update before giving up (the fail-safe store then counts locally). Default 25. */
  maxCasAttempts?: number;
  clock?: Clock;
}

/** Buckets are shared by every bus on the NATS (keys carry the namespace), so their number stays fixed. */
const COUNTERS_BUCKET = 'gridbus-counters';
const ENTRIES_BUCKET = 'gridbus-entries';
/** The entries bucket's own TTL: no `set` may ask for longer. */
export const MAX_ENTRY_TTL_MS = 7 * 24 * 3600 * 1000;
/** JetStream's "wrong last sequence": another node updated the key first. */
const CAS_CONFLICT = 10071;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Counters and entries in NATS JetStream KV, shared by every gateway node.
 *
 * - `incr`: one key per window (`<ns>.<key>.w<index>`), incremented with
 *   compare-and-set (`kv.update(key, value, revision)`), retried on conflict;
 *   concurrent increments of a key on one node are coalesced into one update.
 *   Counter buckets are grouped by TTL class (twice the window, rounded up to
 *   a power of two seconds, in memory storage) so old windows vanish by
 *   themselves.
 * - `get`/`set`: one file-storage bucket whose TTL is MAX_ENTRY_TTL_MS; each
 *   value carries its own expiry, which `get` honours.
 *
 * The connection is our own (see docs/security.md for why not the
 * transporter's); it is opened in the background and reconnects forever.
 * While it is down every operation fails at once with
 * SharedStoreUnavailableError, which FailSafeStore turns into a local fallback.
 */
export class NatsKvStore implements SharedStore {
  readonly kind = 'nats-kv';
  private nc: NatsConnection | null = null;
  private connected = false;
  private closed = false;
  private retryTimer: TimerHandle | null = null;
  private lastConnectError: string | null = null;
  /** The connection was handed in (`over`): `close` leaves it open. */
  private borrowed = false;
  private readonly buckets = new Map<string, Promise<KV>>();
  /** Counter key → increments waiting for the update in flight. */
  private readonly queued = new Map<string, Array<{ by: number; resolve: (r: { count: number; previous: number }) => void; reject: (err: unknown) => void }>>();
  private readonly inflight = new Set<string>();
  private readonly clock: Clock;
  private readonly ns: string;

  private constructor(private readonly options: NatsKvStoreOptions) {
    this.clock = options.clock ?? realClock;
    this.ns = encodePart(options.namespace);
  }

  /** Starts connecting in the background and returns at once. */
  static connect(options: NatsKvStoreOptions): NatsKvStore {
    const store = new NatsKvStore(options);
    void store.connectLoop();
    return store;
  }

  /** Over a connection someone else owns (tests); `close` leaves it open. */
  static over(nc: NatsConnection, options: Omit<NatsKvStoreOptions, 'servers'>): NatsKvStore {
    const store = new NatsKvStore({ ...options, servers: nc.getServer() });
    store.nc = nc;
    store.connected = !nc.isClosed();
    store.borrowed = true;
    void store.watchStatus(nc);
    return store;
  }

  /** Where the store lives, for health details. */
  describe(): string {
    return `NATS KV ${COUNTERS_BUCKET}-*/${ENTRIES_BUCKET} on ${maskNatsUrl(this.options.servers)}`;
  }

  async incr(key: string, windowMs: number, hits: Hits = {}): Promise<WindowCount> {
    const start = windowStart(hits.at ?? this.clock.now(), windowMs);
    const index = Math.floor(start / windowMs);
    const base = `${this.ns}.${encodeKey(key)}`;
    const { count, previous } = await this.enqueue(counterBucket(windowMs), `${base}.w${index}`, `${base}.w${index - 1}`, hits.by ?? 1);
    return { count, previous, resetAt: start + windowMs, windowMs };
  }

  /**
   * Increments of one key made on this node while an update of it is in
   * flight are coalesced into the next single update (+k): a flood from one
   * client costs one compare-and-set at a time per node, and contention is
   * only ever between nodes.
   */
  private enqueue(bucket: string, k: string, previousKey: string, by: number): Promise<{ count: number; previous: number }> {
    return new Promise((resolve, reject) => {
      let batch = this.queued.get(k);
      if (!batch) {
        batch = [];
        this.queued.set(k, batch);
      }
      batch.push({ by, resolve, reject });
      if (!this.inflight.has(k)) void this.flush(bucket, k, previousKey);
    });
  }

  private async flush(bucket: string, k: string, previousKey: string): Promise<void> {
    this.inflight.add(k);
    try {
      for (let batch = this.queued.get(k); batch; batch = this.queued.get(k)) {
        this.queued.delete(k);
        try {
          const kv = await this.bucket(bucket);
          const previousP = kv.get(previousKey).then(countOf, () => 0);
          const before = await this.casAdd(kv, bucket, k, batch.reduce((n, w) => n + w.by, 0));
          const previous = await previousP;
          let count = before;
          for (const w of batch) w.resolve({ count: (count += w.by), previous });
        } catch (err) {
          for (const w of batch) w.reject(err);
        }
      }
    } finally {
      this.inflight.delete(k);
    }
  }

  /** Adds `n` with compare-and-set, retrying on conflict with a short jittered pause; answers the value before. */
  private async casAdd(kv: KV, bucket: string, k: string, n: number): Promise<number> {
    const attempts = this.options.maxCasAttempts ?? 25;
    for (let attempt = 1; ; attempt++) {
      const entry = await this.guard(bucket, () => kv.get(k));
      const before = countOf(entry);
      try {
        if (entry && entry.operation === 'PUT') await kv.update(k, encoder.encode(String(before + n)), entry.revision);
        else await kv.create(k, encoder.encode(String(n)));
        return before;
      } catch (err) {
        if (!isCasConflict(err)) {
          this.forget(bucket);
          throw unavailable(err);
        }
        if (attempt >= attempts) throw new SharedStoreContentionError(`NATS KV: ${k} still contended after ${attempts} attempts`, { cause: err });
        await new Promise<void>((resolve) => this.clock.setTimer(Math.random() * 2 * attempt, resolve));
      }
    }
  }

  async get(key: string): Promise<string | null> {
    const kv = await this.bucket(ENTRIES_BUCKET);
    const entry = await this.guard(ENTRIES_BUCKET, () => kv.get(`${this.ns}.${encodeKey(key)}`));
    if (!entry || entry.operation !== 'PUT') return null;
    try {
      const { v, exp } = JSON.parse(decoder.decode(entry.value)) as { v: string; exp: number };
      return exp > this.clock.now() ? v : null;
    } catch {
      return null;
    }
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    const kv = await this.bucket(ENTRIES_BUCKET);
    const exp = this.clock.now() + Math.min(ttlMs, MAX_ENTRY_TTL_MS);
    await this.guard(ENTRIES_BUCKET, () => kv.put(`${this.ns}.${encodeKey(key)}`, encoder.encode(JSON.stringify({ v: value, exp }))));
  }

  async delete(key: string): Promise<void> {
    const kv = await this.bucket(ENTRIES_BUCKET);
    await this.guard(ENTRIES_BUCKET, () => kv.delete(`${this.ns}.${encodeKey(key)}`));
  }

  async list(prefix: string): Promise<Array<{ key: string; value: string }>> {
    const kv = await this.bucket(ENTRIES_BUCKET);
    const head = `${this.ns}.${encodeKey(prefix)}.`;
    const keys = await this.guard(ENTRIES_BUCKET, async () => {
      const found: string[] = [];
      for await (const k of await kv.keys(`${head}>`)) found.push(k);
      return found;
    });
    const out: Array<{ key: string; value: string }> = [];
    for (const k of keys) {
      const key = decodeKey(k.slice(head.length));
      const value = await this.get(`${prefix}:${key}`);
      if (value !== null) out.push({ key, value });
    }
    return out;
  }

  /** Connected, JetStream answers and the entries bucket is there (created if need be). */
  async ping(): Promise<void> {
    const kv = await this.bucket(ENTRIES_BUCKET);
    await this.guard(ENTRIES_BUCKET, () => kv.get(`${this.ns}.ping`));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.retryTimer?.clear();
    const nc = this.nc;
    this.nc = null;
    this.connected = false;
    if (nc && !this.borrowed && !nc.isClosed()) await nc.close().catch(() => undefined);
  }

  private async connectLoop(): Promise<void> {
    while (!this.closed && !this.nc) {
      const opts: ConnectionOptions = {
        ...natsServerOptions(this.options.servers),
        name: this.options.name ?? 'gridbus-shared-store',
        timeout: 2000,
        maxReconnectAttempts: -1,
        reconnectTimeWait: this.options.reconnectWaitMs ?? 1000,
        pingInterval: 10_000,
      };
      try {
        const nc = await connect(opts);
        if (this.closed) {
          await nc.close();
          return;
        }
        this.nc = nc;
        this.connected = true;
        this.lastConnectError = null;
        void this.watchStatus(nc);
      } catch (err) {
        this.lastConnectError = (err as Error).message;
        await new Promise<void>((resolve) => {
          this.retryTimer = this.clock.setTimer(this.options.reconnectWaitMs ?? 1000, resolve);
        });
      }
    }
  }

  private async watchStatus(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') this.connected = false;
      if (s.type === 'reconnect') {
        this.connected = true;
        // Memory-storage buckets may be gone after a server restart: bind afresh.
        this.buckets.clear();
      }
    }
    this.connected = false;
  }

  private bucket(name: string): Promise<KV> {
    const nc = this.nc;
    if (!nc || !this.connected) {
      const why = this.lastConnectError ? `: ${this.lastConnectError}` : '';
      return Promise.reject(new SharedStoreUnavailableError(`not connected to ${maskNatsUrl(this.options.servers)}${why}`));
    }
    let kv = this.buckets.get(name);
    if (!kv) {
      const counters = name !== ENTRIES_BUCKET;
      kv = nc
        .jetstream({ timeout: this.options.requestTimeoutMs ?? 1000 })
        .views.kv(name, {
          history: 1,
          ttl: counters ? counterBucketTtlMs(name) : MAX_ENTRY_TTL_MS,
          storage: counters ? StorageType.Memory : StorageType.File,
          timeout: this.options.requestTimeoutMs ?? 1000,
        })
        .catch((err: unknown) => {
          this.buckets.delete(name);
          throw unavailable(err);
        });
      this.buckets.set(name, kv);
    }
    return kv;
  }

  /** Runs a KV call; any failure drops the cached bucket so the next call binds afresh. */
  private async guard<T>(bucket: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      this.forget(bucket);
      throw unavailable(err);
    }
  }

  private forget(bucket: string): void {
    this.buckets.delete(bucket);
  }
}

/** `gridbus-counters-<s>s`: twice the window, rounded up to a power of two seconds (at least 2). */
export function counterBucket(windowMs: number): string {
  const need = Math.max(2, Math.ceil((2 * windowMs) / 1000));
  return `${COUNTERS_BUCKET}-${2 ** Math.ceil(Math.log2(need))}s`;
}

function counterBucketTtlMs(bucket: string): number {
  return Number(/-(\d+)s$/.exec(bucket)![1]) * 1000;
}

/**
 * KV keys allow `[-/_=.a-zA-Z0-9]` in dot-separated tokens. Each ':'-part of
 * our key is kept when it is a plain token, otherwise written `=` + base64url:
 * one-to-one, and IPv6 addresses or user ids with odd characters are safe.
 */
export function encodeKey(key: string): string {
  return key.split(':').map(encodePart).join('.');
}

/** The inverse of encodeKey. */
export function decodeKey(encoded: string): string {
  return encoded
    .split('.')
    .map((part) => (part.startsWith('=') ? Buffer.from(part.slice(1), 'base64url').toString('utf8') : part))
    .join(':');
}

function encodePart(part: string): string {
  return /^[A-Za-z0-9_-]+$/.test(part) ? part : `=${Buffer.from(part, 'utf8').toString('base64url')}`;
}

/** Credentials in a NATS URL never reach health details or logs (the one URL masker: core/crypto/mask-url.ts). */
export const maskNatsUrl = maskUrlSecrets;

/**
 * NATS_URL as nats.js wants it: nats.js ignores user info in server URLs
 * (Moleculer's transporter reads it), so `user:pass@` becomes user and pass,
 * a lone `token@` the token, as NATS URLs mean them.
 */
export function natsServerOptions(urls: string): Pick<ConnectionOptions, 'servers' | 'user' | 'pass' | 'token'> {
  const out: Pick<ConnectionOptions, 'servers' | 'user' | 'pass' | 'token'> = { servers: [] };
  for (const text of urls.split(',').map((s) => s.trim()).filter(Boolean)) {
    const url = new URL(text);
    if (url.username && out.user === undefined && out.token === undefined) {
      if (url.password) Object.assign(out, { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) });
      else out.token = decodeURIComponent(url.username);
    }
    (out.servers as string[]).push(`${url.protocol}//${url.host}`);
  }
  return out;
}

function countOf(entry: KvEntry | null): number {
  if (!entry || entry.operation !== 'PUT') return 0;
  const n = Number(decoder.decode(entry.value));
  return Number.isFinite(n) && n > 0 ? n : 0;
}

function isCasConflict(err: unknown): boolean {
  return (err as { api_error?: { err_code?: number } } | null)?.api_error?.err_code === CAS_CONFLICT;
}

function unavailable(err: unknown): Error {
  if (err instanceof SharedStoreUnavailableError) return err;
  return new SharedStoreUnavailableError(`NATS KV: ${(err as Error)?.message ?? String(err)}`, { cause: err });
}
