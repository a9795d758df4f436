import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GridbusConfig } from '../../config';
import { signOperatorToken } from '../../core/auth';
import { LENIENT_VARIABLES, compileMappingFiles, readMappingFiles } from '../../core/mapping';

export const MAPPINGS_USAGE = `Usage: gridbus mappings <command> [options]

  validate   [--dir mappings]                          check a mapping set locally (no bus needed)
  diff       [--dir mappings] [--against N]            compare with the active (or release N) on the bus
  dry-run    --operation NAME [--dir mappings] (--samples FILE.json | --last N)
                                                       run samples through the active and the draft version
  publish    [--dir mappings] [--note TEXT]            publish the set as a new release; every node switches
  rollback   --version N [--note TEXT]                 publish release N again as a new release
  releases                                             list releases

Talking to the bus: --url (default GRIDBUS_URL or http://127.0.0.1:8080) and --token
(default GRIDBUS_TOKEN; otherwise an admin token is signed with the local JWT_SECRET).`;

type Opt = (name: string) => string | undefined;

function readDir(opt: Opt): Record<string, string> {
  const dir = path.resolve(opt('dir') ?? 'mappings');
  if (!fs.existsSync(dir)) throw new Error(`no such directory: ${dir}`);
  return readMappingFiles(dir);
}

async function callBus(config: GridbusConfig, opt: Opt, method: 'GET' | 'POST', route: string, body?: unknown): Promise<unknown> {
  const base = opt('url') ?? process.env.GRIDBUS_URL ?? `http://${config.http.host}:${config.http.port}`;
  const token = opt('token') ?? process.env.GRIDBUS_TOKEN ?? signOperatorToken(config.auth, { sub: `cli:${os.userInfo().username}`, roles: ['admin'] }, 300);
  let res: Response;
  try {
    res = await fetch(`${base}/admin/api/${route}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  } catch (err) {
    throw new Error(`cannot reach the bus at ${base}: ${(err as Error).message}`);
  }
  const payload = (await res.json().catch(() => ({}))) as { code?: string; message?: string; details?: { problems?: unknown[] } };
  if (!res.ok) {
    const problems = payload.details?.problems ? `\n${JSON.stringify(payload.details.problems, null, 2)}` : '';
    throw new Error(`${res.status} ${payload.code ?? ''}: ${payload.message ?? 'request failed'}${problems}`);
  }
  return payload;
}

const out = (s: string) => process.stdout.write(`${s}\n`);

/** Returns the process exit code. */
export async function mappingsCommand(args: string[], config: GridbusConfig, opt: Opt): Promise<number> {
  const [sub] = args;
  switch (sub) {
    case 'validate': {
      const files = readDir(opt);
      const { bundle, problems } = compileMappingFiles(files, LENIENT_VARIABLES);
      for (const p of problems) out(`✗ ${p.file}: ${p.path ? `${p.path}: ` : ''}${p.message}`);
      if (problems.length) {
        out(`${problems.length} problem(s) in ${Object.keys(files).length} file(s)`);
        return 1;
      }
      out(`✓ ${Object.keys(files).length} file(s) valid: ${bundle.operations.size} operation(s) [${[...bundle.operations.keys()].join(', ')}], ${bundle.fileLayouts.size} file layout(s), ${bundle.topicShapes.size} topic shape(s), ${bundle.codes.size} code table(s)`);
      return 0;
    }
    case 'diff': {
      const r = (await callBus(config, opt, 'POST', 'mappings/diff', { files: readDir(opt), against: opt('against') })) as { against: number; patch: string; added: string[]; removed: string[]; changed: string[] };
      out(`against release ${r.against}: ${r.added.length} added, ${r.removed.length} removed, ${r.changed.length} changed`);
      if (r.patch) out(r.patch);
      return 0;
    }
    case 'dry-run': {
      const operation = opt('operation');
      if (!operation) throw new Error('dry-run needs --operation NAME');
      const samples = opt('samples') ? JSON.parse(fs.readFileSync(opt('samples')!, 'utf8')) : undefined;
      const r = (await callBus(config, opt, 'POST', 'mappings/dry-run', { files: readDir(opt), operation, samples, last: opt('last') })) as {
        currentVersion: number;
        results: Array<{ label: string; differences: string[]; current: unknown; draft: unknown }>;
      };
      out(`${operation}: draft against release ${r.currentVersion}, ${r.results.length} sample(s)`);
      for (const s of r.results) {
        out(`\n# ${s.label}: ${s.differences.length ? `${s.differences.length} difference(s)` : 'same output'}`);
        for (const d of s.differences) out(`  ${d}`);
      }
      if (opt('json') !== undefined) out(JSON.stringify(r, null, 2));
      return 0;
    }
    case 'publish': {
      const r = (await callBus(config, opt, 'POST', 'mappings/publish', { files: readDir(opt), note: opt('note') })) as { version: number; diff: string };
      out(`published release ${r.version}`);
      if (r.diff) out(r.diff);
      return 0;
    }
    case 'rollback': {
      const version = opt('version');
      if (!version) throw new Error('rollback needs --version N');
      const r = (await callBus(config, opt, 'POST', 'mappings/rollback', { version: Number(version), note: opt('note') })) as { version: number; rollbackOf: number };
      out(`published release ${r.version} (= release ${r.rollbackOf})`);
      return 0;
    }
    case 'releases': {
      const list = (await callBus(config, opt, 'GET', 'mappings/releases')) as Array<{ version: number; createdAt: string; author: string; kind: string; note: string | null }>;
      for (const r of list) out(`${String(r.version).padStart(4)}  ${r.createdAt}  ${r.kind.padEnd(8)}  ${r.author}  ${r.note ?? ''}`);
      return 0;
    }
    default:
      out(MAPPINGS_USAGE);
      return sub ? 2 : 0;
  }
}
