/**
 * A topic shape turned into one function: message bytes in, a canonical
 * record (or a reasoned skip) out. The shape is compiled once: paths
 * pre-split, derive steps and the map block compiled to plain functions.
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
      action: 'record';
      record: Record<string, unknown>;
      /** envelope only: the operation (e.g. I or U) and the table of the change */
      operation?: string;
      table?: string;
    }
  | { action: 'skip'; reason: string };

/** Why a message was refused (details.kind of the BACKEND_BAD_RESPONSE error). */
export type TopicProblem = 'bad-json' | 'bad-encoding' | 'bad-message' | 'bad-field';

export interface CompiledTopicShape {
  readonly name: string;
  readonly version: number;
  readonly file: string;
  readonly topic: string;
  readonly format: 'flat' | 'envelope';
  readonly description?: string;
  /**
   * Decodes one message value. Returns the canonical record, or a skip with
   * its reason (a change of another table or operation, an empty tombstone);
   * throws GridbusError BACKEND_BAD_RESPONSE (details: topic, shape, kind,
   * reason, field?) for a message that cannot be read.
   */
  decode(value: Buffer | string | null | undefined, context?: MappingContext): TopicDecodeResult;
}

const EMPTY_CONTEXT: MappingContext = {};

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
    return new GridbusError('BACKEND_BAD_RESPONSE', `${topic} (${shape}): ${reason}`, { details: { topic, shape, kind, reason, ...extra } });
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

      let row = msg as Record<string, unknown>;
      let operation: string | undefined;
      let table: string | undefined;
      if (envelope) {
        if (readOperation) {
          const op = readOperation(msg);
          operation = op === undefined || op === null ? undefined : String(op);
        }
        if (readTable) {
          const t = readTable(msg);
          table = t === undefined || t === null ? undefined : String(t);
        }
        if (tables && (table === undefined || !tables.has(tableKey(table)))) {
          return { action: 'skip', reason: `table ${table ?? '(none)'} is not selected` };
        }
        if (operations && (operation === undefined || !operations.has(operation))) {
          return { action: 'skip', reason: `operation ${operation ?? '(none)'} is not selected` };
        }
        const inner = readRecord!(msg);
        if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) {
          throw refuse('bad-message', `the envelope has no record object at ${envelope.recordPath}`, { operation, table });
        }
        row = inner as Record<string, unknown>;
      }

      try {
        if (derive) derive(row);
        const record = map(row, context);
        const result: TopicDecodeResult = { action: 'record', record };
        if (operation !== undefined) result.operation = operation;
        if (table !== undefined) result.table = table;
        return result;
      } catch (err) {
        if (err instanceof FieldMappingError) throw refuse('bad-field', `${err.field}: ${err.reason}`, { field: err.field });
        throw err;
      }
    },
  };
}
