/** One refused parameter, in the shape of the validator's problems (`field` as a dotted path). */
export interface ParamProblem {
  field: string;
  type: 'forbiddenKey' | 'nullCharacter';
  message: string;
}

/**
 * Keys that reach an object's prototype when copied with `Object.assign` or a
 * deep merge (prototype pollution). No parameter of the bus is named so.
 */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_PROBLEMS = 10;

const join = (path: string, key: string | number) => (typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key);

/**
 * What no parameter of a routable action may carry, whatever its schema:
 * - a prototype other than Object's: moleculer-web copies the body into the
 *   params with `Object.assign`, so a body key `__proto__` becomes their
 *   prototype, which the validator (it reads own keys) never sees;
 * - a key `__proto__`, `constructor` or `prototype` at any depth;
 * - a NUL character in a string or key: PostgreSQL text cannot hold one (the
 *   query fails with a 500) and no field of the bus needs one.
 * Walked without recursion; stops after a few problems.
 */
export function unsafeParamProblems(params: unknown): ParamProblem[] {
  const problems: ParamProblem[] = [];
  if (params === null || typeof params !== 'object') return problems;
  if (!Array.isArray(params) && Object.getPrototypeOf(params) !== Object.prototype) {
    problems.push({ field: '__proto__', type: 'forbiddenKey', message: "'__proto__' is not an allowed field name" });
  }
  const stack: Array<[unknown, string]> = [[params, '']];
  while (stack.length && problems.length < MAX_PROBLEMS) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) problems.push({ field: path, type: 'nullCharacter', message: `The '${path}' field holds a NUL character` });
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], join(path, i)]);
      continue;
    }
    for (const key of Object.keys(value)) {
      const field = join(path, key.replace(/\u0000/g, '\\0'));
      if (FORBIDDEN_KEYS.has(key)) problems.push({ field, type: 'forbiddenKey', message: `'${key}' is not an allowed field name` });
      else if (key.includes('\u0000')) problems.push({ field, type: 'nullCharacter', message: 'A field name holds a NUL character' });
      else stack.push([(value as Record<string, unknown>)[key], field]);
    }
  }
  return problems.slice(0, MAX_PROBLEMS);
}
