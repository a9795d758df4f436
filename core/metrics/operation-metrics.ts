import { ServiceBroker } from 'moleculer';
import { ExchangeEvent } from '../operations';

const CALLS = 'gridbus.operation.calls.total';
const DURATION = 'gridbus.operation.duration.ms';
const CIRCUIT = 'gridbus.operation.circuit.state';
const CIRCUIT_VALUES = { closed: 0, 'half-open': 1, open: 2 } as const;

/** Per-operation metrics (calls by outcome, latency, circuit state), served on /metrics. */
export function registerOperationMetrics(broker: ServiceBroker): void {
  const m = broker.metrics;
  if (!m.getMetric(CALLS)) m.register({ name: CALLS, type: 'counter', labelNames: ['operation', 'outcome'], description: 'Back-office calls by canonical operation and outcome code' });
  if (!m.getMetric(DURATION)) {
    m.register({ name: DURATION, type: 'histogram', labelNames: ['operation'], unit: 'millisecond', description: 'Back-office call duration', buckets: [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000] });
  }
  if (!m.getMetric(CIRCUIT)) m.register({ name: CIRCUIT, type: 'gauge', labelNames: ['operation'], description: 'Circuit breaker state: 0 closed, 1 half-open, 2 open' });
}

export function recordOperationMetrics(broker: ServiceBroker, e: ExchangeEvent): void {
  broker.metrics.increment(CALLS, { operation: e.operation, outcome: e.outcome });
  broker.metrics.observe(DURATION, e.durationMs, { operation: e.operation });
}

export function setCircuitGauge(broker: ServiceBroker, operation: string, state: keyof typeof CIRCUIT_VALUES): void {
  broker.metrics.set(CIRCUIT, CIRCUIT_VALUES[state], { operation });
}
