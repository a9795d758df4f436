import { adminApiFor } from './admin-api';
import { UsageError } from './cli-error';
import { CliCommand } from './command';
import { CommandLine, integerOption, stringOption } from './options';

export const JOBS_USAGE = `Usage: gridbus jobs <command> [options]

  list                       the jobs: schedule, time zone, paused, retries, missed-run policy
  history [JOB] [--limit N]  the newest runs: start, end, node, outcome, counts, error
  run JOB                    run a job now (even when paused); answers once the run started
  pause JOB                  stop running a job on its schedule (run still works)
  resume JOB                 run a paused job on its schedule again
  set JOB [--cron EXPR] [--tz ZONE] [--missed skip|catchUp] [--max-attempts N] [--backoff-ms N]
                             change when and how often a job runs (every node within 10 s)

Each talks to a bus with the session of gridbus login (the bus of the last log-in unless --url URL
or GRIDBUS_URL names another). list and history need the operator or auditor role; run, pause,
resume and set the operator role, and each is audited. --json prints only the answer, as JSON.`;

interface JobRow {
  job: string;
  cron: string;
  timeZone: string;
  paused: boolean;
  maxAttempts: number;
  backoffMs: number;
  missed: string;
  description: string;
  invalid: string | null;
}
interface RunRow {
  id: string;
  job: string;
  scheduledFor: string;
  attempt: number;
  reason: string;
  node: string;
  startedAt: string;
  endedAt: string | null;
  outcome: string;
  progress: Record<string, number> | null;
  counts: Record<string, number> | null;
  error: string | null;
}

const common = { json: { type: 'boolean' }, url: { type: 'string' } } as const;
const help = (synopsis: string, text: string, extra = '') =>
  `Usage: gridbus jobs ${synopsis}\n\n${text}\n\n${extra}  --url URL     the bus (default GRIDBUS_URL, else the bus of the last gridbus login)\n  --json        print only the answer, as JSON\n  -h, --help    this help`;


function print(line: CommandLine, answer: unknown, lines: () => string[]): number {
  if (line.values.json === true) process.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
  else for (const l of lines()) process.stdout.write(`${l}\n`);
  return 0;
}

function jobArgument(line: CommandLine, command: string): string {
  const job = line.positionals[0];
  if (!job) throw new UsageError(`jobs ${command} needs the job's name (gridbus jobs list names them)`);
  return encodeURIComponent(job);
}

const counts = (c: Record<string, number> | null) => (c ? Object.entries(c).map(([k, v]) => `${k}=${v}`).join(' ') : '');

const list: CliCommand = {
  name: 'jobs list',
  summary: 'list the scheduled jobs',
  usage: help('list [--url URL]', 'Lists every job: cron expression, time zone, paused, attempts and backoff, missed-run policy.'),
  options: common,
  async run(line) {
    const rows = await adminApiFor(line).call<JobRow[]>('GET', 'jobs');
    return print(line, rows, () =>
      rows.map(
        (r) =>
          `${r.job.padEnd(20)} ${r.cron.padEnd(16)} ${r.timeZone.padEnd(14)} ${r.paused ? 'paused ' : 'active '} attempts ${r.maxAttempts}, backoff ${r.backoffMs} ms, missed: ${r.missed}${r.invalid ? `\n  ✗ ${r.invalid}` : ''}`,
      ),
    );
  },
};

const history: CliCommand = {
  name: 'jobs history',
  summary: 'the newest runs of one or every job',
  usage: help('history [JOB] [--limit N] [--url URL]', 'The newest runs (of JOB, or of every job): started, ended, node, outcome, attempt, counts or progress, error.', '  --limit N     how many runs, 1-500 (default 50)\n'),
  options: { ...common, limit: { type: 'string' } },
  maxPositionals: 1,
  async run(line) {
    const limit = integerOption(line, 'limit', 1);
    const q = new URLSearchParams();
    if (line.positionals[0]) q.set('job', line.positionals[0]);
    if (limit !== undefined) q.set('limit', String(limit));
    const rows = await adminApiFor(line).call<RunRow[]>('GET', `jobs/history${q.size ? `?${q}` : ''}`);
    return print(line, rows, () =>
      rows.map(
        (r) =>
          `${r.id.padStart(6)} ${r.job.padEnd(16)} ${new Date(r.startedAt).toISOString()} ${r.endedAt ? new Date(r.endedAt).toISOString() : '(running)'.padEnd(24)} ${r.outcome.padEnd(9)} ${r.node} #${r.attempt} ${r.reason} ${counts(r.counts ?? r.progress)}${r.error ? ` error: ${r.error}` : ''}`,
      ),
    );
  },
};

function action(verb: 'run' | 'pause' | 'resume', summary: string, text: string): CliCommand {
  return {
    name: `jobs ${verb}`,
    summary,
    usage: help(`${verb} JOB [--url URL]`, text),
    options: common,
    maxPositionals: 1,
    async run(line) {
      const job = jobArgument(line, verb);
      const answer = await adminApiFor(line).call<{ job: string; runId?: string; paused?: boolean }>('POST', `jobs/${job}/${verb}`, {});
      return print(line, answer, () => [
        verb === 'run' ? `job ${answer.job}: run ${answer.runId} started (gridbus jobs history ${answer.job})` : `job ${answer.job}: ${answer.paused ? 'paused' : 'resumed'}`,
      ]);
    },
  };
}

const set: CliCommand = {
  name: 'jobs set',
  summary: "change a job's schedule",
  usage: help(
    'set JOB [--cron EXPR] [--tz ZONE] [--missed skip|catchUp] [--max-attempts N] [--backoff-ms N] [--url URL]',
    "Changes the job's schedule in job_schedule; every scheduler node picks it up within 10 s. A cron expression or time zone\nthat does not parse is refused (JOB_SCHEDULE_INVALID) and the old schedule kept. Audited (scheduler.job.rescheduled, before and after).",
    '  --cron EXPR          node-cron expression (5 or 6 fields), e.g. "30 2 * * *"\n  --tz ZONE            IANA time zone, e.g. Asia/Shanghai\n  --missed POLICY      skip or catchUp (once) after downtime\n  --max-attempts N     attempts of a failed run (1-100)\n  --backoff-ms N       wait before a retry, in ms\n',
  ),
  options: { ...common, cron: { type: 'string' }, tz: { type: 'string' }, missed: { type: 'string' }, 'max-attempts': { type: 'string' }, 'backoff-ms': { type: 'string' } },
  maxPositionals: 1,
  async run(line) {
    const job = jobArgument(line, 'set');
    const missed = stringOption(line, 'missed');
    if (missed !== undefined && missed !== 'skip' && missed !== 'catchUp') throw new UsageError(`--missed must be skip or catchUp, not '${missed}'`);
    const body: Record<string, unknown> = {};
    const cronExpr = stringOption(line, 'cron');
    const tz = stringOption(line, 'tz');
    const maxAttempts = integerOption(line, 'max-attempts', 1);
    const backoffMs = integerOption(line, 'backoff-ms', 0);
    if (cronExpr !== undefined) body.cron = cronExpr;
    if (tz !== undefined) body.timeZone = tz;
    if (missed !== undefined) body.missed = missed;
    if (maxAttempts !== undefined) body.maxAttempts = maxAttempts;
    if (backoffMs !== undefined) body.backoffMs = backoffMs;
    if (!Object.keys(body).length) throw new UsageError('jobs set needs at least one of --cron, --tz, --missed, --max-attempts, --backoff-ms');
    const r = await adminApiFor(line).call<JobRow & { takesEffectWithinMs: number }>('PATCH', `jobs/${job}`, body);
    return print(line, r, () => [
      `job ${r.job}: '${r.cron}' (${r.timeZone}), attempts ${r.maxAttempts}, backoff ${r.backoffMs} ms, missed: ${r.missed}; every node within ${Math.round(r.takesEffectWithinMs / 1000)} s`,
    ]);
  },
};

/** `gridbus jobs <command>`. */
export const JOBS_COMMANDS: CliCommand[] = [
  list,
  history,
  action('run', 'run a job now', 'Runs the job now on a scheduler node, even when it is paused; answers once the run started (its outcome: gridbus jobs history JOB). Refused with JOB_BUSY while the job runs.'),
  action('pause', 'pause a job', 'Stops running the job on its schedule, on every node; run still works.'),
  action('resume', 'resume a paused job', 'Runs the job on its schedule again.'),
  set,
];
