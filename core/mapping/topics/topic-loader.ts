import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import { FIELD_SPEC_SCHEMA } from '../operation-schema';
import { MappingCompileError } from '../definition-errors';
import { CompileEnv } from '../field-compiler';
import { loadCodeTables } from '../files/layout-loader';
import { definitionInvalid } from '../definition-errors';
import { checkDefinitionText } from '../definition-check';
import { CompiledTopicShape, compileTopicShape } from './compile-topic';
import { TopicShapeDefinition } from './topic-definition';
import { TOPIC_SHAPE_SCHEMA } from './topic-schema';

const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
ajv.addSchema(FIELD_SPEC_SCHEMA);
const validateShape = ajv.compile(TOPIC_SHAPE_SCHEMA);

/**
 * Parses, validates and compiles one topic shape; errors (MAPPING_INVALID)
 * name the file and the path inside it. `env.codes`: the code tables a `map`
 * may use.
 */
export function loadTopicShapeText(text: string, file: string, env: CompileEnv = {}): CompiledTopicShape {
  const { raw, problems } = checkDefinitionText(text, validateShape);
  if (problems.length) throw definitionInvalid(file, problems);
  try {
    return compileTopicShape(raw as unknown as TopicShapeDefinition, file, env);
  } catch (err) {
    if (err instanceof MappingCompileError) throw definitionInvalid(file, err.where, err.what);
    throw err;
  }
}

/** Loads every `*.yaml` under `<dir>/topics`, refusing two shapes with one name. Code tables: `env`, or else `<dir>/codes`. */
export function loadTopicShapes(dir: string, env?: CompileEnv): Map<string, CompiledTopicShape> {
  const topicsDir = path.join(dir, 'topics');
  const out = new Map<string, CompiledTopicShape>();
  if (!fs.existsSync(topicsDir)) return out;
  const compileEnv = env ?? { codes: loadCodeTables(dir) };
  for (const name of fs.readdirSync(topicsDir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
    const file = path.join(topicsDir, name);
    const shape = loadTopicShapeText(fs.readFileSync(file, 'utf8'), path.relative(process.cwd(), file), compileEnv);
    const existing = out.get(shape.name);
    if (existing) throw definitionInvalid(shape.file, 'shape', `'${shape.name}' is already defined in ${existing.file}`);
    out.set(shape.name, shape);
  }
  return out;
}
