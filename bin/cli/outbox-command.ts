import { adminApiFor } from './admin-api';
import { UsageError } from './cli-error';
import { ADMIN_OPTIONS, adminUsage, CliCommand, printer } from './command';
import { CommandLine, integerOption, stringOption } from './options';

export const OUTBOX_USAGE = `Usage: gridbus outbox <command> [options]

  backlog                           rows not delivered yet, by operation and status, and the oldest age
  dead [--limit N]                  dead letters and rows of unknown outcome, with their last error
  replay <id...>                    dead or unknown rows back to pending (attempts start again)
  discard <id> --reason TEXT        give up on an undelivered row, with the reason (audited)

Every command talks to a bus with the session of gridbus login (see gridbus login --help), the bus
of the last log-in unless --url URL or GRIDBUS_URL names another; it says which on stderr.
--json prints only the answer, as JSON. What to do with a dead letter: docs/operations.md "Outbox".`;

const common = ADMIN_OPTIONS;
const usage = adminUsage('outbox');


const ROW_ID = /^[1-9][0-9]{0,18}$/;
function rowIds(line: CommandLine, what: string): string[] {
  if (!line.positionals.length) throw new UsageError(`${what} needs the id of at least one outbox row (see gridbus outbox dead)`);
  const bad = line.positionals.find((id) => !ROW_ID.test(id));
  if (bad !== undefined) throw new UsageError(`'${bad}' is not an outbox row id (a positive integer)`);
  return line.positionals;
}

interface Row {
  id: string;
  operation: string;
  partitionKey: string;
  status: string;
  attempts: number;
  lastError: string | null;
  createdAt: string;
}

const backlog: CliCommand = {
  name: 'outbox backlog',
  summary: 'rows not delivered yet, by operation and age',
  usage: usage('backlog [--url URL]', 'Rows not delivered yet, by operation and status (pending, delivering, unknown, dead), each with the age\nof its oldest row; and the age of the oldest row overall against OUTBOX_DEGRADED_AGE_S.'),
  options: common,
  async run(line) {
    const p = printer(line);
    const a = await adminApiFor(line).call<{ operations: Array<{ operation: string; status: string; count: number; oldestAgeS: number }>; oldestAgeS: number; degradedAgeS: number }>('GET', 'outbox/backlog');
    if (!a.operations.length) p.text('nothing waiting');
    for (const o of a.operations) p.text(`${o.operation.padEnd(32)} ${o.status.padEnd(10)} ${String(o.count).padStart(6)}  oldest ${o.oldestAgeS} s`);
    p.text(`oldest undelivered row: ${a.oldestAgeS} s (degraded above ${a.degradedAgeS} s)`);
    p.done(a);
    return 0;
  },
};

const dead: CliCommand = {
  name: 'outbox dead',
  summary: 'dead letters and rows of unknown outcome',
  usage: usage('dead [--limit N] [--url URL]', 'Dead letters (attempts used up, refused, or an operation no mapping defines) and rows whose outcome\nis unknown (a timeout of an operation that is not idempotent), oldest first, with the last error.', '  --limit N          at most N of each (default 100)\n'),
  options: { ...common, limit: { type: 'string' } },
  async run(line) {
    const p = printer(line);
    const limit = integerOption(line, 'limit', 1);
    const a = await adminApiFor(line).call<{ dead: Row[]; unknown: Row[] }>('GET', `outbox/dead${limit ? `?limit=${limit}` : ''}`);
    const rows = [...a.dead, ...a.unknown];
    if (!rows.length) p.text('no dead letters');
    for (const r of rows) p.text(`${r.id.padStart(8)}  ${r.status.padEnd(8)} ${r.operation}  account ${r.partitionKey}  ${r.attempts} attempts  since ${r.createdAt}\n          ${r.lastError ?? ''}`);
    p.done(a);
    return 0;
  },
};

const replay: CliCommand = {
  name: 'outbox replay',
  summary: 'dead or unknown rows back to pending',
  usage: usage('replay <id...> [--url URL]', 'Puts dead or unknown rows back to pending; their attempts start again. Rows in another state are\nlisted as skipped. Audited (outbox.replay).'),
  options: common,
  maxPositionals: 1000,
  async run(line) {
    const p = printer(line);
    const ids = rowIds(line, 'replay');
    const a = await adminApiFor(line).call<{ replayed: string[]; skipped: string[] }>('POST', 'outbox/replay', { ids });
    p.text(`replayed: ${a.replayed.join(' ') || 'none'}`);
    if (a.skipped.length) p.text(`skipped (not dead or unknown): ${a.skipped.join(' ')}`);
    p.done(a);
    return a.skipped.length ? 1 : 0;
  },
};

const discard: CliCommand = {
  name: 'outbox discard',
  summary: 'give up on an undelivered row, with a reason',
  usage: usage('discard <id> --reason TEXT [--url URL]', 'Gives up on a pending, dead or unknown row: it is never delivered, and no longer holds back its\naccount\'s later rows. The reason is kept on the row and in the audit log (outbox.discard).', '  --reason TEXT      why (required)\n'),
  options: { ...common, reason: { type: 'string' } },
  maxPositionals: 1,
  async run(line) {
    const p = printer(line);
    const [id] = rowIds(line, 'discard');
    const reason = stringOption(line, 'reason');
    if (!reason || reason.trim().length < 3) throw new UsageError('discard needs --reason TEXT (at least 3 characters)');
    const a = await adminApiFor(line).call<{ id: string; status: string }>('POST', `outbox/${id}/discard`, { reason });
    p.text(`row ${a.id} discarded`);
    p.done(a);
    return 0;
  },
};

/** `gridbus outbox <command>`. */
export const OUTBOX_COMMANDS: CliCommand[] = [backlog, dead, replay, discard];
