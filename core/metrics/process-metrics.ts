import { IntervalHistogram, monitorEventLoopDelay } from 'perf_hooks';
import type { ServiceBroker } from 'moleculer';
import { listWithRegistry, MetricSnapshot } from './listed-metrics';

/** Event-loop delay is reported per window of this length (the last complete one). */
const LAG_WINDOW_MS = 10_000;

const NS_PER_MS = 1e6;

interface LagWindow {
  min: number;
  avg: number;
  max: number;
  p99: number;
}

let lag: { monitor: IntervalHistogram; last: LagWindow | null } | null = null;

/** One event-loop monitor per process (every broker in it reads the same loop). */
function eventLoopLag(): LagWindow {
  if (!lag) {
    const monitor = monitorEventLoopDelay({ resolution: 10 });
    monitor.enable();
    const state: { monitor: IntervalHistogram; last: LagWindow | null } = { monitor, last: null };
    setInterval(() => {
      state.last = readLag(monitor);
      monitor.reset();
    }, LAG_WINDOW_MS).unref();
    lag = state;
  }
  return lag.last ?? readLag(lag.monitor);
}

function readLag(h: IntervalHistogram): LagWindow {
  if (!h.count) return { min: 0, avg: 0, max: 0, p99: 0 };
  return { min: h.min / NS_PER_MS, avg: h.mean / NS_PER_MS, max: h.max / NS_PER_MS, p99: h.percentile(99) / NS_PER_MS };
}

const gauge = (name: string, description: string, value: number): MetricSnapshot => ({ name, type: 'gauge', description, values: [{ labels: {}, value }] });
const counter = (name: string, description: string, value: number): MetricSnapshot => ({ name, type: 'counter', description, values: [{ labels: {}, value }] });

/**
 * What an operator needs to know about this node's process: CPU time,
 * memory, event-loop delay, uptime. Read when the registry is listed
 * (/metrics), no collection timer. It replaces Moleculer's process metrics
 * (collectProcessMetrics is off in create-broker.ts), which also publish
 * the OS user and home folder, host name, network addresses and MACs, CPU
 * models and the process arguments: identity of the machine, not health.
 * Memory names are Moleculer's, so dashboards keep working.
 */
export function registerProcessMetrics(broker: ServiceBroker): void {
  eventLoopLag(); // start measuring now, not at the first read
  listWithRegistry(broker, () => {
    const cpu = process.cpuUsage();
    const mem = process.memoryUsage();
    const loop = eventLoopLag();
    const lagHelp = `Event-loop delay over the last ${LAG_WINDOW_MS / 1000} s`;
    return [
      counter('process.cpu.user.seconds.total', 'User CPU time spent by the process, seconds', cpu.user / 1e6),
      counter('process.cpu.system.seconds.total', 'System CPU time spent by the process, seconds', cpu.system / 1e6),
      counter('process.cpu.seconds.total', 'User and system CPU time spent by the process, seconds', (cpu.user + cpu.system) / 1e6),
      gauge('process.memory.rss', 'Resident set size, bytes', mem.rss),
      gauge('process.memory.heap.size.total', 'V8 heap size, bytes', mem.heapTotal),
      gauge('process.memory.heap.size.used', 'V8 heap used, bytes', mem.heapUsed),
      gauge('process.memory.external', 'Memory of C++ objects bound to JavaScript objects, bytes', mem.external),
      gauge('process.eventloop.lag.min', `${lagHelp}: minimum, ms`, loop.min),
      gauge('process.eventloop.lag.avg', `${lagHelp}: mean, ms`, loop.avg),
      gauge('process.eventloop.lag.max', `${lagHelp}: maximum, ms`, loop.max),
      gauge('process.eventloop.lag.p99', `${lagHelp}: 99th percentile, ms`, loop.p99),
      gauge('process.uptime', 'Process uptime, seconds', process.uptime()),
    ];
  });
}
