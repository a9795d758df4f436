import { ServiceBroker } from 'moleculer';

export const PAYMENT_ANOMALIES = 'gridbus_payment_anomalies_total';

/** The money path's alarms on /metrics: notifications kept but never applied (unknown order, wrong amount, ...). */
export function registerPaymentMetrics(broker: ServiceBroker): void {
  const m = broker.metrics;
  if (!m.getMetric(PAYMENT_ANOMALIES)) {
    m.register({ name: PAYMENT_ANOMALIES, type: 'counter', labelNames: ['anomaly'], description: 'Signed Alipay notifications kept but not applied, by anomaly (UNKNOWN_ORDER, AMOUNT_MISMATCH, ...): alert on any' });
  }
}

export function countAnomaly(service: { broker: ServiceBroker }, anomaly: string): void {
  registerPaymentMetrics(service.broker);
  service.broker.metrics.increment(PAYMENT_ANOMALIES, { anomaly });
}
