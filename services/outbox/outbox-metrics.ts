import { ServiceBroker } from 'moleculer';
import type { DeliveryOutcome } from './delivery-worker';

export const OUTBOX_BACKLOG = 'gridbus_outbox_backlog';
export const OUTBOX_OLDEST_AGE = 'gridbus_outbox_oldest_age_seconds';
export const OUTBOX_DELIVERIES = 'gridbus_outbox_deliveries_total';
export const OUTBOX_FAILURES = 'gridbus_outbox_failures_total';

/** The outbox's metrics on this node's /metrics. */
export function registerOutboxMetrics(broker: ServiceBroker): void {
  const m = broker.metrics;
  if (!m.getMetric(OUTBOX_BACKLOG)) m.register({ name: OUTBOX_BACKLOG, type: 'gauge', labelNames: ['operation', 'status'], description: 'Outbox rows not delivered yet, by operation and status (pending, delivering, unknown, dead)' });
  if (!m.getMetric(OUTBOX_OLDEST_AGE)) m.register({ name: OUTBOX_OLDEST_AGE, type: 'gauge', description: 'Age in seconds of the oldest outbox row not delivered yet (0 when none)' });
  if (!m.getMetric(OUTBOX_DELIVERIES)) m.register({ name: OUTBOX_DELIVERIES, type: 'counter', labelNames: ['operation'], description: 'Outbox rows delivered by this node' });
  if (!m.getMetric(OUTBOX_FAILURES)) m.register({ name: OUTBOX_FAILURES, type: 'counter', labelNames: ['operation', 'outcome'], description: 'Failed outbox attempts by this node: retry, dead, unknown or lost-claim' });
}

export function countOutcome(broker: ServiceBroker, operation: string, outcome: DeliveryOutcome): void {
  if (outcome === 'delivered') broker.metrics.increment(OUTBOX_DELIVERIES, { operation });
  else broker.metrics.increment(OUTBOX_FAILURES, { operation, outcome });
}

export function setBacklog(broker: ServiceBroker, rows: Array<{ operation: string; status: string; count: number }>, oldestAgeS: number, known: Set<string>): void {
  const seen = new Set<string>();
  for (const r of rows) {
    const key = `${r.operation}\u0000${r.status}`;
    seen.add(key);
    known.add(key);
    broker.metrics.set(OUTBOX_BACKLOG, r.count, { operation: r.operation, status: r.status });
  }
  // a series that emptied reads 0, not its last value
  for (const key of known) {
    if (seen.has(key)) continue;
    const [operation, status] = key.split('\u0000');
    broker.metrics.set(OUTBOX_BACKLOG, 0, { operation, status });
  }
  broker.metrics.set(OUTBOX_OLDEST_AGE, oldestAgeS);
}
