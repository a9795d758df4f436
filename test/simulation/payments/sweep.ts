import { SimConfig } from './config';
import { RunResult, RunStats, simulate } from './world';

export interface SweepFigures {
  runs: number;
  failures: RunResult[];
  totals: RunStats;
  wallMs: number;
  runsPerMinute: number;
}

/**
 * Runs seeds `from`, `from+1`, ... until `count` runs or `untilMs` of wall time
 * (whichever first), summing the figures; keeps the failing runs (at most
 * `keepFailures`). `now` is the caller's wall clock, only for the figures.
 */
export async function sweep(opts: { from: number; count: number; config: SimConfig; now: () => number; untilMs?: number; keepFailures?: number; progress?: (f: SweepFigures) => void }): Promise<SweepFigures> {
  const started = opts.now();
  const totals = {} as RunStats;
  const failures: RunResult[] = [];
  let runs = 0;
  let lastProgress = started;
  for (let seed = opts.from; runs < opts.count; seed++) {
    const r = await simulate(seed, opts.config);
    runs++;
    for (const [k, v] of Object.entries(r.stats) as Array<[keyof RunStats, number]>) totals[k] = (totals[k] ?? 0) + v;
    if (r.violation && failures.length < (opts.keepFailures ?? 1)) failures.push(r);
    const now = opts.now();
    if (opts.progress && now - lastProgress > 10_000) {
      lastProgress = now;
      opts.progress(figures());
    }
    if ((opts.untilMs !== undefined && now - started >= opts.untilMs) || failures.length >= (opts.keepFailures ?? 1)) break;
  }
  return figures();

  function figures(): SweepFigures {
    const wallMs = Math.max(1, opts.now() - started);
    return { runs, failures, totals, wallMs, runsPerMinute: Math.round((runs / wallMs) * 60_000) };
  }
}

export function describeFigures(f: SweepFigures): string {
  const t = f.totals;
  return (
    `${f.runs} seeds in ${(f.wallMs / 1000).toFixed(1)} s (${f.runsPerMinute} runs/minute): ${t.steps} steps, ${t.checks} invariant checks; ` +
    `${t.paid} payments (${t.paidFen} fen), ${t.notifications} notifications (${t.anomalies} anomalies) in ${t.deliveries} deliveries, ` +
    `${t.crashes} crashes, ${t.timeouts} call timeouts, ${t.suspects} suspect write-offs, ${t.lostClaims} lost claims, ${t.parked} parked, ${t.replays} operator replays, ${t.lateMoney} paid after a close or refusal, ${t.refunds} parked refunds, ` +
    `${t.backOfficeRequests} back-office requests`
  );
}
