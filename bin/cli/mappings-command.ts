import * as fs from 'fs';
import * as path from 'path';
import { adminApiFor } from './admin-api';
import { refusal } from './bus-request';
import { CliError, UsageError } from './cli-error';
import { CliCommand, printer } from './command';
import { mappingsDir } from './mappings-dir';
import { CommandLine, integerOption, OptionSpec, stringOption } from './options';
import { describeFileDryRun, describeTopicDryRun } from './sample-dry-run-output';

const BUS_NOTE = `Commands marked * talk to a bus with the session of gridbus login (see gridbus login --help),
the bus of the last log-in unless --url URL or GRIDBUS_URL names another; they say which on stderr.
The mapping set is --dir DIR, else MAPPINGS_DIR (the bus's own setting), else ./mappings; the
directory read is said on stderr. --json (anywhere on the line) prints only the answer, as JSON.`;

export const MAPPINGS_USAGE = `Usage: gridbus mappings <command> [options]

  validate   [--dir DIR] [--check-endpoints]         check a mapping set locally (no bus needed)
  diff*      [--dir DIR] [--against N]               compare with the active (or release N) on the bus
  dry-run*   --operation NAME (--samples FILE.json | --last N)
                                                     run samples through the active and the draft version
  dry-run    --layout NAME --file PATH [--encoding E] read a sample file with a draft layout (no bus needed)
  dry-run    --shape NAME --message PATH             decode sample messages with a draft topic shape (no bus needed)
  publish*   [--dir DIR] [--note TEXT] [--check-endpoints]
                                                     publish the set as a new release; every node's answer
  rollback*  --version N [--note TEXT]               publish release N again as a new release
  releases*                                          list releases

${BUS_NOTE}
gridbus mappings <command> --help shows one command's help.`;

/** The mapping engine, loaded when a command runs (help needs none of it). */
const mappingEngine = () => import('../../core/mapping');

async function readDir(line: CommandLine, args: string[]): Promise<Record<string, string>> {
  return (await mappingEngine()).readMappingFiles(mappingsDir(line, args));
}


const common = { json: { type: 'boolean' } } as const satisfies OptionSpec;
const dirOption = { dir: { type: 'string' } } as const;
const urlOption = { url: { type: 'string' } } as const;
const usage = (synopsis: string, text: string, options: string) =>
  `Usage: gridbus mappings ${synopsis}\n\n${text}\n\n${options}${options ? '\n' : ''}  --json             print only the answer, as JSON\n  -h, --help         this help`;
const DIR_HELP = '  --dir DIR          the mapping set (default MAPPINGS_DIR, else ./mappings)';
const URL_HELP = '  --url URL          the bus (default GRIDBUS_URL, else the bus of the last gridbus login)';
const CHECK_HELP = "  --check-endpoints  ask each SOAP operation's WSDL whether it has the operation named";

interface Problem {
  file: string;
  path: string;
  message: string;
  nodes?: string[];
}
const problemLine = (p: Problem) => `✗ ${p.file}${p.file ? ': ' : ''}${p.path ? `${p.path}: ` : ''}${p.message}${p.nodes ? ` (node ${p.nodes.join(', ')})` : ''}`;

/**
 * Variables for checking endpoints from this machine: each `${NAME}` from the environment of
 * the CLI; one not set stays `${NAME}` and its endpoint is reported as not checkable here.
 */
const ENVIRONMENT_VARIABLES: Record<string, string | undefined> = new Proxy(
  {},
  { get: (_t, name) => (typeof name === 'string' ? process.env[name] ?? process.env[`GRIDBUS_VAR_${name}`] ?? `\${${name}}` : undefined) },
);

const validate: CliCommand = {
  name: 'mappings validate',
  summary: 'check a mapping set locally (no bus needed)',
  usage: usage(
    'validate [--dir DIR] [--check-endpoints]',
    "Compiles every file of the set and lists every problem with its file and path; talks to no bus.\nWith --check-endpoints, each SOAP operation's WSDL (its ${VARIABLES} from this environment) is asked\nwhether it has the operation named. Exit code 1 when there are problems.",
    `${DIR_HELP}\n${CHECK_HELP}`,
  ),
  options: { ...common, ...dirOption, 'check-endpoints': { type: 'boolean' } },
  async run(line, args) {
    const p = printer(line);
    const files = await readDir(line, args);
    const { compileMappingFiles, LENIENT_VARIABLES } = await mappingEngine();
    const { bundle, problems } = compileMappingFiles(files, LENIENT_VARIABLES);
    const all: Problem[] = [...problems];
    if (line.values['check-endpoints'] && !problems.length) {
      const { checkBundleEndpoints } = await import('../../services/mapping/endpoint-check');
      all.push(...(await checkBundleEndpoints(compileMappingFiles(files, ENVIRONMENT_VARIABLES).bundle)));
    }
    const count = Object.keys(files).length;
    for (const problem of all) p.text(problemLine(problem));
    const answer = {
      valid: all.length === 0,
      files: count,
      problems: all,
      operations: [...bundle.operations.keys()],
      fileLayouts: [...bundle.fileLayouts.keys()],
      topicShapes: [...bundle.topicShapes.keys()],
      codeTables: [...bundle.codes.keys()],
    };
    if (all.length) p.text(`${all.length} problem(s) in ${count} file(s)`);
    else p.text(`✓ ${count} file(s) valid: ${bundle.operations.size} operation(s) [${answer.operations.join(', ')}], ${bundle.fileLayouts.size} file layout(s), ${bundle.topicShapes.size} topic shape(s), ${bundle.codes.size} code table(s)${line.values['check-endpoints'] ? '; every SOAP operation is in its WSDL' : ''}`);
    p.done(answer);
    return all.length ? 1 : 0;
  },
};

const diff: CliCommand = {
  name: 'mappings diff',
  summary: 'compare a mapping set with the active (or another) release on the bus',
  usage: usage('diff [--dir DIR] [--against N] [--url URL]', 'Shows what publishing the set would change, against the active release or release N.', `${DIR_HELP}\n  --against N        the release to compare with (default the active one)\n${URL_HELP}`),
  options: { ...common, ...dirOption, ...urlOption, against: { type: 'string' } },
  async run(line, args) {
    const p = printer(line);
    const against = integerOption(line, 'against', 1);
    const files = await readDir(line, args);
    const r = await adminApiFor(line).call<{ against: number; patch: string; added: string[]; removed: string[]; changed: string[] }>('POST', 'mappings/diff', { files, against });
    p.text(`against release ${r.against}: ${r.added.length} added, ${r.removed.length} removed, ${r.changed.length} changed`);
    if (r.patch) p.text(r.patch);
    p.done(r);
    return 0;
  },
};

type Outcome = { ok: true; value: unknown } | { ok: false; error?: { code: string; message: string }; missing?: true };
const outcomeLine = (o: Outcome | undefined) =>
  !o ? undefined : o.ok ? 'ok' : o.missing ? 'the operation is not in this version' : `✗ ${o.error!.code}: ${o.error!.message}`;

async function dryRunOperation(line: CommandLine, args: string[], operation: string): Promise<number> {
  const p = printer(line);
  const last = integerOption(line, 'last', 1);
  const samplesFile = stringOption(line, 'samples');
  if (!samplesFile && last === undefined) throw new UsageError('dry-run --operation needs --samples FILE.json or --last N');
  const samples = samplesFile ? readJson(samplesFile) : undefined;
  const files = await readDir(line, args);
  const r = await adminApiFor(line).call<{
    currentVersion: number;
    draftProblems: Problem[];
    results: Array<{ label: string; differences: string[]; current: { request?: Outcome; response?: Outcome }; draft: { request?: Outcome; response?: Outcome } }>;
  }>('POST', 'mappings/dry-run', { files, operation, samples, last });
  p.text(`${operation}: draft against release ${r.currentVersion}, ${r.results.length} sample(s)`);
  if (r.draftProblems?.length) {
    p.text(`the draft set has ${r.draftProblems.length} problem(s) (gridbus mappings validate):`);
    for (const problem of r.draftProblems) p.text(`  ${problemLine(problem)}`);
  }
  let draftFailures = 0;
  for (const s of r.results) {
    p.text(`\n# ${s.label}: ${s.differences.length ? `${s.differences.length} difference(s)` : 'same output'}`);
    for (const part of ['request', 'response'] as const) {
      const draft = s.draft[part];
      if (!draft) continue;
      if (!draft.ok) draftFailures++;
      p.text(`  ${part}: active ${outcomeLine(s.current[part])}; draft ${outcomeLine(draft)}`);
    }
    for (const d of s.differences) p.text(`  ${d}`);
  }
  p.done(r);
  return draftFailures || r.draftProblems?.length ? 1 : 0;
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CliError(`cannot read the samples ${file}: ${(err as Error).message}`);
  }
}

function readSample(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new CliError(`cannot read the sample ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** Compiles the draft set here (no bus): a file or topic dry-run needs only its layouts, shapes and code tables. */
async function draftBundle(line: CommandLine, args: string[]) {
  const { compileMappingFiles, LENIENT_VARIABLES } = await mappingEngine();
  const files = await readDir(line, args);
  const { bundle, problems } = compileMappingFiles(files, LENIENT_VARIABLES);
  return { bundle, problems };
}

const ENCODINGS = ['utf-8', 'gbk', 'gb18030'];

async function dryRunSample(line: CommandLine, args: string[]): Promise<number> {
  const p = printer(line);
  const layout = stringOption(line, 'layout');
  const shape = stringOption(line, 'shape');
  const { dryRunFileLayout, dryRunTopicShape } = await import('../../core/mapping/dry-run-samples');
  const { bundle, problems } = await draftBundle(line, args);
  // a problem elsewhere in the set does not stop trying this layout, but it would stop a publish
  for (const problem of problems) process.stderr.write(`note: the draft set has a problem: ${problemLine(problem)}\n`);
  const run = async () => {
    if (layout) {
      const file = stringOption(line, 'file');
      if (!file) throw new UsageError('dry-run --layout NAME needs --file PATH (a sample file)');
      const encoding = stringOption(line, 'encoding');
      if (encoding !== undefined && !ENCODINGS.includes(encoding)) throw new UsageError(`--encoding takes ${ENCODINGS.join(', ')} (got '${encoding}')`);
      const r = await dryRunFileLayout(bundle, layout, readSample(file), path.basename(file), { encoding: encoding as never });
      describeFileDryRun(r).forEach(p.text);
      return r;
    }
    const message = stringOption(line, 'message');
    if (!message) throw new UsageError('dry-run --shape NAME needs --message PATH (a JSON message, or one message per line)');
    const r = dryRunTopicShape(bundle, shape!, readSample(message));
    describeTopicDryRun(r).forEach(p.text);
    return r;
  };
  try {
    const r = await run();
    p.done(r);
    return r.ok ? 0 : 1;
  } catch (err) {
    if ((err as { type?: string }).type === 'VALIDATION_FAILED') throw new CliError(`${(err as Error).message}${problems.length ? ' (the set has problems, noted above: one may be in this definition)' : ''}`);
    throw err;
  }
}

const dryRun: CliCommand = {
  name: 'mappings dry-run',
  summary: 'run samples through an operation, a file layout or a topic shape of the draft',
  usage: usage(
    'dry-run (--operation NAME (--samples FILE.json | --last N) [--url URL] | --layout NAME --file PATH [--encoding E] | --shape NAME --message PATH) [--dir DIR]',
    `--operation: runs the samples through the operation of the active release (on the bus) and of the set
in DIR, lists the differences and says why a version fails (code and message per sample).
--layout: reads a sample file with the layout of the set in DIR (no bus): each line as read and its
canonical record, every refused line with its reason, and the totals check.
--shape: decodes sample messages with the topic shape of the set in DIR (no bus): a JSON message, a
JSON array of messages, or one message per line; each gives its canonical record, a skip and why,
or why it is refused. Nothing is sent to a back-office system or stored. Exit code 1 when the draft
fails a sample.`,
    `  --operation NAME   the operation, such as marketing.queryArrears
  --samples FILE     a JSON file of samples ([{ label?, request?, response? }])
  --last N           the N newest recorded exchanges of the operation (masked)
  --layout NAME      a file layout of the set, such as marketing.reconciliation-fixed
  --file PATH        the sample file
  --encoding E       read the file as utf-8, gbk or gb18030 instead of the layout's encoding
  --shape NAME       a topic shape of the set, such as collection.day-read-cdc
  --message PATH     the sample message(s)
${DIR_HELP}
${URL_HELP}`,
  ),
  options: {
    ...common, ...dirOption, ...urlOption,
    operation: { type: 'string' }, samples: { type: 'string' }, last: { type: 'string' },
    layout: { type: 'string' }, file: { type: 'string' }, encoding: { type: 'string' },
    shape: { type: 'string' }, message: { type: 'string' },
  },
  async run(line, args) {
    const chosen = ['operation', 'layout', 'shape'].filter((k) => stringOption(line, k) !== undefined);
    if (chosen.length !== 1) throw new UsageError('dry-run takes one of --operation NAME, --layout NAME or --shape NAME');
    const operation = stringOption(line, 'operation');
    if (operation) return dryRunOperation(line, args, operation);
    return dryRunSample(line, args);
  },
};

interface NodeAnswer {
  nodeId: string;
  ok: boolean;
  activeVersion: number | 'local' | null;
  switched?: boolean;
  error?: { code: string; message: string };
}
const nodeLine = (n: NodeAnswer) =>
  n.ok ? `  ✓ node ${n.nodeId}: runs release ${n.activeVersion}${n.switched === false ? ' (already)' : ''}` : `  ✗ node ${n.nodeId}: refused: ${n.error?.code}: ${n.error?.message}${n.activeVersion === null ? '' : ` (still runs release ${n.activeVersion})`}`;

/** A publish or rollback's answer: every node's answer; a refusal anywhere is exit code 1. */
async function releaseCommand(line: CommandLine, route: string, body: unknown, what: (r: { version: number; rollbackOf?: number }) => string): Promise<number> {
  const p = printer(line);
  const answer = await adminApiFor(line).answer('POST', route, body);
  const payload = answer.payload as { version?: number; rollbackOf?: number; diff?: string; nodes?: NodeAnswer[]; code?: string; message?: string; details?: { version?: number; nodes?: NodeAnswer[]; problems?: Problem[] } };
  if (answer.ok) {
    p.text(`${what(payload as { version: number })}, active on ${payload.nodes?.length ?? 0} node(s)`);
    for (const n of payload.nodes ?? []) p.text(nodeLine(n));
    if (!payload.nodes?.length) p.text('  (no node runs operations or channels right now: each takes the release when it starts)');
    if (payload.diff) p.text(payload.diff);
    p.done(payload);
    return 0;
  }
  if (line.values.json) {
    p.done({ status: answer.status, ...payload });
    return 1;
  }
  if (payload.code === 'MAPPING_NOT_ACTIVE' && payload.details?.nodes) {
    const refused = payload.details.nodes.filter((n) => !n.ok);
    process.stderr.write(`gridbus: release ${payload.details.version} is recorded but NOT active everywhere: ${refused.length} of ${payload.details.nodes.length} node(s) refused it\n`);
    for (const n of payload.details.nodes) process.stderr.write(`${nodeLine(n)}\n`);
    return 1;
  }
  if (Array.isArray(payload.details?.problems)) {
    process.stderr.write(`gridbus: ${answer.status} ${payload.code}: ${payload.message}\n`);
    for (const problem of payload.details!.problems!) process.stderr.write(`${problemLine(problem)}\n`);
    return 1;
  }
  throw new CliError(refusal(answer));
}

const publish: CliCommand = {
  name: 'mappings publish',
  summary: "publish a mapping set as a new release (every node's answer)",
  usage: usage(
    'publish [--dir DIR] [--note TEXT] [--check-endpoints] [--url URL]',
    `Publishes the set as a new release and asks every node to switch to it; prints each node's answer.
A node that refuses it (say it lacks a variable the set needs) is named with its reason and the exit
code is 1: the release stays recorded but is not active everywhere. With --check-endpoints every
node first asks the WSDLs of the SOAP operations (with its own variables) whether they have the
operations named, and nothing is published if one is missing. Needs the admin role.`,
    `${DIR_HELP}\n  --note TEXT        why, kept with the release\n${CHECK_HELP}\n${URL_HELP}`,
  ),
  options: { ...common, ...dirOption, ...urlOption, note: { type: 'string' }, 'check-endpoints': { type: 'boolean' } },
  async run(line, args) {
    const files = await readDir(line, args);
    const body = { files, note: stringOption(line, 'note'), ...(line.values['check-endpoints'] ? { checkEndpoints: true } : {}) };
    return releaseCommand(line, 'mappings/publish', body, (r) => `published release ${r.version}`);
  },
};

const rollback: CliCommand = {
  name: 'mappings rollback',
  summary: 'publish an earlier release again as a new release',
  usage: usage('rollback --version N [--note TEXT] [--url URL]', "Publishes release N's content again as a new release and prints each node's answer (exit code 1\nwhen a node refuses it). Needs the admin role.", `  --version N        the release to go back to\n  --note TEXT        why, kept with the release\n${URL_HELP}`),
  options: { ...common, ...urlOption, version: { type: 'string' }, note: { type: 'string' } },
  async run(line) {
    const version = integerOption(line, 'version', 1);
    if (version === undefined) throw new UsageError('rollback needs --version N');
    return releaseCommand(line, 'mappings/rollback', { version, note: stringOption(line, 'note') }, (r) => `published release ${r.version} (= release ${r.rollbackOf})`);
  },
};

const releases: CliCommand = {
  name: 'mappings releases',
  summary: 'list the releases on the bus',
  usage: usage('releases [--url URL]', 'Lists the releases: version, time, kind, author and note.', URL_HELP),
  options: { ...common, ...urlOption },
  async run(line) {
    const p = printer(line);
    const list = await adminApiFor(line).call<Array<{ version: number; createdAt: string; author: string; kind: string; note: string | null }>>('GET', 'mappings/releases');
    for (const r of list) p.text(`${String(r.version).padStart(4)}  ${r.createdAt}  ${r.kind.padEnd(8)}  ${r.author}  ${r.note ?? ''}`);
    p.done(list);
    return 0;
  },
};

/** `gridbus mappings <command>`. */
export const MAPPINGS_COMMANDS: CliCommand[] = [validate, diff, dryRun, publish, rollback, releases];
