/**
 * Answers of idempotent operations kept for a short time on one node, keyed
 * by the canonical request. Bounded: the oldest entry goes first (Map keeps
 * insertion order). Expired entries are dropped when read.
 */
export class AnswerCache {
  private readonly entries = new Map<string, { at: number; value: Record<string, unknown> }>();
  hits = 0;
  misses = 0;

  constructor(private readonly ttlMs: number, private readonly maxEntries: number, private readonly now: () => number = Date.now) {}

  get(key: string): Record<string, unknown> | undefined {
    const e = this.entries.get(key);
    if (e && this.now() - e.at < this.ttlMs) {
      this.hits++;
      return e.value;
    }
    if (e) this.entries.delete(key);
    this.misses++;
    return undefined;
  }

  set(key: string, value: Record<string, unknown>): void {
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { at: this.now(), value });
  }
}

/** A stable key for a canonical request: keys sorted, so {a,b} and {b,a} are one entry. */
export function requestKey(params: unknown): string {
  return JSON.stringify(params, (_k, v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v));
}
