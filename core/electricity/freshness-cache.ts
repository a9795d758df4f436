/**
 * Back-office answers kept for a short time per canonical operation, each
 * with the time the back office gave it: every answer of the electricity
 * plate says how fresh it is (`asOf`, `cached`). Bounded (the oldest entry
 * goes first); an operation with TTL 0 is never kept. Callers asking for the
 * same key while it loads share one back-office call.
 */
export interface Fresh<T> {
  value: T;
  /** When the back office answered (ISO 8601). */
  asOf: string;
  cached: boolean;
}

interface Entry {
  at: number;
  value: unknown;
}

export class FreshnessCache {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<Entry>>();
  /** Bumped by drop(): a load that started before a drop must not store its (older) answer. */
  private generation = 0;

  constructor(
    private readonly ttlS: Readonly<Record<string, number>>,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  ttlOf(operation: string): number {
    return this.ttlS[operation] ?? 0;
  }

  /**
   * `variant` tells apart answers to the same request that must not stand in
   * for each other (the e-bill subscription before and after a change was
   * applied); drop() forgets every variant of a key.
   */
  async get<T>(operation: string, key: string, load: () => Promise<T>, variant = ''): Promise<Fresh<T>> {
    const id = `${prefixOf(operation, key)}${variant}`;
    const ttlMs = this.ttlOf(operation) * 1000;
    const hit = this.entries.get(id);
    if (hit && this.now() - hit.at < ttlMs) return { value: hit.value as T, asOf: new Date(hit.at).toISOString(), cached: true };
    if (hit) this.entries.delete(id);
    let pending = this.loading.get(id);
    if (!pending) {
      const generation = this.generation;
      pending = load().then((value) => {
        const entry = { at: this.now(), value };
        if (ttlMs > 0 && generation === this.generation) this.store(id, entry);
        return entry;
      });
      this.loading.set(id, pending);
      const forget = () => this.loading.delete(id);
      pending.then(forget, forget);
    }
    const entry = await pending;
    return { value: entry.value as T, asOf: new Date(entry.at).toISOString(), cached: false };
  }

  /** Forgets one operation's answers for a key, every variant (after a change the back office will see). */
  drop(operation: string, key: string): void {
    const prefix = prefixOf(operation, key);
    for (const map of [this.entries, this.loading]) {
      for (const id of [...map.keys()]) if (id.startsWith(prefix)) map.delete(id);
    }
    this.generation++;
  }

  get size(): number {
    return this.entries.size;
  }

  private store(id: string, entry: Entry): void {
    this.entries.delete(id);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(id, entry);
  }
}

const prefixOf = (operation: string, key: string) => `${operation}\u0000${key}\u0000`;
