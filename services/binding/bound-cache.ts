/**
 * This node's memory of bindings found active: `isBound` is asked on every
 * account read, and a binding, once made, rarely ends. Only "bound" answers
 * are kept (a new binding is seen at once) and for `ttlMs` at most; an
 * unbinding is forgotten here at once and on the other nodes when its
 * broadcast arrives. `generation` guards the race of a lookup that started
 * before an unbinding and ends after it: its answer is not kept.
 */
export class BoundCache {
  private readonly entries = new Map<string, number>();
  private generation = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 100_000,
  ) {}

  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  has(userId: string, accountNo: string): boolean {
    const key = keyOf(userId, accountNo);
    const until = this.entries.get(key);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.entries.delete(key);
    return false;
  }

  /** Taken before a lookup; `remember` keeps its answer only if nothing was forgotten meanwhile. */
  ticket(): number {
    return this.generation;
  }

  remember(userId: string, accountNo: string, ticket: number): void {
    if (!this.enabled || ticket !== this.generation) return;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(keyOf(userId, accountNo), this.now() + this.ttlMs);
  }

  forget(userId: string, accountNo: string): void {
    this.generation++;
    this.entries.delete(keyOf(userId, accountNo));
  }
}

function keyOf(userId: string, accountNo: string): string {
  return `${userId}\u0000${accountNo}`;
}
