/** One thing that happens at a simulated instant; `node`/`epoch` tie it to a node's life (a crash drops it). */
export interface SimEvent {
  time: number;
  seq: number;
  label: string;
  node: number | null;
  epoch: number;
  /** a timer that no longer matters (its call answered first): skipped, not a step */
  cancelled: boolean;
  run: () => void;
}

/**
 * Simulated time: a priority queue of events by (time, insertion order). Nothing
 * here reads the wall clock; time only moves when the next event is taken.
 */
export class Scheduler {
  now = 0;
  private seq = 0;
  private readonly heap: SimEvent[] = [];

  at(time: number, label: string, run: () => void, node: number | null = null, epoch = 0): SimEvent {
    const e: SimEvent = { time: Math.max(time, this.now), seq: this.seq++, label, node, epoch, cancelled: false, run };
    this.push(e);
    return e;
  }

  after(ms: number, label: string, run: () => void, node: number | null = null, epoch = 0): SimEvent {
    return this.at(this.now + ms, label, run, node, epoch);
  }

  get size(): number {
    return this.heap.length;
  }

  /** Takes the earliest event and moves the clock to it. */
  pop(): SimEvent | undefined {
    const h = this.heap;
    if (!h.length) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l], h[m])) m = l;
        if (r < h.length && before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    this.now = top.time;
    return top;
  }

  private push(e: SimEvent): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }
}

function before(a: SimEvent, b: SimEvent): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}
