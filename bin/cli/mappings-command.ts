import * as fs from 'fs';
import * as path from 'path';
import { AdminApi } from './admin-api';
import { CliError, UsageError } from './cli-error';
import { CliCommand } from './command';
import { CommandLine, integerOption, stringOption } from './options';

const BUS_NOTE = `Commands marked * talk to a bus with the session of gridbus login (see gridbus login --help),
the bus of the last log-in unless --url URL or GRIDBUS_URL names another; they say which on stderr.`;

export const MAPPINGS_USAGE = `Usage: gridbus mappings <command> [options]

  validate   [--dir mappings]                          check a mapping set locally (no bus needed)
  diff*      [--dir mappings] [--against N]            compare with the active (or release N) on the bus
  dry-run*   --operation NAME [--dir mappings] (--samples FILE.json | --last N) [--json]
                                                       run samples through the active and the draft version
  publish*   [--dir mappings] [--note TEXT]            publish the set as a new release; every node switches
  rollback*  --version N [--note TEXT]                 publish release N again as a new release
  releases*                                            list releases

${BUS_NOTE}
gridbus mappings <command> --help shows one command's help.`;

const out = (s: string) => process.stdout.write(`${s}\n`);

/** The mapping engine, loaded when a command runs (help needs none of it). */
const mappingEngine = () => import('../../core/mapping');

async function readDir(line: CommandLine): Promise<Record<string, string>> {
  const dir = path.resolve(stringOption(line, 'dir') ?? 'mappings');
  if (!fs.existsSync(dir)) throw new CliError(`no such directory: ${dir}`);
  return (await mappingEngine()).readMappingFiles(dir);
}

/** The bus of this command, announced on stderr before anything is sent. */
function adminApi(line: CommandLine): AdminApi {
  const api = AdminApi.open(stringOption(line, 'url'));
  api.announce();
  return api;
}

const dirOption = { dir: { type: 'string' } } as const;
const urlOption = { url: { type: 'string' } } as const;
const usage = (synopsis: string, text: string, options: string) =>
  `Usage: gridbus mappings ${synopsis}\n\n${text}\n\n${options}${options ? '\n' : ''}  -h, --help         this help`;
const DIR_HELP = '  --dir DIR          the mapping set (default ./mappings)';
const URL_HELP = '  --url URL          the bus (default GRIDBUS_URL, else the bus of the last gridbus login)';

const validate: CliCommand = {
  name: 'mappings validate',
  summary: 'check a mapping set locally (no bus needed)',
  usage: usage('validate [--dir DIR]', 'Compiles every file of the set and lists every problem with its file and path; talks to no bus.\nExit code 1 when there are problems.', DIR_HELP),
  options: dirOption,
  async run(line) {
    const files = await readDir(line);
    const { compileMappingFiles, LENIENT_VARIABLES } = await mappingEngine();
    const { bundle, problems } = compileMappingFiles(files, LENIENT_VARIABLES);
    for (const p of problems) out(`✗ ${p.file}: ${p.path ? `${p.path}: ` : ''}${p.message}`);
    if (problems.length) {
      out(`${problems.length} problem(s) in ${Object.keys(files).length} file(s)`);
      return 1;
    }
    out(`✓ ${Object.keys(files).length} file(s) valid: ${bundle.operations.size} operation(s) [${[...bundle.operations.keys()].join(', ')}], ${bundle.fileLayouts.size} file layout(s), ${bundle.topicShapes.size} topic shape(s), ${bundle.codes.size} code table(s)`);
    return 0;
  },
};

const diff: CliCommand = {
  name: 'mappings diff',
  summary: 'compare a mapping set with the active (or another) release on the bus',
  usage: usage('diff [--dir DIR] [--against N] [--url URL]', 'Shows what publishing the set would change, against the active release or release N.', `${DIR_HELP}\n  --against N        the release to compare with (default the active one)\n${URL_HELP}`),
  options: { ...dirOption, ...urlOption, against: { type: 'string' } },
  async run(line) {
    const against = integerOption(line, 'against', 1);
    const files = await readDir(line);
    const r = await adminApi(line).call<{ against: number; patch: string; added: string[]; removed: string[]; changed: string[] }>('POST', 'mappings/diff', { files, against });
    out(`against release ${r.against}: ${r.added.length} added, ${r.removed.length} removed, ${r.changed.length} changed`);
    if (r.patch) out(r.patch);
    return 0;
  },
};

const dryRun: CliCommand = {
  name: 'mappings dry-run',
  summary: 'run samples through the active and the draft version of an operation',
  usage: usage(
    'dry-run --operation NAME [--dir DIR] (--samples FILE.json | --last N) [--json] [--url URL]',
    'Runs the samples through the operation of the active release and of the set in DIR, and lists the\ndifferences of their outputs; nothing is sent to a back-office system.',
    `  --operation NAME   the operation, such as marketing.queryArrears\n${DIR_HELP}\n  --samples FILE     a JSON file of samples\n  --last N           the N newest recorded exchanges of the operation (masked)\n  --json             print the whole result as JSON too\n${URL_HELP}`,
  ),
  options: { ...dirOption, ...urlOption, operation: { type: 'string' }, samples: { type: 'string' }, last: { type: 'string' }, json: { type: 'boolean' } },
  async run(line) {
    const operation = stringOption(line, 'operation');
    if (!operation) throw new UsageError('dry-run needs --operation NAME');
    const last = integerOption(line, 'last', 1);
    const samplesFile = stringOption(line, 'samples');
    const samples = samplesFile ? JSON.parse(fs.readFileSync(samplesFile, 'utf8')) : undefined;
    const files = await readDir(line);
    const r = await adminApi(line).call<{ currentVersion: number; results: Array<{ label: string; differences: string[] }> }>('POST', 'mappings/dry-run', { files, operation, samples, last });
    out(`${operation}: draft against release ${r.currentVersion}, ${r.results.length} sample(s)`);
    for (const s of r.results) {
      out(`\n# ${s.label}: ${s.differences.length ? `${s.differences.length} difference(s)` : 'same output'}`);
      for (const d of s.differences) out(`  ${d}`);
    }
    if (line.values.json) out(JSON.stringify(r, null, 2));
    return 0;
  },
};

const publish: CliCommand = {
  name: 'mappings publish',
  summary: 'publish a mapping set as a new release (every node switches)',
  usage: usage('publish [--dir DIR] [--note TEXT] [--url URL]', 'Publishes the set as a new release; every node switches to it. Needs the admin role.', `${DIR_HELP}\n  --note TEXT        why, kept with the release\n${URL_HELP}`),
  options: { ...dirOption, ...urlOption, note: { type: 'string' } },
  async run(line) {
    const files = await readDir(line);
    const r = await adminApi(line).call<{ version: number; diff: string }>('POST', 'mappings/publish', { files, note: stringOption(line, 'note') });
    out(`published release ${r.version}`);
    if (r.diff) out(r.diff);
    return 0;
  },
};

const rollback: CliCommand = {
  name: 'mappings rollback',
  summary: 'publish an earlier release again as a new release',
  usage: usage('rollback --version N [--note TEXT] [--url URL]', "Publishes release N's content again as a new release. Needs the admin role.", `  --version N        the release to go back to\n  --note TEXT        why, kept with the release\n${URL_HELP}`),
  options: { ...urlOption, version: { type: 'string' }, note: { type: 'string' } },
  async run(line) {
    const version = integerOption(line, 'version', 1);
    if (version === undefined) throw new UsageError('rollback needs --version N');
    const r = await adminApi(line).call<{ version: number; rollbackOf: number }>('POST', 'mappings/rollback', { version, note: stringOption(line, 'note') });
    out(`published release ${r.version} (= release ${r.rollbackOf})`);
    return 0;
  },
};

const releases: CliCommand = {
  name: 'mappings releases',
  summary: 'list the releases on the bus',
  usage: usage('releases [--url URL]', 'Lists the releases: version, time, kind, author and note.', URL_HELP),
  options: urlOption,
  async run(line) {
    const list = await adminApi(line).call<Array<{ version: number; createdAt: string; author: string; kind: string; note: string | null }>>('GET', 'mappings/releases');
    for (const r of list) out(`${String(r.version).padStart(4)}  ${r.createdAt}  ${r.kind.padEnd(8)}  ${r.author}  ${r.note ?? ''}`);
    return 0;
  },
};

/** `gridbus mappings <command>`. */
export const MAPPINGS_COMMANDS: CliCommand[] = [validate, diff, dryRun, publish, rollback, releases];
