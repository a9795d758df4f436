import { ServiceBroker } from 'moleculer';

const EXPORT_EVERY_MS = 5000;

/**
 * Publishes an adapter's own counters (files processed, records consumed,
 * in-flight, pauses...) as gauges `gridbus_adapter_<counter>{adapter="<id>"}`
 * on /metrics, refreshed every few seconds. Only numeric and boolean values
 * are exported. Returns a function that stops the refresh.
 */
export function exportAdapterCounters(broker: ServiceBroker, adapterId: string, read: () => object): () => void {
  const registered = new Set<string>();
  const exportOnce = () => {
    for (const [key, value] of Object.entries(read())) {
      if (typeof value !== 'number' && typeof value !== 'boolean') continue;
      const name = `gridbus.adapter.${key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`;
      if (!registered.has(name)) {
        if (!broker.metrics.getMetric(name)) broker.metrics.register({ name, type: 'gauge', labelNames: ['adapter'], description: `adapter counter ${key}` });
        registered.add(name);
      }
      broker.metrics.set(name, typeof value === 'boolean' ? Number(value) : value, { adapter: adapterId });
    }
  };
  const timer = setInterval(exportOnce, EXPORT_EVERY_MS);
  timer.unref();
  exportOnce();
  return () => clearInterval(timer);
}
