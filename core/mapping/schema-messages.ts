/**
 * Turns ajv's error list (allErrors + verbose) into the problems an operator
 * should read. ajv reports every branch of an `anyOf`/`oneOf`: a field spec
 * written as an object also gets "must be string" (the shorthand branch) and
 * "must have required property 'concat'" (one of the source branches). Here
 * each alternative keeps only the branch that fits the data, and "exactly one
 * of" rules become one sentence naming what was written.
 */
import type { ErrorObject } from 'ajv';
import { DefinitionProblem, didYouMean, schemaPath } from './definition-errors';

type Schema = Record<string, unknown>;
interface Resolved {
  error: ErrorObject;
  /** what remains of a composite after choosing its branch; a leaf is itself */
  kept: Array<ErrorObject | DefinitionProblem>;
}

const typeOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v);

function typeFits(type: unknown, data: unknown): boolean {
  const types = Array.isArray(type) ? type : [type];
  const t = typeOf(data);
  return types.some((x) => x === t || (x === 'number' && t === 'integer'));
}

/** Whether a branch could be meant for this data: its type (or enum, or const) fits. */
function branchFits(branch: Schema, data: unknown): boolean {
  if (branch.type !== undefined) return typeFits(branch.type, data);
  if (Array.isArray(branch.enum)) return (branch.enum as unknown[]).some((v) => typeOf(v) === typeOf(data) || (typeof v === 'string' && typeof data === 'string'));
  return true;
}

const describe = (v: unknown): string => {
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'number') return `the number ${v}`;
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  return String(v);
};

const list = (keys: string[]) => keys.join(', ');
const and = (keys: string[]) => (keys.length <= 2 ? keys.join(' and ') : `${keys.slice(0, -1).join(', ')} and ${keys[keys.length - 1]}`);

/** "exactly one of these keys" (a field's source, a condition's test): one sentence naming what was written. */
function exactlyOneOf(e: ErrorObject, branches: Schema[], children: Map<number, Array<ErrorObject | DefinitionProblem>>): Array<ErrorObject | DefinitionProblem> | undefined {
  if (!branches.every((b) => Array.isArray(b.required))) return undefined;
  const data = e.data as Record<string, unknown> | null;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return undefined;
  const keys = branches.map((b) => (b.required as string[])[0]);
  const present = keys.filter((k) => k in data);
  const noun = keys.includes('from') ? 'a field' : keys.includes('equals') ? 'a condition' : 'this';
  const path = schemaPath(e.instancePath);
  if (present.length > 1) return [{ path, message: `${noun} takes one of ${list(keys)} (got ${and(present)})` }];
  if (present.length === 0) return [{ path, message: `${noun} needs one of ${list(keys)}`, weak: true } as DefinitionProblem];
  // The one source is there but its branch fails (each without map, if without then): say what it lacks.
  const branch = keys.indexOf(present[0]);
  return (children.get(branch) ?? []).filter((c) => !('keyword' in c) || c.keyword !== 'not');
}

function chooseBranch(e: ErrorObject, children: Array<ErrorObject | DefinitionProblem | Resolved>, prefix: string): Array<ErrorObject | DefinitionProblem> {
  const branches = (Array.isArray(e.schema) ? e.schema : []) as Schema[];
  const byBranch = new Map<number, Array<ErrorObject | DefinitionProblem>>();
  for (const c of children) {
    const err = (c as Resolved).error;
    const index = Number(err.schemaPath.slice(prefix.length).split('/')[0]);
    const into = byBranch.get(index) ?? [];
    into.push(...(c as Resolved).kept);
    byBranch.set(index, into);
  }
  if (e.keyword === 'oneOf') {
    const passing = (e.params as { passingSchemas?: number[] | null }).passingSchemas;
    if (passing && passing.length > 1 && branches.every((b) => Array.isArray(b.required))) {
      const keys = branches.map((b) => (b.required as string[])[0]);
      const present = keys.filter((k) => k in (e.data as object));
      const noun = keys.includes('from') ? 'a field' : keys.includes('equals') ? 'a condition' : 'this';
      return [{ path: schemaPath(e.instancePath), message: `${noun} takes one of ${list(keys)} (got ${and(present)})` }];
    }
    const one = exactlyOneOf(e, branches, byBranch);
    if (one) return one;
  }
  const fitting = branches.map((b, i) => i).filter((i) => branchFits(branches[i], e.data));
  if (fitting.length === 0) {
    const types = [...new Set(branches.flatMap((b) => (b.type === undefined ? [] : Array.isArray(b.type) ? b.type : [b.type])))] as string[];
    const allowed = branches.flatMap((b) => (Array.isArray(b.enum) ? (b.enum as unknown[]) : []));
    const what = [...types.map((t) => (t === 'object' ? 'a map' : t === 'array' ? 'a list' : `a ${t}`)), ...allowed.map((v) => JSON.stringify(v))];
    return [{ path: schemaPath(e.instancePath), message: `must be ${what.join(' or ') || 'something else'} (got ${describe(e.data)})${quoteHint(e.data, types)}` }];
  }
  // Among the branches that fit the data, the one with the fewest problems is the one meant.
  const pick = fitting.sort((a, b) => (byBranch.get(a)?.length ?? 0) - (byBranch.get(b)?.length ?? 0))[0];
  return byBranch.get(pick) ?? [];
}

function quoteHint(data: unknown, expected: string[]): string {
  return typeof data === 'number' && expected.includes('string') && !expected.includes('number') && !expected.includes('integer') ? `; write it in quotes` : '';
}

/** Groups composite errors with their branch errors (ajv lists a composite after its branches). */
function resolve(errors: ErrorObject[]): Array<ErrorObject | DefinitionProblem> {
  const pending: Resolved[] = [];
  for (const e of errors) {
    if (e.keyword !== 'anyOf' && e.keyword !== 'oneOf') {
      pending.push({ error: e, kept: [e] });
      continue;
    }
    const prefix = `${e.schemaPath}/`;
    const inside = (r: Resolved) =>
      r.error.schemaPath.startsWith(prefix) && (r.error.instancePath === e.instancePath || r.error.instancePath.startsWith(`${e.instancePath}/`));
    const children = pending.filter(inside);
    for (let i = pending.length - 1; i >= 0; i--) if (inside(pending[i])) pending.splice(i, 1);
    pending.push({ error: e, kept: chooseBranch(e, children, prefix) });
  }
  return pending.flatMap((r) => r.kept);
}

function messageOf(e: ErrorObject): DefinitionProblem | undefined {
  const p = e.params as Record<string, unknown>;
  const path = schemaPath(e.instancePath);
  switch (e.keyword) {
    case 'not':
    case 'if':
      return undefined; // the branch errors beside it say what is wrong
    case 'additionalProperties': {
      const key = String(p.additionalProperty);
      const known = Object.keys(((e.parentSchema as Schema | undefined)?.properties ?? {}) as Schema);
      return { path, message: `unknown key '${key}'${didYouMean(key, known)}` };
    }
    case 'required':
      return { path, message: `needs key '${String(p.missingProperty)}'` };
    case 'enum':
      return { path, message: `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')} (got ${describe(e.data)})` };
    case 'type': {
      const types = (Array.isArray(p.type) ? p.type : String(p.type).split(',')) as string[];
      return { path, message: `must be ${types.map((t) => (t === 'object' ? 'a map' : t === 'array' ? 'a list' : `a ${t}`)).join(' or ')} (got ${describe(e.data)})${quoteHint(e.data, types)}` };
    }
    case 'propertyNames':
      return { path, message: `'${String(p.propertyName)}' is not a valid name (letters, digits and _; not starting with a digit)` };
    case 'pattern':
      return { path, message: `${describe(e.data)} must match ${String(p.pattern)}` };
    default:
      return { path, message: e.message ?? e.keyword };
  }
}

/**
 * Every problem ajv found (validate with `allErrors: true, verbose: true`),
 * shaped for an operator and without duplicates. A "needs one of" that only
 * follows from an unknown key at the same place (`frm:`) is left out: the
 * unknown key says it.
 */
export function shapeSchemaErrors(errors: ErrorObject[]): DefinitionProblem[] {
  const shaped: Array<DefinitionProblem & { weak?: boolean }> = [];
  for (const item of resolve(errors)) {
    const problem = 'keyword' in item ? messageOf(item) : item;
    if (problem) shaped.push(problem);
  }
  // Propertynames errors come with a pattern error about the same name: keep the first.
  const seen = new Set<string>();
  const out: DefinitionProblem[] = [];
  for (const p of shaped) {
    if (p.weak && shaped.some((q) => q !== p && q.path === p.path && q.message.startsWith('unknown key'))) continue;
    const key = `${p.path}\0${p.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path: p.path, message: p.message });
  }
  return out;
}
