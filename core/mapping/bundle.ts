import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { GridbusError } from '../errors';
import { didYouMean } from './definition-errors';
import { DefinitionKind, canonicalProblems, canonicalShapeOf, withCanonicalCheck } from './canonical/definition-canonical';
import { readDefinitionYaml } from './definition-yaml';
import { CodeTable, loadCodeTableText } from './code-tables';
import { CompiledChannel } from './channels/channel-definition';
import { loadChannelText } from './channels/channel-loader';
import { hasVariables } from './variables';
import { CompiledOperation } from './compile-operation';
import { loadOperationText } from './operation-loader';
import { CompiledFileLayout } from './files/compile-layout';
import { loadFileLayoutText } from './files/layout-loader';
import { CompiledTopicShape } from './topics/compile-topic';
import { loadTopicShapeText } from './topics/topic-loader';

/**
 * A mapping set as operators edit it: every definition file under the
 * mappings directory, by path relative to it (`operations/x.yaml`). This is
 * what is validated, diffed, dry-run, published and rolled back, as a whole.
 */
export type MappingFiles = Record<string, string>;

export interface CompiledBundle {
  operations: Map<string, CompiledOperation>;
  codes: Map<string, CodeTable>;
  fileLayouts: Map<string, CompiledFileLayout>;
  topicShapes: Map<string, CompiledTopicShape>;
  /** File drops and topics (mappings/channels), their ${VARIABLES} still unresolved: each node resolves them. */
  channels: Map<string, CompiledChannel>;
}

export interface MappingProblem {
  file: string;
  path: string;
  message: string;
}

const KINDS = ['operations', 'files', 'topics', 'codes', 'channels'] as const;

/** Reads every `*.yaml` of the known kinds under `dir`. */
export function readMappingFiles(dir: string): MappingFiles {
  const files: MappingFiles = {};
  for (const kind of KINDS) {
    const sub = path.join(dir, kind);
    if (!fs.existsSync(sub)) continue;
    for (const name of fs.readdirSync(sub).filter((f) => /\.ya?ml$/.test(f)).sort()) {
      files[`${kind}/${name}`] = fs.readFileSync(path.join(sub, name), 'utf8');
    }
  }
  return files;
}

/** A stable fingerprint of a set, to tell whether two sets are the same. */
export function checksumOf(files: MappingFiles): string {
  const h = crypto.createHash('sha256');
  for (const name of Object.keys(files).sort()) h.update(name).update('\0').update(files[name]).update('\0');
  return h.digest('hex');
}

/** Every problem a loader reported (details.problems), or its one message. */
function problemsOf(err: unknown, file: string): MappingProblem[] {
  const details = (err as GridbusError).data as { file?: string; path?: string; problems?: Array<{ path: string; message: string }> } | undefined;
  if (Array.isArray(details?.problems)) return details.problems.map((p) => ({ file: details.file ?? file, path: p.path, message: p.message }));
  const message = (err as Error).message;
  const prefix = `${details?.file ?? file}: ${details?.path ?? ''}: `;
  return [{
    file: details?.file ?? file,
    path: details?.path ?? '',
    message: message.startsWith(prefix) ? message.slice(prefix.length) : message,
  }];
}

const DEFINITION_KINDS: Record<string, DefinitionKind> = { 'operations/': 'operation', 'files/': 'layout', 'topics/': 'shape' };

/**
 * The canonical check of every operation, layout and shape (their output
 * against the shape the bus's services and sinks read), also for files that
 * failed otherwise: an operator sees every problem in one round. A shape
 * that passes gets its records checked at run time too.
 */
function checkCanonical(files: MappingFiles, bundle: Omit<CompiledBundle, 'channels' | 'codes'>, problems: MappingProblem[], skip: (file: string) => boolean): void {
  for (const file of Object.keys(files).sort()) {
    const kind = Object.entries(DEFINITION_KINDS).find(([prefix]) => file.startsWith(prefix))?.[1];
    if (!kind || skip(file)) continue;
    const { value } = readDefinitionYaml(files[file]);
    const found = canonicalProblems(kind, value);
    const known = new Set(problems.filter((p) => p.file === file).map((p) => `${p.path}\0${p.message}`));
    for (const p of found) if (!known.has(`${p.path}\0${p.message}`)) problems.push({ file, ...p });
    const entries: Array<Map<string, { file: string }>> = [bundle.operations, bundle.fileLayouts, bundle.topicShapes];
    for (const map of entries) {
      for (const [name, item] of map) {
        if (item.file !== file) continue;
        if (found.length) map.delete(name);
        else if (kind === 'shape') {
          const shape = canonicalShapeOf(kind, value);
          if (shape) bundle.topicShapes.set(name, withCanonicalCheck(item as CompiledTopicShape, shape));
        }
      }
    }
  }
}

/**
 * Compiles a whole set, collecting every problem rather than stopping at the
 * first, so an operator fixes a draft in one round. Code tables compile
 * first: operations refer to them.
 */
export interface CompileOptions {
  /** Compile only operations of these systems (`marketing.*`); a node needs no others. */
  systems?: string[];
}

function isOtherSystem(file: string, text: string, options: CompileOptions): boolean {
  if (!file.startsWith('operations/') || !options.systems) return false;
  const system = operationSystem(text);
  return system !== undefined && !options.systems.includes(system);
}

function operationSystem(text: string): string | undefined {
  const m = /^operation:\s*["']?([a-z][a-zA-Z0-9]*)\./m.exec(text);
  return m?.[1];
}

export function compileMappingFiles(files: MappingFiles, variables: Record<string, string | undefined>, options: CompileOptions = {}): { bundle: CompiledBundle; problems: MappingProblem[] } {
  const problems: MappingProblem[] = [];
  const codes = new Map<string, CodeTable>();
  const operations = new Map<string, CompiledOperation>();
  const names = Object.keys(files).sort();
  for (const file of names.filter((f) => f.startsWith('codes/'))) {
    try {
      const table = loadCodeTableText(files[file], file);
      const existing = codes.get(table.name);
      if (existing) problems.push({ file, path: 'table', message: `'${table.name}' is already defined in ${existing.file}` });
      else codes.set(table.name, table);
    } catch (err) {
      problems.push(...problemsOf(err, file));
    }
  }
  for (const file of names.filter((f) => f.startsWith('operations/'))) {
    const system = operationSystem(files[file]);
    if (options.systems && system && !options.systems.includes(system)) continue;
    try {
      const op = loadOperationText(files[file], file, variables, { codes });
      const existing = operations.get(op.name);
      if (existing) problems.push({ file, path: 'operation', message: `'${op.name}' is already defined in ${existing.file}` });
      else operations.set(op.name, op);
    } catch (err) {
      problems.push(...problemsOf(err, file));
    }
  }
  const fileLayouts = new Map<string, CompiledFileLayout>();
  const topicShapes = new Map<string, CompiledTopicShape>();
  const named = <T extends { name: string; file: string }>(prefix: string, into: Map<string, T>, load: (text: string, file: string) => T, what: string) => {
    for (const file of names.filter((f) => f.startsWith(prefix))) {
      try {
        const item = load(files[file], file);
        const existing = into.get(item.name);
        if (existing) problems.push({ file, path: what, message: `'${item.name}' is already defined in ${existing.file}` });
        else into.set(item.name, item);
      } catch (err) {
        problems.push(...problemsOf(err, file));
      }
    }
  };
  named('files/', fileLayouts, (t, f) => loadFileLayoutText(t, f, { codes }), 'layout');
  named('topics/', topicShapes, (t, f) => loadTopicShapeText(t, f, { codes }), 'shape');
  checkCanonical(files, { operations, fileLayouts, topicShapes }, problems, (file) => isOtherSystem(file, files[file], options));
  const channels = new Map<string, CompiledChannel>();
  named('channels/', channels, loadChannelText, 'channel');
  problems.push(...unknownChannelInputs(channels, fileLayouts, topicShapes));
  for (const file of names.filter((f) => !/^(codes|operations|files|topics|channels)\//.test(f))) {
    problems.push({ file, path: '', message: 'is not under operations/, files/, topics/, codes/ or channels/' });
  }
  return { bundle: { operations, codes, fileLayouts, topicShapes, channels }, problems };
}

/**
 * A channel naming a layout or shape the set does not have is refused here,
 * before it could send every file to .failed or every message to the
 * dead-letter topic. A name given by a variable is checked by each node.
 */
function unknownChannelInputs(channels: Map<string, CompiledChannel>, layouts: Map<string, unknown>, shapes: Map<string, unknown>): MappingProblem[] {
  const problems: MappingProblem[] = [];
  for (const c of channels.values()) {
    const [key, name, known] = c.definition.kind === 'sftp' ? ['layout', c.definition.layout, layouts] : ['shape', c.definition.shape, shapes];
    if (typeof name !== 'string' || hasVariables(name) || known.has(name)) continue;
    const where = key === 'layout' ? 'files/' : 'topics/';
    problems.push({ file: c.file, path: key, message: `channel '${c.name}' reads with ${key} '${name}', which no definition under ${where} declares${didYouMean(name, known.keys())}; known: ${[...known.keys()].join(', ') || '(none)'}` });
  }
  return problems;
}

/** Like compileMappingFiles, but a set with any problem is refused as a whole. */
export function compileMappingFilesStrict(files: MappingFiles, variables: Record<string, string | undefined>, options: CompileOptions = {}): CompiledBundle {
  const { bundle, problems } = compileMappingFiles(files, variables, options);
  if (problems.length) {
    const [first] = problems;
    throw new GridbusError('MAPPING_INVALID', `${first.file}: ${first.path}: ${first.message}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`, {
      details: { file: first.file, path: first.path, problems },
    });
  }
  return bundle;
}

/**
 * Variables for validating a draft where the endpoint settings are not known
 * (the node validating is not the node calling): every `${NAME}` stays as is.
 * The node that activates the set substitutes its real values.
 */
export const LENIENT_VARIABLES: Record<string, string | undefined> = new Proxy(
  {},
  { get: (_t, name) => (typeof name === 'string' ? `\${${name}}` : undefined) },
);
