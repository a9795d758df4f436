/**
 * At run time: a record a definition produced is checked against its
 * canonical shape before a sink writes it, so a bad definition is refused
 * naming the definition and the field instead of failing in the database.
 */
import Ajv, { ErrorObject } from 'ajv';
import { CanonicalShape } from './canonical-shape';
import { fieldSummary } from './check-map';

const ajv = new Ajv({ allErrors: false, strict: false });

/** Extra fields are harmless to a sink (the static check refuses them in definitions): only needed fields and types are checked. */
function lenient(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(lenient);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'additionalProperties' || k.startsWith('x-') || k === 'description') continue;
    out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, lenient(s)])) : lenient(v);
  }
  return out;
}

export interface RecordRefusal {
  field: string;
  reason: string;
}

function refusal(e: ErrorObject, shape: CanonicalShape): RecordRefusal {
  const p = e.params as Record<string, unknown>;
  const at = e.instancePath.slice(1).replace(/\//g, '.');
  if (e.keyword === 'required') {
    const field = at ? `${at}.${String(p.missingProperty)}` : String(p.missingProperty);
    const s = shape.schema.properties[String(p.missingProperty)];
    return { field, reason: `canonical field '${field}' is missing: the ${shape.title} needs it${s && !at ? ` (${fieldSummary(s)})` : ''}` };
  }
  return { field: at, reason: `canonical field '${at}' ${e.message ?? 'is invalid'} (got ${JSON.stringify(e.data)})` };
}

/** Compiles a check: undefined for a record that fits, else the field and why. */
export function compileRecordCheck(shape: CanonicalShape): (record: unknown) => RecordRefusal | undefined {
  const validate = ajv.compile({ ...(lenient(shape.schema) as object), $async: false });
  const verbose = new Ajv({ allErrors: false, strict: false, verbose: true }).compile(lenient(shape.schema) as object);
  return (record) => {
    if (validate(record)) return undefined;
    verbose(record);
    return refusal(verbose.errors![0], shape);
  };
}
