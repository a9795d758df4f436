import type { ErrorObject } from 'ajv';

/** A mistake in a definition found while compiling it: where (path inside the file) and what. */
export class MappingCompileError extends Error {
  constructor(readonly where: string, readonly what: string) {
    super(`${where}: ${what}`);
    this.name = 'MappingCompileError';
  }
}

const COMPOSITE = new Set(['anyOf', 'oneOf', 'not', 'if', 'allOf']);
const PREFERENCE = ['additionalProperties', 'required', 'enum', 'const', 'pattern', 'minimum', 'maximum', 'minLength', 'minItems', 'format'];

/**
 * Picks the error an operator should see out of ajv's list (validate with
 * allErrors): the deepest concrete one, preferring "unknown key" and "missing
 * key" over a type mismatch of some alternative (a field spec may be a string
 * *or* an object, and "must be string" helps nobody who wrote an object).
 */
export function bestSchemaError(errors: ErrorObject[]): { where: string; what: string } {
  const concrete = errors.filter((e) => !COMPOSITE.has(e.keyword));
  const pool = concrete.length ? concrete : errors;
  const rank = (e: ErrorObject) => {
    const i = PREFERENCE.indexOf(e.keyword);
    return i < 0 ? PREFERENCE.length + (e.keyword === 'type' ? 1 : 0) : i;
  };
  const depth = (e: ErrorObject) => (e.instancePath.match(/\//g) ?? []).length;
  const best = [...pool].sort((a, b) => depth(b) - depth(a) || rank(a) - rank(b))[0];
  const where = best.instancePath ? best.instancePath.slice(1).replace(/\//g, '.') : '(top level)';
  let what = best.message ?? 'is invalid';
  if (best.keyword === 'additionalProperties') what = `unknown key '${String((best.params as { additionalProperty: string }).additionalProperty)}'`;
  if (best.keyword === 'enum') what = `${what}: ${((best.params as { allowedValues: unknown[] }).allowedValues ?? []).join(', ')}`;
  return { where, what };
}
