import { IpLimitOptions } from '../../../config/gateway';
import { Clock } from '../../../core/resilience/clock';
import { SharedStore, slidingCount } from '../../../core/shared-store';
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

/**
 * The bans of every client IP, in the shared store (`ban:<ip>` → epoch ms
 * until, `offences:<ip>` → count), with a small local cache so that a
 * banned client hammering this node costs no store round trip.
 */
export class BanBook {
  private readonly cache = new Map<string, number>();

  constructor(
    private readonly store: () => SharedStore,
    private readonly clock: Clock,
    private readonly maxCached = 10_000,
  ) {}

  /** Epoch ms until which `ip` is banned; 0 when it is not. */
  async bannedUntil(ip: string): Promise<number> {
    const now = this.clock.now();
    const cached = this.cache.get(ip);
    if (cached !== undefined) {
      if (cached > now) return cached;
      this.cache.delete(ip);
    }
    const until = Number(await this.store().get(`ban:${ip}`)) || 0;
    if (until > now) this.remember(ip, until);
    return until > now ? until : 0;
  }

  /** Bans `ip`: `banSeconds` doubled per earlier offence, at most `maxBanSeconds`. */
  async ban(ip: string, options: IpLimitOptions): Promise<{ until: number; banSeconds: number; offences: number }> {
    const store = this.store();
    const offences = (Number(await store.get(`offences:${ip}`)) || 0) + 1;
    const banSeconds = Math.min(options.banSeconds * 2 ** Math.min(offences - 1, 30), options.maxBanSeconds);
    const until = this.clock.now() + banSeconds * 1000;
    await Promise.all([
      store.set(`offences:${ip}`, String(offences), options.forgetAfter * 1000),
      store.set(`ban:${ip}`, String(until), banSeconds * 1000),
    ]);
    this.remember(ip, until);
    return { until, banSeconds, offences };
  }

  private remember(ip: string, until: number): void {
    if (this.cache.size >= this.maxCached) {
      const now = this.clock.now();
      for (const [k, v] of this.cache) if (v <= now) this.cache.delete(k);
      if (this.cache.size >= this.maxCached) this.cache.clear();
    }
    this.cache.set(ip, until);
  }
}

/** `onBan` hears of a ban this request caused. */
export type IpLimit = (clientIp: string, onBan?: (event: BanEvent) => void) => Promise<Refusal | null>;

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
 * Retry-After and are not counted. Counters live in the shared store, so
 * the limit and the ban hold on every gateway node.
 */
export function createIpLimit(
  options: IpLimitOptions,
  scope: string,
  deps: { store: () => SharedStore; bans: BanBook; clock: Clock },
): IpLimit {
  const windowMs = options.window * 1000;
  return async (clientIp, onBan) => {
    const until = await deps.bans.bannedUntil(clientIp);
    if (until) return bannedRefusal(until, deps.clock.now());
    const counted = await deps.store().incr(`hf:${scope}:${clientIp}`, windowMs);
    const now = deps.clock.now();
    const count = slidingCount(counted, now);
    if (count <= options.threshold) return null;
    const ban = await deps.bans.ban(clientIp, options);
    onBan?.({ ip: clientIp, banSeconds: ban.banSeconds, offences: ban.offences, count: Math.round(count), threshold: options.threshold, window: options.window, scope });
    return bannedRefusal(ban.until, now);
  };
}
