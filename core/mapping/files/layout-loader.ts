import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ErrorObject } from 'ajv';
import { FIELD_SPEC_SCHEMA } from '../operation-schema';
import { CodeTable, loadCodeTableText } from '../code-tables';
import { MappingCompileError, definitionInvalid } from '../definition-errors';
import { checkDefinitionText } from '../definition-check';
import { readDefinitionYaml } from '../definition-yaml';
import { shapeSchemaErrors } from '../schema-messages';
import { CompileEnv } from '../field-compiler';
import { CompiledFileLayout, compileFileLayout } from './compile-layout';
import { FileLayoutDefinition } from './layout-definition';
import { FILE_LAYOUT_SCHEMA } from './layout-schema';

const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
ajv.addSchema(FIELD_SPEC_SCHEMA);
const validateLayout = ajv.compile(FILE_LAYOUT_SCHEMA);

export { definitionInvalid, schemaPath } from '../definition-errors';

/** One ajv error as an operator reads it (see shapeSchemaErrors for a whole list). */
export function schemaMessage(e: ErrorObject): string {
  return shapeSchemaErrors([e])[0]?.message ?? e.message ?? e.keyword;
}

/** Parses YAML text into plain data, or throws MAPPING_INVALID with every problem of the text (syntax by line, number traps). */
export function parseYaml(text: string, file: string): unknown {
  const { value, problems } = readDefinitionYaml(text);
  if (problems.length) throw definitionInvalid(file, problems);
  return value;
}

/**
 * Parses, validates and compiles one layout; errors (MAPPING_INVALID) name
 * the file and every problem with its path (details.problems). `env.codes`: the code tables a `map` may
 * use (as for operations).
 */
export function loadFileLayoutText(text: string, file: string, env: CompileEnv = {}): CompiledFileLayout {
  const { raw, problems } = checkDefinitionText(text, validateLayout);
  if (problems.length) throw definitionInvalid(file, problems);
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
