import { IpLimitOptions } from '../../../config/gateway';
import { Clock } from '../../../core/resilience/clock';
import { SharedStore, WindowCount, slidingCount } from '../../../core/shared-store';
import { PolicyCall, definePolicy } from './contract';
import { Refusal, refusal } from './refusal';

/** What each ban reports (to the audit log and the logs). */
export interface BanEvent {
  ip: string;
  banSeconds: number;
  /** This IP's offences within `forgetAfter`, this one included. */
  offences: number;
  /** Requests counted in the sliding window when the ban fell. */
  count: number;
  threshold: number;
  window: number;
  scope: string;
}

/** A client IP's record: banned until (epoch ms; past = not banned) and its offences so far. */
export interface BanRecord {
  until: number;
  offences: number;
}

/**
 * The bans of every client IP, in the shared store (`ban:<ip>` →
 * `<until>:<offences>`, kept `forgetAfter` so repeat offences are known),
 * with a small local cache: a banned client hammering this node costs no
 * store round trip, and with `recheckMs` (the counters' sync interval) an
 * address found not banned is asked about again at most that often, so a
 * ban set by another node holds here within that time.
 */
export class BanBook {
  private readonly cache = new Map<string, BanRecord & { checkedAt: number }>();
  private readonly lookups = new Map<string, Promise<BanRecord>>();
  /** Moves on every ban, lift and forget: a lookup that started before answers stale. */
  private generation = 0;

  constructor(
    private readonly store: () => SharedStore,
    private readonly clock: Clock,
    private readonly options: { recheckMs?: number; maxCached?: number } = {},
  ) {}

  /** The IP's record ({ until: 0, offences: 0 } when it has none). */
  async record(ip: string): Promise<BanRecord> {
    return this.known(ip) ?? this.lookup(ip);
  }

  /**
   * The IP's record when this node knows it well enough to answer at once
   * (banned, or checked within `recheckMs`); null when the store must be asked.
   */
  known(ip: string): BanRecord | null {
    const now = this.clock.now();
    const cached = this.cache.get(ip);
    if (!cached) return null;
    if (cached.until > now || now - cached.checkedAt < (this.options.recheckMs ?? 0)) return cached;
    // Known not banned, due for a recheck: answer from memory while one lookup refreshes it,
    // so a busy address costs one store round trip per interval, not one per request.
    if (this.options.recheckMs) {
      void this.lookup(ip).catch(() => undefined);
      return cached;
    }
    this.cache.delete(ip);
    return null;
  }

  /** One store lookup per address at a time; concurrent callers share it. */
  private lookup(ip: string): Promise<BanRecord> {
    let pending = this.lookups.get(ip);
    if (!pending) {
      const generation = this.generation;
      pending = (async () => {
        try {
          const record = parseBan(await this.store().get(`ban:${ip}`));
          const { until } = record;
          // a ban made or lifted here meanwhile is newer than what the store answered
          if (generation !== this.generation) return record;
          if (until > this.clock.now() || this.options.recheckMs) this.remember(ip, record);
          else this.cache.delete(ip);
          return record;
        } finally {
          this.lookups.delete(ip);
        }
      })();
      this.lookups.set(ip, pending);
    }
    return pending;
  }

  /** Forgets what this node knows of `ip` (a ban lifted elsewhere). */
  forget(ip: string): void {
    this.generation++;
    this.cache.delete(ip);
  }

  /** The addresses banned now, longest ban first. */
  async banned(): Promise<Array<{ ip: string; until: number; offences: number }>> {
    const now = this.clock.now();
    return (await this.store().list('ban'))
      .map(({ key, value }) => ({ ip: key, ...parseBan(value) }))
      .filter((b) => b.until > now)
      .sort((a, b) => b.until - a.until);
  }

  /**
   * Ends `ip`'s ban now; false when it was not banned. Its offences are kept
   * (a repeat offence still bans for longer), and counting starts afresh as
   * after any ban. Other nodes must `forget` it (the gateway broadcasts).
   */
  async lift(ip: string, forgetAfterS: number): Promise<boolean> {
    this.cache.delete(ip);
    const record = await this.record(ip);
    const now = this.clock.now();
    if (record.until <= now) return false;
    await this.store().set(`ban:${ip}`, `${now}:${record.offences}`, forgetAfterS * 1000);
    this.forget(ip);
    return true;
  }

  /** Bans `ip`: `banSeconds` doubled per earlier offence, at most `maxBanSeconds`. */
  async ban(ip: string, previous: BanRecord, options: IpLimitOptions): Promise<BanRecord & { banSeconds: number }> {
    const offences = previous.offences + 1;
    const banSeconds = Math.min(options.banSeconds * 2 ** Math.min(offences - 1, 30), options.maxBanSeconds);
    const until = this.clock.now() + banSeconds * 1000;
    this.generation++;
    await this.store().set(`ban:${ip}`, `${until}:${offences}`, Math.max(options.forgetAfter, banSeconds) * 1000);
    this.remember(ip, { until, offences });
    return { until, offences, banSeconds };
  }

  private remember(ip: string, record: BanRecord): void {
    const now = this.clock.now();
    if (this.cache.size >= (this.options.maxCached ?? 10_000)) {
      for (const [k, v] of this.cache) if (v.until <= now) this.cache.delete(k);
      if (this.cache.size >= (this.options.maxCached ?? 10_000)) this.cache.clear();
    }
    this.cache.set(ip, { ...record, checkedAt: now });
  }
}

/** A stored `<until>:<offences>` (none: not banned, no offences). */
function parseBan(value: string | null): BanRecord {
  const [until, offences] = (value ?? '0:0').split(':').map((n) => Number(n) || 0);
  return { until, offences: offences ?? 0 };
}

/** `onBan` hears of a ban this request caused. */
export type IpLimit = (clientIp: string, onBan?: (event: BanEvent) => void) => Refusal | null | Promise<Refusal | null>;

function bannedRefusal(untilMs: number, now: number): Refusal {
  return refusal('IP_BANNED', 'Too many requests from your address: it is blocked for a while', {
    retryAfterS: Math.max(1, Math.ceil((untilMs - now) / 1000)),
  });
}

/**
 * IP high-frequency control. Each request of a client IP is counted in an
 * approximate sliding window (two fixed windows, see slidingCount); above
 * `threshold` in `window` seconds the IP is banned for `banSeconds`,
 * doubling on each repeat offence (remembered `forgetAfter` seconds) up to
 * `maxBanSeconds`. Banned requests are answered 429 IP_BANNED with
 * Retry-After and are not counted; after a ban the count starts afresh. Counters live in the shared store, so
 * the limit and the ban hold on every gateway node.
 */
export function createIpLimit(
  options: IpLimitOptions,
  scope: string,
  deps: { store: () => SharedStore; bans: BanBook; clock: Clock },
): IpLimit {
  const windowMs = options.window * 1000;
  const over = async (clientIp: string, record: BanRecord, count: number, now: number, onBan?: (event: BanEvent) => void): Promise<Refusal> => {
    const ban = await deps.bans.ban(clientIp, record, options);
    onBan?.({ ip: clientIp, banSeconds: ban.banSeconds, offences: ban.offences, count: Math.round(count), threshold: options.threshold, window: options.window, scope });
    // The ban started after `now` was read: measure from the present, or Retry-After overshoots the ban.
    return bannedRefusal(ban.until, Math.max(now, deps.clock.now()));
  };
  const judge = (clientIp: string, record: BanRecord, counted: WindowCount, onBan?: (event: BanEvent) => void): Refusal | null | Promise<Refusal> => {
    const now = deps.clock.now();
    const count = slidingCount(counted, now);
    return count <= options.threshold ? null : over(clientIp, record, count, now, onBan);
  };
  const key = (clientIp: string, record: BanRecord) => `hf:${scope}:${clientIp}:${record.offences}`;
  const counted = async (clientIp: string, onBan?: (event: BanEvent) => void): Promise<Refusal | null> => {
    const record = await deps.bans.record(clientIp);
    if (record.until > deps.clock.now()) return bannedRefusal(record.until, deps.clock.now());
    // counted afresh after each ban: a client that served its ban starts from zero
    return judge(clientIp, record, await deps.store().incr(key(clientIp, record), windowMs), onBan);
  };
  // Answered without a promise when the ban book and the counter are in memory (the usual case).
  return (clientIp, onBan) => {
    const record = deps.bans.known(clientIp);
    if (!record) return counted(clientIp, onBan);
    if (record.until > deps.clock.now()) return bannedRefusal(record.until, deps.clock.now());
    const now = deps.store().incrNow?.(key(clientIp, record), windowMs);
    return now ? judge(clientIp, record, now, onBan) : counted(clientIp, onBan);
  };
}

/** The control's options when a level switches it on while GATEWAY_IP_LIMIT is off. */
export const IP_LIMIT_DEFAULTS: IpLimitOptions = { threshold: 1200, window: 60, banSeconds: 60, maxBanSeconds: 3600, forgetAfter: 86400 };

/**
 * IP high-frequency control. `count: requests` (default) counts every
 * request as it arrives; `count: refusals` counts only requests refused
 * before their body (a missing or bad token, an address not allowed), so
 * on operator routes a valid token is never counted nor banned while an
 * unauthenticated flood still is.
 */
export const ipLimitPolicy = definePolicy<IpLimitOptions>({
  name: 'ipLimit',
  priority: 900,
  phases: ['connection', 'refused'],
  switchable: true,
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      threshold: { type: 'integer', minimum: 1 },
      window: { type: 'integer', minimum: 1, maximum: 86400 },
      banSeconds: { type: 'integer', minimum: 1, maximum: 604800 },
      maxBanSeconds: { type: 'integer', minimum: 1, maximum: 604800 },
      forgetAfter: { type: 'integer', minimum: 1, maximum: 604800 },
      count: { enum: ['requests', 'refusals'] },
    },
  },
  defaults: (config) => config.ipLimit || null,
  merge: (inherited, level, config) => ({ ...(inherited ?? (config.ipLimit || IP_LIMIT_DEFAULTS)), ...level }),
  create(options, deps, route) {
    const limit = createIpLimit(options, route.scope, deps);
    const check = (call: PolicyCall) =>
      // a trusted proxy's own address is infrastructure: counting it would ban every client behind it
      deps.trustedProxies.has(call.clientIp) ? null : limit(call.clientIp, (ban) => deps.onBan(ban, call.req));
    return options.count === 'refusals' ? { refused: check } : { connection: check };
  },
});
