import type { Middleware, ServiceBroker } from 'moleculer';
import { listWithRegistry, MetricSnapshot, PlainHistogram } from '../metrics/listed-metrics';

/** Moleculer's own bucket bounds for request times, ms. */
const BUCKETS_MS = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

interface Stats {
  labels: { service: string | null; action: string; caller: string | null; type: string };
  total: number;
  /** Of the calls finished. */
  time: PlainHistogram;
  errors: Map<string, { labels: Record<string, unknown>; count: number }>;
}

/**
 * Moleculer's request metrics (`moleculer.request.total`, `.error.total`,
 * `.time`), counted the cheap way. Moleculer's own Metrics middleware hashes
 * four labels for each of five metric updates per call and keeps quantile
 * and rate windows: about 7 µs of an in-process call that otherwise costs
 * 1 µs (docs/decisions.md). Here each action keeps its counts in plain
 * fields, and they are turned into metric values only when the registry is
 * read (`broker.metrics.list()`, which /metrics renders). Same names and
 * labels as Moleculer's; no quantiles (Prometheus derives them from the
 * buckets).
 */
export function actionMetricsMiddleware(): Middleware {
  const all: Stats[] = [];

  const wrap = (type: 'local' | 'remote') =>
    function (next: (ctx: CallCtx) => Promise<unknown>, action: { name: string; service?: { fullName?: string } }) {
      const byCaller = new Map<string | null, Stats>();
      const statsOf = (caller: string | null): Stats => {
        let s = byCaller.get(caller);
        if (!s) {
          s = { labels: { service: action.service?.fullName ?? null, action: action.name, caller, type }, total: 0, time: new PlainHistogram(BUCKETS_MS), errors: new Map() };
          byCaller.set(caller, s);
          all.push(s);
        }
        return s;
      };
      return function measured(ctx: CallCtx) {
        const s = statsOf(ctx.caller ?? null);
        s.total++;
        const started = performance.now();
        const done = () => s.time.observe(performance.now() - started);
        return next(ctx).then(
          (res) => {
            done();
            return res;
          },
          (err: { name?: string; code?: unknown; type?: string } | null) => {
            done();
            const key = `${err?.name}\u0000${err?.code}\u0000${err?.type}`;
            const e = s.errors.get(key) ?? { labels: { ...s.labels, errorName: err?.name ?? null, errorCode: err?.code ?? null, errorType: err?.type ?? null }, count: 0 };
            e.count++;
            s.errors.set(key, e);
            throw err;
          },
        );
      };
    };

  const snapshot = (): MetricSnapshot[] => {
    return [
      { name: 'moleculer.request.total', type: 'counter', description: 'Number of requests', values: all.map((s) => ({ labels: s.labels, value: s.total })) },
      {
        name: 'moleculer.request.error.total',
        type: 'counter',
        description: 'Number of request errors',
        values: all.flatMap((s) => [...s.errors.values()].map((e) => ({ labels: e.labels, value: e.count }))),
      },
      {
        name: 'moleculer.request.time',
        type: 'histogram',
        description: 'Request times in milliseconds',
        values: all.map((s) => s.time.snapshot(s.labels)),
      },
    ];
  };
  return {
    name: 'ActionMetrics',
    created(broker: ServiceBroker) {
      listWithRegistry(broker, snapshot);
    },
    localAction: wrap('local'),
    remoteAction: wrap('remote'),
  } as unknown as Middleware;
}

type CallCtx = { caller?: string | null };
