/**
 * The `map:` and `derive:` blocks of file layouts and topic shapes: compiled
 * with the field compiler (and its code tables), errors placed at their path
 * inside the definition, and the fields they read worked out so that a
 * parser can skip columns nobody uses.
 */
import { MappingCompileError } from '../definition-errors';
import { CompileEnv, FieldSpec, ObjectMapper, compileObject } from '../field-compiler';
import { DeriveSpec, compileDerive } from './value-spec';

/** Re-anchors a compile error found inside a block at `where` (e.g. `records.detail.map`). */
export function placed(err: unknown, where: string): unknown {
  if (err instanceof MappingCompileError) return new MappingCompileError(`${where}.${err.where}`, err.what);
  return err;
}

function findExpr(spec: FieldSpec, path: string): string | undefined {
  if (typeof spec === 'string') return undefined;
  if (spec.expr !== undefined) return `${path}.expr`;
  const nested: Array<[FieldSpec | undefined, string]> = [
    ...(spec.concat ?? []).map((c, i): [FieldSpec, string] => [c, `${path}.concat[${i}]`]),
    [spec.then, `${path}.then`],
    [spec.else, `${path}.else`],
    ...Object.entries(spec.map ?? {}).map(([k, v]): [FieldSpec, string] => [v, `${path}.map.${k}`]),
  ];
  for (const [s, p] of nested) {
    const found = s === undefined ? undefined : findExpr(s, p);
    if (found) return found;
  }
  return undefined;
}

/**
 * Compiles a map block. `expr` (JSONata) is refused: it makes every record
 * asynchronous and costs tens of microseconds, and these blocks run for every
 * line of a file and every message of a topic.
 */
export function compileMapBlock(map: Record<string, FieldSpec>, where: string, env: CompileEnv): ObjectMapper {
  for (const [name, spec] of Object.entries(map)) {
    const at = findExpr(spec, name);
    if (at) throw new MappingCompileError(`${where}.${at}`, 'expr (JSONata) is not available in file layouts and topic shapes (they run per record); use derive and field specs');
  }
  try {
    return compileObject(map, '', env);
  } catch (err) {
    throw placed(err, where);
  }
}

export function compileDeriveBlock(derive: Record<string, DeriveSpec> | undefined, where: string): ((row: Record<string, unknown>) => void) | undefined {
  try {
    return compileDerive(derive);
  } catch (err) {
    throw placed(err, where);
  }
}

/**
 * First path segments a map (and derive) block reads from its input, or
 * undefined when that cannot be known (`from: $`, the whole input).
 */
export function fieldsRead(map: Record<string, FieldSpec>, derive: Record<string, DeriveSpec> | undefined): Set<string> | undefined {
  const names = new Set<string>();
  let all = false;
  const add = (path: string) => {
    if (path === '$') all = true;
    else if (!path.startsWith('$')) names.add(path.split('.')[0].replace(/\[\]$/, ''));
  };
  const visit = (spec: FieldSpec | undefined): void => {
    if (spec === undefined) return;
    if (typeof spec === 'string') return add(spec);
    if (spec.from !== undefined) add(spec.from);
    if (spec.each !== undefined) add(spec.each); // its own map and where read the items
    for (const p of spec.sum ?? []) add(p);
    for (const c of spec.concat ?? []) visit(c);
    if (spec.if) add(spec.if.path);
    visit(spec.then);
    visit(spec.else);
  };
  for (const spec of Object.values(map)) visit(spec);
  for (const [name, spec] of Object.entries(derive ?? {})) {
    for (const p of spec.join ?? spec.list ?? [spec.from ?? name]) add(p);
  }
  return all ? undefined : names;
}
