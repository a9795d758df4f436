/**
 * How long (seconds) the electricity plate keeps each back-office answer:
 * ELECTRICITY_CACHE_TTL_S overrides some of these defaults, as
 * `operation=seconds[,operation=seconds...]` (0 = always ask).
 */
export const DEFAULT_CACHE_TTL_S = {
  'marketing.listBills': 300,
  'marketing.getBill': 3600,
  'marketing.getBalance': 30,
  'marketing.listPayments': 60,
  'marketing.getEBillSubscription': 60,
} as const;

export type CachedOperation = keyof typeof DEFAULT_CACHE_TTL_S;
export const MAX_CACHE_TTL_S = 86_400;

/** Parses the setting; `fail` reports a problem (an unknown operation, a bad number). */
export function parseCacheTtl(text: string | null | undefined, fail: (message: string) => never): Record<CachedOperation, number> {
  const out: Record<string, number> = { ...DEFAULT_CACHE_TTL_S };
  if (!text) return out as Record<CachedOperation, number>;
  for (const entry of text.split(',')) {
    const [rawName, rawSeconds, ...rest] = entry.trim().split('=');
    const name = rawName?.startsWith('marketing.') ? rawName : `marketing.${rawName}`;
    if (!(name in DEFAULT_CACHE_TTL_S)) fail(`'${rawName}' is not a cached operation (one of ${Object.keys(DEFAULT_CACHE_TTL_S).map((k) => k.slice('marketing.'.length)).join(', ')})`);
    if (rest.length || !/^\d{1,6}$/.test(rawSeconds ?? '') || Number(rawSeconds) > MAX_CACHE_TTL_S) fail(`'${entry.trim()}' must be operation=seconds with seconds 0-${MAX_CACHE_TTL_S}`);
    out[name] = Number(rawSeconds);
  }
  return out as Record<CachedOperation, number>;
}
