import Ajv from 'ajv';
import YAML from 'yaml';
import { GridbusError } from '../errors';
import { CompiledOperation, compileOperation } from './compile-operation';
import { CompileEnv } from './field-compiler';
import { FIELD_SPEC_SCHEMA, OPERATION_SCHEMA } from './operation-schema';
import { OperationDefinition } from './operation-definition';
import { MappingCompileError, bestSchemaError } from './definition-errors';

const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addSchema(FIELD_SPEC_SCHEMA);
const validateDefinition = ajv.compile(OPERATION_SCHEMA);

function invalid(file: string, where: string, what: string): GridbusError {
  return new GridbusError('MAPPING_INVALID', `${file}: ${where}: ${what}`, { details: { file, path: where } });
}

/**
 * `${NAME}` in a string value is replaced from `variables` (endpoint URLs and
 * secrets live in the environment, never in the file). An unknown or unset
 * variable is an error naming the place, not an empty string.
 */
function substitute(value: unknown, variables: Record<string, string | undefined>, file: string, where: string): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Z][A-Z0-9_]*)\}/g, (_m, name: string) => {
      const v = variables[name];
      if (v === undefined) throw invalid(file, where, `variable \${${name}} is not set`);
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substitute(v, variables, file, `${where}[${i}]`));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, variables, file, where ? `${where}.${k}` : k)]));
  }
  return value;
}

/** Parses, validates and compiles one definition; errors name file and path. */
export function loadOperationText(text: string, file: string, variables: Record<string, string | undefined>, env: CompileEnv = {}): CompiledOperation {
  const doc = YAML.parseDocument(text, { prettyErrors: true });
  if (doc.errors.length) throw invalid(file, `line ${doc.errors[0].linePos?.[0].line ?? '?'}`, doc.errors[0].message.split('\n')[0]);
  const raw = doc.toJS();
  if (!validateDefinition(raw)) {
    const { where, what } = bestSchemaError(validateDefinition.errors!);
    throw invalid(file, where, what);
  }
  const def = substitute(raw, variables, file, '') as OperationDefinition;
  try {
    return compileOperation(def, file, env);
  } catch (err) {
    if (err instanceof MappingCompileError) throw invalid(file, err.where, err.what);
    throw err;
  }
}

/**
 * Loads and compiles the whole mapping set under `dir` (code tables too) and
 * returns its operations; the first problem is thrown (see compileMappingFiles
 * to collect them all).
 */
export function loadOperations(dir: string, variables: Record<string, string | undefined>): Map<string, CompiledOperation> {
  // Required here, not imported at the top: bundle.ts imports this module.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { readMappingFiles, compileMappingFilesStrict } = require('./bundle') as typeof import('./bundle');
  return compileMappingFilesStrict(readMappingFiles(dir), variables).operations;
}
