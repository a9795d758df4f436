/**
 * A topic shape turned into one function: message bytes in, canonical
 * records (or a reasoned skip) out. The shape is compiled once: paths
 * pre-split, derive steps and the map block compiled to plain functions.
 *
 * Maps and derive steps read the record, and the whole message through the
 * `$envelope.` root (e.g. `$envelope.ts`, the capture time of a CDC record).
 * An envelope whose record path holds a list (Canal's `data: [...]`) gives
 * one canonical record per row.
 */
import { isUtf8 } from 'buffer';
import * as iconv from 'iconv-lite';
import { GridbusError } from '../../errors';
import { MappingCompileError } from '../definition-errors';
import { CompileEnv, FieldMappingError, MappingContext } from '../field-compiler';
import { compileDeriveBlock, compileMapBlock } from '../files/map-support';
import { compilePath } from '../path';
import { TopicShapeDefinition } from './topic-definition';

export type TopicDecodeResult =
  | {
      action: 'records';
      /** one per row: a flat message or an envelope with one record object gives one */
      records: Array<Record<string, unknown>>;
      /** envelope only: the operation (e.g. I or U) and the table of the change */
      operation?: string;
      table?: string;
    }
  | { action: 'skip'; reason: string };

/** Why a message was refused (details.kind of the VALIDATION_FAILED error). */
export type TopicProblem = 'bad-json' | 'bad-encoding' | 'bad-message' | 'bad-field';

export interface CompiledTopicShape {
  readonly name: string;
  readonly version: number;
  readonly file: string;
  readonly topic: string;
  readonly format: 'flat' | 'envelope';
  readonly description?: string;
  /**
   * Decodes one message value. Returns its canonical records, or a skip with
   * its reason (a change of another table or operation, an empty tombstone,
   * an empty row list); throws GridbusError VALIDATION_FAILED (details: topic,
   * shape, kind, reason, field?, row?) for a message that cannot be read or
   * does not fit the shape: the whole message is refused, no row of it is kept.
   */
  decode(value: Buffer | string | null | undefined, context?: MappingContext): TopicDecodeResult;
}

const EMPTY_CONTEXT: MappingContext = {};

/** The root through which maps and derive steps read the whole message: `from: $envelope.ts`. */
export const ENVELOPE_ROOT = '$envelope';

/**
 * Lets `$envelope.…` paths of derive steps (which read the row only) reach the
 * message; maps get it as `context.envelope`. Not enumerable, so `from: $`
 * and the row's own fields are unchanged.
 */
function withEnvelope(row: Record<string, unknown>, message: Record<string, unknown>): Record<string, unknown> {
  Object.defineProperty(row, ENVELOPE_ROOT, { value: message, enumerable: false, configurable: true, writable: false });
  return row;
}

function tableKey(name: string): string {
  const upper = name.toUpperCase();
  const dot = upper.lastIndexOf('.');
  return dot >= 0 ? upper.slice(dot + 1) : upper;
}

/** Compiles a validated shape; throws MappingCompileError naming the path. `env.codes`: code tables for `map`. */
export function compileTopicShape(def: TopicShapeDefinition, file: string, env: CompileEnv = {}): CompiledTopicShape {
  const envelope = def.envelope;
  if (def.format === 'envelope' && !envelope) throw new MappingCompileError('envelope', 'format: envelope needs an envelope block (recordPath, …)');
  if (def.format === 'flat' && envelope) throw new MappingCompileError('envelope', 'only for format: envelope');
  if (envelope?.select?.table !== undefined && !envelope.tablePath) throw new MappingCompileError('envelope.select.table', 'selecting by table needs envelope.tablePath');
  if (envelope?.select?.operations !== undefined && !envelope.operationPath) {
    throw new MappingCompileError('envelope.select.operations', 'selecting by operation needs envelope.operationPath');
  }

  const derive = compileDeriveBlock(def.derive, 'derive');
  const map = compileMapBlock(def.map, 'map', env);

  const readRecord = envelope ? compilePath(envelope.recordPath) : undefined;
  const readOperation = envelope?.operationPath ? compilePath(envelope.operationPath) : undefined;
  const readTable = envelope?.tablePath ? compilePath(envelope.tablePath) : undefined;
  const tables = envelope?.select?.table === undefined ? undefined : new Set((Array.isArray(envelope.select.table) ? envelope.select.table : [envelope.select.table]).map(tableKey));
  const operations = envelope?.select?.operations ? new Set(envelope.select.operations) : undefined;
  const encoding = def.encoding ?? 'utf-8';
  const { shape, topic } = def;

  function refuse(kind: TopicProblem, reason: string, extra: Record<string, unknown> = {}): GridbusError {
    return new GridbusError('VALIDATION_FAILED', `${topic} (${shape}): ${reason}`, { details: { topic, shape, kind, reason, ...extra } });
  }

  function text(value: Buffer | string): string {
    if (typeof value === 'string') return value;
    if (encoding !== 'utf-8') return iconv.decode(value, encoding);
    const t = value.toString('utf8');
    if (t.indexOf('\ufffd') !== -1 && !isUtf8(value)) throw refuse('bad-encoding', 'the message is not valid UTF-8');
    return t;
  }

  return {
    name: shape,
    version: def.version,
    file,
    topic,
    format: def.format,
    description: def.description,
    decode(value, context = EMPTY_CONTEXT) {
      if (value === null || value === undefined || value.length === 0) return { action: 'skip', reason: 'empty message (tombstone)' };
      let msg: unknown;
      try {
        msg = JSON.parse(text(value));
      } catch (err) {
        if (err instanceof GridbusError) throw err;
        throw refuse('bad-json', `the message is not JSON (${(err as Error).message})`);
      }
      if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) throw refuse('bad-message', 'the message is not a JSON object');

      const message = msg as Record<string, unknown>;
      let rows: unknown[] = [message];
      let operation: string | undefined;
      let table: string | undefined;
      if (envelope) {
        if (readOperation) {
          const op = readOperation(message);
          operation = op === undefined || op === null ? undefined : String(op);
        }
        if (readTable) {
          const t = readTable(message);
          table = t === undefined || t === null ? undefined : String(t);
        }
        if (tables && (table === undefined || !tables.has(tableKey(table)))) {
          return { action: 'skip', reason: `table ${table ?? '(none)'} is not selected` };
        }
        if (operations && (operation === undefined || !operations.has(operation))) {
          return { action: 'skip', reason: `operation ${operation ?? '(none)'} is not selected` };
        }
        const inner = readRecord!(message);
        rows = Array.isArray(inner) ? inner : [inner];
        if (!rows.length) return { action: 'skip', reason: `the envelope has no rows at ${envelope.recordPath}` };
        const bad = rows.findIndex((r) => r === null || typeof r !== 'object' || Array.isArray(r));
        if (bad >= 0) {
          const where = Array.isArray(inner) ? `${envelope.recordPath}[${bad}]` : envelope.recordPath;
          throw refuse('bad-message', `the envelope has no record object at ${where}`, { operation, table });
        }
      }

      const records: Array<Record<string, unknown>> = [];
      const mapContext: MappingContext = { ...context, envelope: message };
      for (let i = 0; i < rows.length; i++) {
        const row = withEnvelope(rows[i] as Record<string, unknown>, message);
        try {
          if (derive) derive(row);
          records.push(map(row, mapContext));
        } catch (err) {
          if (!(err instanceof FieldMappingError)) throw err;
          const at = rows.length > 1 ? `row ${i + 1} of ${rows.length}: ` : '';
          const where: Record<string, unknown> = { field: err.field };
          if (rows.length > 1) where.row = i;
          if (operation !== undefined) where.operation = operation;
          if (table !== undefined) where.table = table;
          throw refuse('bad-field', `${at}${err.field}: ${err.reason}`, where);
        }
      }
      const result: TopicDecodeResult = { action: 'records', records };
      if (operation !== undefined) result.operation = operation;
      if (table !== undefined) result.table = table;
      return result;
    },
  };
}
