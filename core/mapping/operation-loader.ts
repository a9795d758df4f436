import Ajv from 'ajv';
import { GridbusError } from '../errors';
import { CompiledOperation, compileOperation } from './compile-operation';
import { CompileEnv } from './field-compiler';
import { FIELD_SPEC_SCHEMA, OPERATION_SCHEMA } from './operation-schema';
import { OperationDefinition } from './operation-definition';
import { unsetVariableMessage } from './variables';
import { MappingCompileError, definitionInvalid } from './definition-errors';
import { checkDefinitionText } from './definition-check';

const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
ajv.addSchema(FIELD_SPEC_SCHEMA);
const validateDefinition = ajv.compile(OPERATION_SCHEMA);

function invalid(file: string, where: string, what: string): GridbusError {
  return definitionInvalid(file, where, what);
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
      if (v === undefined) throw invalid(file, where, unsetVariableMessage(variables, name));
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substitute(v, variables, file, `${where}[${i}]`));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, variables, file, where ? `${where}.${k}` : k)]));
  }
  return value;
}

/**
 * Parses, validates and compiles one definition; a definition with problems
 * is refused with all of them (details.problems), each naming its path.
 */
export function loadOperationText(text: string, file: string, variables: Record<string, string | undefined>, env: CompileEnv = {}): CompiledOperation {
  const { raw, problems } = checkDefinitionText(text, validateDefinition);
  if (problems.length) throw definitionInvalid(file, problems);
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
