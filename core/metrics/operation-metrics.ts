import { ServiceBroker } from 'moleculer';
import { ExchangeEvent } from '../operations';

const CALLS = 'gridbus.operation.calls.total';
const DURATION = 'gridbus.operation.duration.ms';
const CIRCUIT = 'gridbus.operation.circuit.state';
const CIRCUIT_VALUES = { closed: 0, 'half-open': 1, open: 2 } as const;
const BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

type Snapshot = { name: string; type: string; description: string; values: Array<Record<string, unknown>> };

/** One operation's counts, in plain fields: turned into metric values only when the registry is read. */
interface OperationStats {
  calls: Map<string, number>;
  /** Per bucket bound, how many calls took at most that long (not yet cumulative). */
  buckets: number[];
  count: number;
  sum: number;
}

const statsOf = new WeakMap<ServiceBroker, Map<string, OperationStats>>();

/**
 * Per-operation metrics (calls by outcome, latency, circuit state), served on
 * /metrics. Calls and latency are counted in plain fields per operation and
 * listed with the registry (`broker.metrics.list()`), as the request metrics
 * are (core/broker/action-metrics.ts): Moleculer's own counter and histogram
 * hash their labels and keep quantile windows on every update.
 */
export function registerOperationMetrics(broker: ServiceBroker): void {
  const m = broker.metrics;
  if (!m.getMetric(CIRCUIT)) m.register({ name: CIRCUIT, type: 'gauge', labelNames: ['operation'], description: 'Circuit breaker state: 0 closed, 1 half-open, 2 open' });
  if (statsOf.has(broker)) return;
  const all = new Map<string, OperationStats>();
  statsOf.set(broker, all);
  const registry = m as unknown as { list(opts?: { includes?: unknown }): Snapshot[] };
  const list = registry.list.bind(registry);
  // appended when the whole registry is read (filtered reads are for other metrics)
  registry.list = (opts?: { includes?: unknown }) => (opts?.includes ? list(opts) : [...list(opts), ...snapshot(all)]);
}

export function recordOperationMetrics(broker: ServiceBroker, e: ExchangeEvent): void {
  const all = statsOf.get(broker);
  if (!all) return;
  let s = all.get(e.operation);
  if (!s) all.set(e.operation, (s = { calls: new Map(), buckets: BUCKETS_MS.map(() => 0), count: 0, sum: 0 }));
  s.calls.set(e.outcome, (s.calls.get(e.outcome) ?? 0) + 1);
  s.count++;
  s.sum += e.durationMs;
  for (let i = 0; i < BUCKETS_MS.length; i++) {
    if (e.durationMs <= BUCKETS_MS[i]) {
      s.buckets[i]++;
      break;
    }
  }
}

export function setCircuitGauge(broker: ServiceBroker, operation: string, state: keyof typeof CIRCUIT_VALUES): void {
  broker.metrics.set(CIRCUIT, CIRCUIT_VALUES[state], { operation });
}

function snapshot(all: Map<string, OperationStats>): Snapshot[] {
  const ops = [...all.entries()];
  return [
    {
      name: CALLS,
      type: 'counter',
      description: 'Back-office calls by canonical operation and outcome code',
      values: ops.flatMap(([operation, s]) => [...s.calls.entries()].map(([outcome, value]) => ({ labels: { operation, outcome }, value }))),
    },
    {
      name: DURATION,
      type: 'histogram',
      description: 'Back-office call duration',
      values: ops.map(([operation, s]) => {
        let cumulative = 0;
        const buckets: Record<string, number> = {};
        BUCKETS_MS.forEach((le, i) => (buckets[String(le)] = cumulative += s.buckets[i]));
        return { labels: { operation }, buckets, count: s.count, sum: s.sum };
      }),
    },
  ];
}
