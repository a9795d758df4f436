import { maskUrlSecrets } from '../crypto/mask-url';

/**
 * Renders Moleculer's metric registry (broker.metrics.list()) as Prometheus
 * text exposition format 0.0.4, so the gateway can serve /metrics on its own
 * port instead of Moleculer's reporter opening a second HTTP server.
 */
interface MetricValue {
  value?: number;
  labels: Record<string, unknown>;
  buckets?: Record<string, number>;
  count?: number;
  sum?: number;
}
interface MetricSnapshot {
  name: string;
  type: string;
  description?: string;
  values: MetricValue[];
}

function metricName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_:]/g, '_');
}

function labelName(name: string): string {
  const clean = name.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(clean) ? `_${clean}` : clean;
}

/** Label values may name a system by its URL (an adapter id): credentials are masked here, for every metric. */
function escapeLabel(v: unknown): string {
  return maskUrlSecrets(String(v)).replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labelText(labels: Record<string, unknown>, extra?: [string, string]): string {
  const parts = Object.entries(labels)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `${labelName(k)}="${escapeLabel(v)}"`);
  if (extra) parts.push(`${extra[0]}="${escapeLabel(extra[1])}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

export function renderPrometheus(metrics: MetricSnapshot[], defaultLabels: Record<string, string> = {}): string {
  const lines: string[] = [];
  for (const m of metrics) {
    const name = metricName(m.name);
    const type = m.type === 'histogram' ? 'histogram' : m.type === 'counter' ? 'counter' : m.type === 'info' ? 'gauge' : 'gauge';
    if (m.description) lines.push(`# HELP ${name} ${m.description.replace(/\n/g, ' ')}`);
    lines.push(`# TYPE ${name} ${type}`);
    for (const v of m.values) {
      const labels = { ...defaultLabels, ...v.labels };
      if (m.type === 'histogram') {
        for (const [le, count] of Object.entries(v.buckets ?? {})) lines.push(`${name}_bucket${labelText(labels, ['le', le])} ${count}`);
        lines.push(`${name}_bucket${labelText(labels, ['le', '+Inf'])} ${v.count ?? 0}`);
        lines.push(`${name}_sum${labelText(labels)} ${v.sum ?? 0}`);
        lines.push(`${name}_count${labelText(labels)} ${v.count ?? 0}`);
      } else if (m.type === 'info') {
        lines.push(`${name}${labelText({ ...labels, value: v.value })} 1`);
      } else if (typeof v.value === 'number' && Number.isFinite(v.value)) {
        lines.push(`${name}${labelText(labels)} ${v.value}`);
      }
    }
  }
  return lines.join('\n') + '\n';
}
