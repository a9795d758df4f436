import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ErrorObject } from 'ajv';
import YAML from 'yaml';
import { GridbusError } from '../../errors';
import { FIELD_SPEC_SCHEMA } from '../operation-schema';
import { CodeTable, loadCodeTableText } from '../code-tables';
import { MappingCompileError } from '../definition-errors';
import { CompileEnv } from '../field-compiler';
import { CompiledFileLayout, compileFileLayout } from './compile-layout';
import { FileLayoutDefinition } from './layout-definition';
import { FILE_LAYOUT_SCHEMA } from './layout-schema';

const ajv = new Ajv({ allErrors: false, strict: false });
ajv.addSchema(FIELD_SPEC_SCHEMA);
const validateLayout = ajv.compile(FILE_LAYOUT_SCHEMA);

export function definitionInvalid(file: string, where: string, what: string): GridbusError {
  return new GridbusError('MAPPING_INVALID', `${file}: ${where}: ${what}`, { details: { file, path: where } });
}

/** `/records/detail/fields/3/width` → `records.detail.fields[3].width` */
export function schemaPath(instancePath: string): string {
  if (!instancePath) return '(top level)';
  return instancePath
    .slice(1)
    .split('/')
    .map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, k) => (/^\d+$/.test(k) ? `${acc}[${k}]` : acc ? `${acc}.${k}` : k), '');
}

export function schemaMessage(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  if (e.keyword === 'additionalProperties') return `${e.message} '${String(p.additionalProperty)}'`;
  if (e.keyword === 'enum') return `${e.message}: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  if (e.keyword === 'propertyNames') return `property name '${String(p.propertyName)}' is not a valid name`;
  return e.message ?? e.keyword;
}

/**
 * Parses YAML text into a plain object, or throws MAPPING_INVALID naming the
 * file and line. Shared with the topic-shape loader.
 */
export function parseYaml(text: string, file: string): unknown {
  const doc = YAML.parseDocument(text, { prettyErrors: true });
  if (doc.errors.length) throw definitionInvalid(file, `line ${doc.errors[0].linePos?.[0].line ?? '?'}`, doc.errors[0].message.split('\n')[0]);
  return doc.toJS();
}

/**
 * Parses, validates and compiles one layout; errors (MAPPING_INVALID) name
 * the file and the path inside it. `env.codes`: the code tables a `map` may
 * use (as for operations).
 */
export function loadFileLayoutText(text: string, file: string, env: CompileEnv = {}): CompiledFileLayout {
  const raw = parseYaml(text, file);
  if (!validateLayout(raw)) {
    const e = validateLayout.errors![0];
    throw definitionInvalid(file, schemaPath(e.instancePath), schemaMessage(e));
  }
  try {
    return compileFileLayout(raw as unknown as FileLayoutDefinition, file, env);
  } catch (err) {
    if (err instanceof MappingCompileError) throw definitionInvalid(file, err.where, err.what);
    throw err;
  }
}

/** The code tables under `<dir>/codes` (for loading definitions outside a mapping bundle). */
export function loadCodeTables(dir: string): Map<string, CodeTable> {
  const codes = new Map<string, CodeTable>();
  const codesDir = path.join(dir, 'codes');
  if (!fs.existsSync(codesDir)) return codes;
  for (const name of fs.readdirSync(codesDir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
    const file = path.join(codesDir, name);
    const table = loadCodeTableText(fs.readFileSync(file, 'utf8'), path.relative(process.cwd(), file));
    codes.set(table.name, table);
  }
  return codes;
}

/**
 * Loads every `*.yaml` under `<dir>/files`, refusing two layouts with one
 * name. Code tables come from `env`, or else from `<dir>/codes`.
 */
export function loadFileLayouts(dir: string, env?: CompileEnv): Map<string, CompiledFileLayout> {
  const filesDir = path.join(dir, 'files');
  const out = new Map<string, CompiledFileLayout>();
  if (!fs.existsSync(filesDir)) return out;
  const compileEnv = env ?? { codes: loadCodeTables(dir) };
  for (const name of fs.readdirSync(filesDir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
    const file = path.join(filesDir, name);
    const layout = loadFileLayoutText(fs.readFileSync(file, 'utf8'), path.relative(process.cwd(), file), compileEnv);
    const existing = out.get(layout.name);
    if (existing) throw definitionInvalid(layout.file, 'layout', `'${layout.name}' is already defined in ${existing.file}`);
    out.set(layout.name, layout);
  }
  return out;
}
