/**
 * Checks, when a definition is validated, that its output map produces every
 * field its canonical shape needs and no field the shape does not have: a
 * misspelt `acountNo` is found here, not as a NOT NULL in PostgreSQL.
 */
import { DefinitionProblem, childPath, closest } from '../definition-errors';
import { CanonicalFieldSchema, CanonicalObjectSchema, CanonicalShape, mustMap } from './canonical-shape';

type Spec = unknown;
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** `integer, fen, fills amount_fen` */
export function fieldSummary(s: CanonicalFieldSchema | CanonicalObjectSchema): string {
  const f = s as CanonicalFieldSchema;
  const type = (Array.isArray(f.type) ? f.type.filter((t) => t !== 'null') : [f.type]).join(' or ');
  return [type, f['x-unit'], f['x-column'] ? `fills ${f['x-column']}` : undefined].filter(Boolean).join(', ');
}

function checkObject(map: Record<string, Spec>, schema: CanonicalObjectSchema, path: string, title: string, owner: string, out: DefinitionProblem[]): void {
  const names = Object.keys(schema.properties);
  const present = new Set<string>();
  for (const [key, spec] of Object.entries(map)) {
    const first = key.split('.')[0];
    const field = schema.properties[first];
    if (!field) {
      const meant = closest(first, names.filter((n) => !(n in map)));
      out.push({
        path: childPath(path, key),
        message: `${owner}: '${first}' is not a field of the ${title}${meant ? ` (did you mean ${meant}?)` : ''}; its fields: ${names.join(', ')}`,
      });
      continue;
    }
    present.add(first);
    const items = (field as CanonicalFieldSchema).items as CanonicalObjectSchema | undefined;
    if (items?.type === 'object' && isObject(spec) && isObject(spec.map) && typeof spec.each === 'string') {
      checkObject(spec.map, items, childPath(childPath(path, key), 'map'), `${title} ${first}[] entry`, owner, out);
    }
  }
  for (const name of mustMap(schema)) {
    if (present.has(name)) continue;
    const field = schema.properties[name] as CanonicalFieldSchema;
    const optional = field['x-mustMap'] && !schema.required.includes(name);
    out.push({
      path,
      message: `${owner}: the ${title} needs '${name}' (${fieldSummary(field)}): map it${optional ? `, or write ${name}: { const: null } if the system does not send it` : ''}`,
    });
  }
}

/** Problems of an output `map` (at `path` in the file) against a canonical shape; `owner` names the definition. */
export function checkOutputMap(map: unknown, shape: CanonicalShape, path: string, owner: string): DefinitionProblem[] {
  if (!isObject(map)) return [];
  const out: DefinitionProblem[] = [];
  checkObject(map, shape.schema, path, shape.title, owner, out);
  return out;
}

/** A layout without `map:` hands on its columns and derived values as they are: only the needed fields are checked. */
export function checkUnmappedRecord(names: string[], shape: CanonicalShape, path: string, owner: string): DefinitionProblem[] {
  return mustMap(shape.schema)
    .filter((n) => !names.includes(n))
    .map((n) => ({ path, message: `${owner}: the ${shape.title} needs '${n}' (${fieldSummary(shape.schema.properties[n])}): add a map: that produces it` }));
}
