import { configWith, DEFAULT_CONFIG, FaultRates, SimConfig } from './config';
import { RunResult, simulate } from './world';

/** A run as a replayable case: the seed and what differs from the default configuration. */
export function caseOf(seed: number, config: SimConfig): Record<string, unknown> {
  const out: Record<string, unknown> = { seed };
  for (const key of ['orders', 'nodes', 'workMs', 'drainLimitMs', 'maxSteps', 'anomalies', 'bug', 'operatorRefundsParked'] as const) {
    if (config[key] !== DEFAULT_CONFIG[key]) out[key] = config[key];
  }
  const faults: Partial<FaultRates> = {};
  for (const [k, v] of Object.entries(config.faults) as Array<[keyof FaultRates, number]>) if (v !== DEFAULT_CONFIG.faults[k]) faults[k] = v;
  if (Object.keys(faults).length) out.faults = faults;
  if (config.mask.length) out.mask = config.mask;
  return out;
}

export function caseFrom(json: string): { seed: number; config: SimConfig } {
  const c = JSON.parse(json) as Partial<SimConfig> & { seed?: unknown };
  if (typeof c.seed !== 'number' || !Number.isInteger(c.seed)) throw new Error('a case names an integer seed');
  const { seed, ...over } = c;
  return { seed, config: configWith(over) };
}

/** The command that replays a run exactly. */
export function replayCommand(seed: number, config: SimConfig): string {
  const c = caseOf(seed, config);
  return Object.keys(c).length === 1 ? `npm run simulate -- --seed ${seed}` : `npm run simulate -- --case '${JSON.stringify(c)}'`;
}

export interface Shrunk {
  original: RunResult;
  shortest: RunResult;
  runs: number;
}

/**
 * Looks for a shorter run that breaks the same invariant: fewer orders, one
 * node, no anomalies, a kind of fault switched off, then delta debugging over
 * the faults the run injected (masking halves, quarters, ... of them). A
 * candidate is kept when it still fails the same way in fewer steps; every
 * candidate is a (seed, configuration) pair, so the shortest replays exactly.
 */
export async function shrink(failing: RunResult, budget = 300): Promise<Shrunk> {
  const invariant = failing.violation?.invariant;
  if (!invariant) throw new Error('shrink needs a failing run');
  let best = failing;
  let runs = 0;
  for (;;) {
    let improved = false;
    for (const config of candidates(best)) {
      if (runs >= budget) return { original: failing, shortest: best, runs };
      const r = await simulate(best.seed, config);
      runs++;
      if (r.violation?.invariant === invariant && r.stats.steps < best.stats.steps) {
        best = r;
        improved = true;
        break;
      }
    }
    if (!improved) return { original: failing, shortest: best, runs };
  }
}

function* candidates(best: RunResult): Generator<SimConfig> {
  const c = best.config;
  const with_ = (over: Partial<SimConfig>): SimConfig => ({ ...c, ...over, faults: { ...c.faults, ...(over.faults ?? {}) }, mask: over.mask ?? c.mask });
  for (const orders of new Set([1, Math.floor(c.orders / 2), c.orders - 1])) if (orders >= 1 && orders < c.orders) yield with_({ orders });
  if (c.nodes > 1) yield with_({ nodes: 1 });
  if (c.anomalies > 0) yield with_({ anomalies: 0 });
  if (c.anomalies > 1) yield with_({ anomalies: c.anomalies - 1 });
  for (const [kind, rate] of Object.entries(c.faults)) if (rate > 0) yield with_({ faults: { [kind]: 0 } as Partial<FaultRates> as FaultRates });
  // delta debugging over the injected faults: drop chunks of them, smaller and smaller
  const injected = best.faults.map((f) => f.ordinal);
  for (let parts = 2; parts <= Math.max(2, injected.length); parts *= 2) {
    const size = Math.ceil(injected.length / parts);
    for (let i = 0; i < injected.length; i += size) yield with_({ mask: [...c.mask, ...injected.slice(i, i + size)].sort((a, b) => a - b) });
  }
}

/** What a failing run prints: the seed, the broken invariant, the shortest trace and how to replay it. */
export function report(s: Shrunk): string {
  const o = s.original;
  const b = s.shortest;
  return [
    `simulation FAILED: seed ${o.seed}: ${o.violation!.invariant}: ${o.violation!.message}`,
    `  at step ${o.violation!.step} (${o.violation!.time} ms simulated); replay: ${replayCommand(o.seed, o.config)}`,
    `shrunk in ${s.runs} runs to ${b.stats.steps} steps (from ${o.stats.steps}), ${b.faults.length} faults: ${b.violation!.message}`,
    `  replay: ${replayCommand(b.seed, b.config)}`,
    `shortest trace (idle worker polls and job ticks left out):`,
    ...readable(b.trace).map((l) => `  ${l}`),
  ].join('\n');
}

/** Idle steps: a worker round that claimed nothing, a job tick, a retry timer that found the notification answered. */
const IDLE = / (n\d+ worker round|n\d+ db claim|n\d+ db answer claim|close job|query job|Alipay retries #\d+\?|operator looks at parked write-offs)$/;

export function readable(trace: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < trace.length; i++) {
    const next = trace[i + 1] ?? '';
    // a claim that took rows is followed by its note
    if (IDLE.test(trace[i]) && !/ {3}claimed /.test(next)) continue;
    out.push(trace[i]);
  }
  return out;
}
