/**
 * The money path's deterministic simulation, as long as you like
 * (docs/payments-simulation.md):
 *
 *   npm run simulate -- --seeds 100000            seeds 1..100000 (stops at the first failure, shrinks it)
 *   npm run simulate -- --minutes 10 [--from 5000] as many seeds as fit in 10 minutes
 *   npm run simulate -- --seed 1234 [--full]      replays one seed, printing its trace (--full: idle steps too)
 *   npm run simulate -- --case '{"seed":1,...}'   replays a shrunk case exactly
 *   --bug back-office-no-dedupe|trust-notified-amount|ack-before-commit   a deliberate bug (the checker's own proof)
 *   --orders N, --nodes N                         a bigger or smaller world
 *
 * Exit 0 when every run held every invariant, 1 on a violation (seed, shortest trace, replay command), 2 on bad arguments.
 */
import { caseFrom, configWith, DEFAULT_CONFIG, describeFigures, readable, replayCommand, report, shrink, SimBug, simulate, SimConfig, sweep } from '../test/simulation/payments';

function parse(argv: string[]): Map<string, string> {
  const args = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    if (a === '--full') {
      args.set('full', 'yes');
      continue;
    }
    const [k, v] = a.includes('=') ? a.slice(2).split(/=(.*)/s) : [a.slice(2), argv[++i]];
    if (v === undefined) throw new Error(`--${k} needs a value`);
    args.set(k, v);
  }
  return args;
}

function int(args: Map<string, string>, key: string, fallback: number): number {
  const v = args.get(key);
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v)) throw new Error(`--${key} must be a whole number, not ${v}`);
  return Number(v);
}

async function main(): Promise<number> {
  let args: Map<string, string>;
  let config: SimConfig;
  try {
    args = parse(process.argv.slice(2));
    const bug = args.get('bug') as SimBug | undefined;
    if (bug && !['back-office-no-dedupe', 'trust-notified-amount', 'ack-before-commit'].includes(bug)) throw new Error(`unknown --bug ${bug}`);
    config = configWith({ orders: int(args, 'orders', DEFAULT_CONFIG.orders), nodes: int(args, 'nodes', DEFAULT_CONFIG.nodes), bug: bug ?? null });
    for (const key of ['seed', 'seeds', 'from', 'shrink-budget']) int(args, key, 0);
    if (args.has('minutes') && !(Number(args.get('minutes')) > 0)) throw new Error(`--minutes must be a positive number, not ${args.get('minutes')}`);
    if (args.has('case')) caseFrom(args.get('case')!);
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }

  if (args.has('seed') || args.has('case')) {
    const one = args.has('case') ? caseFrom(args.get('case')!) : { seed: int(args, 'seed', 1), config };
    const r = await simulate(one.seed, one.config);
    console.log((args.has('full') ? r.trace : readable(r.trace)).join('\n'));
    console.log(JSON.stringify(r.stats));
    if (!r.violation) {
      console.log(`seed ${one.seed}: every invariant held (${r.stats.steps} steps, ${r.stats.checks} checks); replay: ${replayCommand(one.seed, one.config)}`);
      return 0;
    }
    console.log(`seed ${one.seed}: ${r.violation.invariant} at step ${r.violation.step} (${r.violation.time} ms): ${r.violation.message}`);
    return 1;
  }

  const minutes = args.has('minutes') ? Number(args.get('minutes')) : undefined;
  const f = await sweep({
    from: int(args, 'from', 1),
    count: args.has('seeds') ? int(args, 'seeds', 0) : minutes !== undefined ? Number.MAX_SAFE_INTEGER : 10_000,
    untilMs: minutes !== undefined ? minutes * 60_000 : undefined,
    config,
    now: () => performance.now(),
    progress: (p) => console.log(`  ... ${p.runs} seeds, ${p.runsPerMinute} runs/minute, ${p.totals.checks} checks`),
  });
  console.log(describeFigures(f));
  if (!f.failures.length) return 0;
  console.log(report(await shrink(f.failures[0], int(args, 'shrink-budget', 500))));
  return 1;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(err.stack ?? err.message);
    process.exit(1);
  },
);
