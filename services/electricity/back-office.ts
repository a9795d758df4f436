import { Context } from 'moleculer';
import { CachedOperation } from '../../core/electricity/cache-ttl';
import { Fresh, FreshnessCache } from '../../core/electricity/freshness-cache';
import { GridbusError } from '../../core/errors';
import { accountNotFound } from '../binding/ownership';

/**
 * The marketing system as the electricity plate sees it: canonical
 * operations only (ctx.call), each answer kept per operation and request
 * for its TTL (ELECTRICITY_CACHE_TTL_S) and returned with its age.
 */
export class BackOffice {
  constructor(readonly cache: FreshnessCache) {}

  /** `variant`: see FreshnessCache.get (it is not sent to the back office). */
  call<T>(ctx: Context, operation: CachedOperation, params: Record<string, unknown>, variant?: string): Promise<Fresh<T>> {
    return this.cache.get(operation, keyOf(params), async () => {
      try {
        return (await ctx.call(operation, params)) as T;
      } catch (err) {
        // an account the marketing system does not know answers as one not bound to the user
        if (err instanceof Error && (err as GridbusError).type === 'ACCOUNT_NOT_FOUND') throw accountNotFound();
        throw err;
      }
    }, variant);
  }

  drop(operation: CachedOperation, params: Record<string, unknown>): void {
    this.cache.drop(operation, keyOf(params));
  }
}

/** Keys sorted: the same request is one entry. */
function keyOf(params: Record<string, unknown>): string {
  return JSON.stringify(Object.keys(params).sort().map((k) => [k, params[k]]));
}
