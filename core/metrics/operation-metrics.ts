import { ServiceBroker } from 'moleculer';
import { ExchangeEvent } from '../operations';
import { listWithRegistry, MetricSnapshot, PlainHistogram } from './listed-metrics';

const CALLS = 'gridbus.operation.calls.total';
const DURATION = 'gridbus.operation.duration.ms';
const CIRCUIT = 'gridbus.operation.circuit.state';
const CIRCUIT_VALUES = { closed: 0, 'half-open': 1, open: 2 } as const;
const BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

/** One operation's counts, in plain fields: turned into metric values only when the registry is read. */
interface OperationStats {
  calls: Map<string, number>;
  duration: PlainHistogram;
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
  listWithRegistry(broker, () => snapshot(all));
}

export function recordOperationMetrics(broker: ServiceBroker, e: ExchangeEvent): void {
  const all = statsOf.get(broker);
  if (!all) return;
  let s = all.get(e.operation);
  if (!s) all.set(e.operation, (s = { calls: new Map(), duration: new PlainHistogram(BUCKETS_MS) }));
  s.calls.set(e.outcome, (s.calls.get(e.outcome) ?? 0) + 1);
  s.duration.observe(e.durationMs);
}

export function setCircuitGauge(broker: ServiceBroker, operation: string, state: keyof typeof CIRCUIT_VALUES): void {
  broker.metrics.set(CIRCUIT, CIRCUIT_VALUES[state], { operation });
}

function snapshot(all: Map<string, OperationStats>): MetricSnapshot[] {
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
      values: ops.map(([operation, s]) => s.duration.snapshot({ operation })),
    },
  ];
}
