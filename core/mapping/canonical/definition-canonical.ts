/**
 * Which canonical shape a definition produces, and the problems of its output
 * against it: an operation by its name (marketing.queryArrears), a layout by
 * `produces:` (default reconciliation-record), a topic shape by `produces:`
 * (default daily-reading).
 */
import { GridbusError } from '../../errors';
import { DefinitionProblem } from '../definition-errors';
import { CompiledTopicShape } from '../topics/compile-topic';
import { CanonicalShape } from './canonical-shape';
import { checkOutputMap, checkUnmappedRecord } from './check-map';
import { CANONICAL_OPERATIONS } from './operations';
import { compileRecordCheck } from './record-check';
import { DEFAULT_FILE_KIND, DEFAULT_READING_KIND, FILE_KINDS, READING_KINDS } from './records';

export type DefinitionKind = 'operation' | 'layout' | 'shape';
type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The canonical shape a definition's records or response must fit, if the bus knows one. */
export function canonicalShapeOf(kind: DefinitionKind, raw: unknown): CanonicalShape | undefined {
  if (!isObject(raw)) return undefined;
  if (kind === 'operation') return typeof raw.operation === 'string' ? CANONICAL_OPERATIONS[raw.operation]?.response : undefined;
  const produces = typeof raw.produces === 'string' ? raw.produces : kind === 'layout' ? DEFAULT_FILE_KIND : DEFAULT_READING_KIND;
  return (kind === 'layout' ? FILE_KINDS : READING_KINDS)[produces];
}

/** Problems of a (parsed, possibly invalid) definition's output against its canonical shape. */
export function canonicalProblems(kind: DefinitionKind, raw: unknown): DefinitionProblem[] {
  const shape = canonicalShapeOf(kind, raw);
  if (!shape || !isObject(raw)) return [];
  if (kind === 'operation') {
    const response = raw.response;
    return isObject(response) ? checkOutputMap(response.map, shape, 'response.map', `operation ${String(raw.operation)}`) : [];
  }
  if (kind === 'shape') return checkOutputMap(raw.map, shape, 'map', `shape ${String(raw.shape)}`);
  const detail = isObject(raw.records) && isObject(raw.records.detail) ? raw.records.detail : undefined;
  if (!detail) return [];
  const owner = `layout ${String(raw.layout)}`;
  if (detail.map !== undefined) return checkOutputMap(detail.map, shape, 'records.detail.map', owner);
  const names = [
    ...(Array.isArray(detail.fields) ? detail.fields.flatMap((f) => (isObject(f) && typeof f.name === 'string' ? [f.name] : [])) : []),
    ...(isObject(detail.derive) ? Object.keys(detail.derive) : []),
  ];
  return checkUnmappedRecord(names, shape, 'records.detail', owner);
}

/**
 * A topic shape whose records are checked against its reading kind: a record
 * that does not fit is refused (BACKEND_BAD_RESPONSE, kind bad-field, naming
 * the shape and the field), so it goes to the dead-letter topic instead of
 * reaching the database.
 */
export function withCanonicalCheck(shape: CompiledTopicShape, canonical: CanonicalShape): CompiledTopicShape {
  const check = compileRecordCheck(canonical);
  return {
    ...shape,
    decode(value, context) {
      const result = shape.decode(value, context);
      if (result.action !== 'records') return result;
      for (const record of result.records) {
        const refused = check(record);
        if (!refused) continue;
        const reason = `shape ${shape.name}: ${refused.reason}`;
        throw new GridbusError('BACKEND_BAD_RESPONSE', `${shape.topic} (${shape.name}): ${reason}`, {
          details: { topic: shape.topic, shape: shape.name, kind: 'bad-field', field: refused.field, reason },
        });
      }
      return result;
    },
  };
}
