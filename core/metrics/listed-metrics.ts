import type { ServiceBroker } from 'moleculer';

/** A metric as `broker.metrics.list()` gives it (what core/metrics/prometheus-text renders). */
export type MetricSnapshot = { name: string; type: string; description: string; values: Array<Record<string, unknown>> };

/**
 * A latency histogram in plain fields: `observe` is a counter bump, no label
 * hashing and no quantile windows (what Moleculer's own histogram does on
 * every update); Prometheus derives quantiles from the buckets.
 */
export class PlainHistogram {
  /** Per bound, how many values were at most that (not yet cumulative); larger ones count only in `count`. */
  private readonly buckets: number[];
  count = 0;
  sum = 0;

  constructor(private readonly bounds: readonly number[]) {
    this.buckets = bounds.map(() => 0);
  }

  observe(value: number): void {
    this.count++;
    this.sum += value;
    for (let i = 0; i < this.bounds.length; i++) {
      if (value <= this.bounds[i]) {
        this.buckets[i]++;
        return;
      }
    }
  }

  /** The value `list()` gives for a histogram: cumulative buckets by bound, count and sum. */
  snapshot(labels: Record<string, unknown>): Record<string, unknown> {
    let cumulative = 0;
    const buckets: Record<string, number> = {};
    this.bounds.forEach((le, i) => (buckets[String(le)] = cumulative += this.buckets[i]));
    return { labels, buckets, count: this.count, sum: this.sum };
  }
}

const providers = new WeakMap<ServiceBroker, Array<() => MetricSnapshot[]>>();

/**
 * Metrics counted outside Moleculer's registry, appended to what
 * `broker.metrics.list()` answers (and so to /metrics) when the whole
 * registry is read; filtered reads are for the registry's own metrics.
 */
export function listWithRegistry(broker: ServiceBroker, snapshot: () => MetricSnapshot[]): void {
  let list = providers.get(broker);
  if (!list) {
    const own: Array<() => MetricSnapshot[]> = [];
    providers.set(broker, (list = own));
    const registry = broker.metrics as unknown as { list(opts?: { includes?: unknown }): MetricSnapshot[] };
    const original = registry.list.bind(registry);
    registry.list = (opts?: { includes?: unknown }) => (opts?.includes ? original(opts) : [...original(opts), ...own.flatMap((s) => s())]);
  }
  list.push(snapshot);
}
