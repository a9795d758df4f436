/**
 * What every definition loader does before compiling: read the YAML (all
 * syntax errors, number traps), validate against the JSON Schema with the
 * errors shaped for operators, and check date patterns, collecting every
 * problem of the file rather than the first.
 */
import type { ValidateFunction } from 'ajv';
import { datePatternProblem } from './date-format';
import { DefinitionProblem, childPath } from './definition-errors';
import { readDefinitionYaml } from './definition-yaml';
import { shapeSchemaErrors } from './schema-messages';

/** `date: { in, out }` anywhere in a definition (field specs, columns, derive). */
function datePatternProblems(node: unknown, path: string, out: DefinitionProblem[]): void {
  if (Array.isArray(node)) {
    node.forEach((v, i) => datePatternProblems(v, childPath(path, i), out));
    return;
  }
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    const at = childPath(path, key);
    if (key === 'date' && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const side of ['in', 'out'] as const) {
        const pattern = (value as Record<string, unknown>)[side];
        const problem = typeof pattern === 'string' ? datePatternProblem(pattern) : undefined;
        if (problem) out.push({ path: at, message: `${side}: ${problem}` });
      }
    } else {
      datePatternProblems(value, at, out);
    }
  }
}

/** The parsed definition and all its problems (none: it may be compiled). */
export function checkDefinitionText(text: string, validate: ValidateFunction): { raw: unknown; problems: DefinitionProblem[] } {
  const { value, problems } = readDefinitionYaml(text);
  if (value === undefined && problems.length) return { raw: undefined, problems };
  if (!validate(value)) problems.push(...shapeSchemaErrors(validate.errors ?? []));
  datePatternProblems(value, '', problems);
  return { raw: value, problems };
}
