import { RateLimitingOptions } from '../../../config/gateway';
import { Clock } from '../../../core/resilience/clock';
import { SharedStore } from '../../../core/shared-store';
import { GatewayResponse } from '../types';
import { Refusal, refusal } from './refusal';

const UNITS = [
  ['second', 1000],
  ['minute', 60_000],
  ['hour', 3_600_000],
  ['day', 86_400_000],
] as const;

export type RateLimiting = (who: { userId: string | null; clientIp: string }, res: GatewayResponse) => Promise<Refusal | null>;

/**
 * Kong's `rate-limiting` (APISIX `limit-count`): requests per fixed window
 * (second / minute / hour / day, any together) for each consumer (the JWT
 * subject; callers without one are counted by IP) or each IP, within the
 * scope the limit was configured for (a route group or one route). Counted
 * in the shared store, so the limit is cluster-wide.
 *
 * Every answer carries RateLimit-Limit / -Remaining / -Reset for the window
 * closest to its limit, and X-RateLimit-Limit-<Unit> / -Remaining-<Unit> per
 * window (Kong's headers), unless `hideClientHeaders`. Over the limit: 429
 * RATE_LIMITED with Retry-After (seconds until every exceeded window resets).
 */
export function createRateLimiting(options: RateLimitingOptions, scope: string, deps: { store: () => SharedStore; clock: Clock }): RateLimiting {
  const limits = UNITS.filter(([unit]) => options[unit]).map(([unit, windowMs]) => ({ unit, windowMs, limit: options[unit]! }));
  const byIp = options.limitBy === 'ip';
  return async ({ userId, clientIp }, res) => {
    if (!limits.length) return null;
    const who = !byIp && userId ? `user:${userId}` : `ip:${clientIp}`;
    const store = deps.store();
    const counts = await Promise.all(limits.map((l) => store.incr(`rl:${scope}:${l.unit}:${who}`, l.windowMs)));
    const now = deps.clock.now();
    let tightest = 0;
    let retryAfterS = 0;
    limits.forEach((l, i) => {
      const remaining = l.limit - counts[i].count;
      const resetS = Math.max(1, Math.ceil((counts[i].resetAt - now) / 1000));
      if (remaining < limits[tightest].limit - counts[tightest].count) tightest = i;
      if (remaining < 0) retryAfterS = Math.max(retryAfterS, resetS);
      if (!options.hideClientHeaders) {
        const Unit = l.unit[0].toUpperCase() + l.unit.slice(1);
        res.setHeader(`X-RateLimit-Limit-${Unit}`, String(l.limit));
        res.setHeader(`X-RateLimit-Remaining-${Unit}`, String(Math.max(0, remaining)));
      }
    });
    if (!options.hideClientHeaders) {
      const t = limits[tightest];
      res.setHeader('RateLimit-Limit', String(t.limit));
      res.setHeader('RateLimit-Remaining', String(Math.max(0, t.limit - counts[tightest].count)));
      res.setHeader('RateLimit-Reset', String(Math.max(1, Math.ceil((counts[tightest].resetAt - now) / 1000))));
    }
    if (!retryAfterS) return null;
    return refusal('RATE_LIMITED', 'API rate limit exceeded: slow down and retry later', { retryAfterS });
  };
}
