import { RateLimitingOptions } from '../../../config/gateway';
import { Clock } from '../../../core/resilience/clock';
import { SharedStore, WindowCount } from '../../../core/shared-store';
import { GatewayResponse } from '../types';
import { definePolicy } from './contract';
import { Refusal, refusal } from './refusal';

const UNITS = [
  ['second', 1000],
  ['minute', 60_000],
  ['hour', 3_600_000],
  ['day', 86_400_000],
] as const;

export type RateLimiting = (who: { userId: string | null; clientIp: string }, res: GatewayResponse) => Refusal | null | Promise<Refusal | null>;

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
  // everything but the counts worked out once
  const limits = UNITS.filter(([unit]) => options[unit]).map(([unit, windowMs]) => {
    const Unit = unit[0].toUpperCase() + unit.slice(1);
    const limit = options[unit]!;
    return { unit, windowMs, limit, limitText: String(limit), limitHeader: `X-RateLimit-Limit-${Unit}`, remainingHeader: `X-RateLimit-Remaining-${Unit}`, prefix: `rl:${scope}:${unit}:` };
  });
  const byIp = options.limitBy === 'ip';

  const answer = (counts: WindowCount[], res: GatewayResponse): Refusal | null => {
    const now = deps.clock.now();
    let tightest = 0;
    let retryAfterS = 0;
    for (let i = 0; i < limits.length; i++) {
      const l = limits[i];
      const remaining = l.limit - counts[i].count;
      if (remaining < limits[tightest].limit - counts[tightest].count) tightest = i;
      if (remaining < 0) retryAfterS = Math.max(retryAfterS, Math.max(1, Math.ceil((counts[i].resetAt - now) / 1000)));
      if (!options.hideClientHeaders) {
        res.setHeader(l.limitHeader, l.limitText);
        res.setHeader(l.remainingHeader, String(Math.max(0, remaining)));
      }
    }
    if (!options.hideClientHeaders) {
      const t = limits[tightest];
      res.setHeader('RateLimit-Limit', t.limitText);
      res.setHeader('RateLimit-Remaining', String(Math.max(0, t.limit - counts[tightest].count)));
      res.setHeader('RateLimit-Reset', String(Math.max(1, Math.ceil((counts[tightest].resetAt - now) / 1000))));
    }
    if (!retryAfterS) return null;
    return refusal('RATE_LIMITED', 'API rate limit exceeded: slow down and retry later', { retryAfterS });
  };

  return ({ userId, clientIp }, res) => {
    if (!limits.length) return null;
    const who = !byIp && userId ? `user:${userId}` : `ip:${clientIp}`;
    const store = deps.store();
    // counted in memory when the store can (the usual case): no promise per request
    const counts: WindowCount[] = [];
    let i = 0;
    for (; i < limits.length; i++) {
      const c = store.incrNow?.(limits[i].prefix + who, limits[i].windowMs);
      if (!c) break;
      counts.push(c);
    }
    if (i === limits.length) return answer(counts, res);
    const rest = limits.slice(i).map((l) => store.incr(l.prefix + who, l.windowMs));
    return Promise.all(rest).then((more) => answer([...counts, ...more], res));
  };
}

/** Once the caller is known and before the body is read: a caller over its limit costs no body parsing. */
export const rateLimitingPolicy = definePolicy<RateLimitingOptions>({
  name: 'rateLimiting',
  priority: 900,
  phases: ['caller'],
  switchable: true,
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      second: { type: 'integer', minimum: 1 },
      minute: { type: 'integer', minimum: 1 },
      hour: { type: 'integer', minimum: 1 },
      day: { type: 'integer', minimum: 1 },
      limitBy: { enum: ['consumer', 'ip'] },
      hideClientHeaders: { type: 'boolean' },
    },
  },
  defaults: () => null,
  // a level that names any window replaces the inherited set of windows; other options are kept
  merge(inherited, level) {
    const out: RateLimitingOptions = { ...(inherited ?? {}) };
    if (UNITS.some(([u]) => level[u] !== undefined)) for (const [u] of UNITS) delete out[u];
    return { ...out, ...level };
  },
  create(options, deps, route) {
    const limit = createRateLimiting(options, route.scope, deps);
    return { caller: (call) => limit({ userId: call.user?.id ?? null, clientIp: call.clientIp }, call.res) };
  },
});
