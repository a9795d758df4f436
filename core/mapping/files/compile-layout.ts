/**
 * A file layout definition turned into what the record parser runs: per
 * record type the column names, compiled value functions, precomputed
 * fixed-width offsets, derive and map functions; the totals to check; the
 * file-name pattern. Everything that can be wrong in a definition is found
 * here, once, with the path inside the definition.
 */
import { MappingCompileError } from '../definition-errors';
import { CompileEnv, FieldSpec, ObjectMapper } from '../field-compiler';
import { CompiledFileName, compileFileName } from './file-name';
import {
  BadRecordPolicy, ColumnSpec, FileEncoding, FileLayoutDefinition, RecordSelect, RecordTypeDefinition,
} from './layout-definition';
import { compileDeriveBlock, compileMapBlock, fieldsRead, placed } from './map-support';
import { DeriveSpec, ValueFn, compileValue, isIntegerSpec } from './value-spec';

export type RecordKind = 'header' | 'detail' | 'trailer';

export interface CompiledRecordType {
  readonly kind: RecordKind;
  readonly select: RecordSelect | undefined;
  readonly names: readonly string[];
  readonly values: readonly ValueFn[];
  /**
   * 1 for columns that must be read: used by map / derive / totals, or
   * validated (required, type, money, date). A detail column nobody reads and
   * nothing validates is not even sliced out of the line.
   */
  readonly needed: Uint8Array;
  /** fixed width: cumulative end offset of each column (bytes or characters) */
  readonly ends: Int32Array;
  /** fixed width: the length of a whole line */
  readonly width: number;
  readonly derive: ((row: Record<string, unknown>) => void) | undefined;
  readonly map: ObjectMapper | undefined;
  /** a row with every column present (stable object shape) */
  newRow(): Record<string, unknown>;
}

export interface TotalCheckSpec {
  /** `count` or the detail field summed */
  readonly name: string;
  readonly against: string;
  readonly record: 'header' | 'trailer';
  readonly field: string;
}

export interface CompiledFileLayout {
  readonly name: string;
  readonly version: number;
  readonly file: string;
  readonly description?: string;
  readonly format: 'fixed' | 'delimited';
  readonly encoding: FileEncoding;
  readonly unit: 'bytes' | 'chars';
  readonly shortLines: 'refuse' | 'pad';
  readonly delimiter: string;
  readonly quote: string | undefined;
  readonly trailingDelimiter: boolean;
  readonly fileName: CompiledFileName | undefined;
  readonly skipPrefixes: readonly string[];
  readonly onBadRecord: BadRecordPolicy;
  readonly maxLineLength: number;
  readonly header: CompiledRecordType | undefined;
  readonly detail: CompiledRecordType;
  readonly trailer: CompiledRecordType | undefined;
  /** detail fields whose sums are kept, in order */
  readonly sumFields: readonly string[];
  readonly countCheck: TotalCheckSpec | undefined;
  readonly sumChecks: readonly TotalCheckSpec[];
  /** the validated definition (generators and tools read widths and names from it) */
  readonly definition: FileLayoutDefinition;
}

function validates(col: ColumnSpec): boolean {
  return col.required === true || col.money !== undefined || col.date !== undefined || (col.type !== undefined && col.type !== 'string');
}

function compileRecordType(
  kind: RecordKind,
  def: RecordTypeDefinition & { map?: Record<string, FieldSpec> },
  layout: FileLayoutDefinition,
  env: CompileEnv,
  referenced?: Set<string>,
): CompiledRecordType {
  const base = `records.${kind}`;
  const fixed = layout.format === 'fixed';
  const names: string[] = [];
  const values: ValueFn[] = [];
  const ends = new Int32Array(def.fields.length);
  let width = 0;
  def.fields.forEach((col: ColumnSpec, i) => {
    const path = `${base}.fields[${i}]`;
    if (names.includes(col.name)) throw new MappingCompileError(`${path}.name`, `'${col.name}' is already a column of ${kind}`);
    if (fixed && col.width === undefined) throw new MappingCompileError(path, `'${col.name}' needs a width (format: fixed)`);
    if (!fixed && col.width !== undefined) throw new MappingCompileError(`${path}.width`, 'widths are for format: fixed (delimited columns are read in order)');
    try {
      values.push(compileValue(col, col.name));
    } catch (err) {
      if (err instanceof MappingCompileError) throw new MappingCompileError(path + err.where.slice(col.name.length), err.what);
      throw err;
    }
    names.push(col.name);
    width += col.width ?? 0;
    ends[i] = width;
  });

  const select = def.select;
  if (select !== undefined && typeof select === 'object' && 'column' in select && fixed) {
    throw new MappingCompileError(`${base}.select`, 'select by column is for format: delimited; use prefix for fixed width');
  }
  if (kind === 'detail' && (select === 'first' || select === 'last')) {
    throw new MappingCompileError(`${base}.select`, 'detail records are selected by prefix or column (or by default: every other line)');
  }

  const derive = compileDeriveBlock(def.derive as Record<string, DeriveSpec> | undefined, `${base}.derive`);
  const map: ObjectMapper | undefined = def.map ? compileMapBlock(def.map, `${base}.map`, env) : undefined;
  const needed = new Uint8Array(def.fields.map((col) => (referenced === undefined || referenced.has(col.name) || validates(col) ? 1 : 0)));
  const template = Object.fromEntries(names.map((n) => [n, undefined]));
  return {
    kind,
    select,
    names,
    values,
    needed,
    ends,
    width,
    derive,
    map,
    newRow: () => ({ ...template }),
  };
}

function integerFields(def: RecordTypeDefinition): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const col of def.fields) out.set(col.name, isIntegerSpec(col));
  for (const [name, spec] of Object.entries(def.derive ?? {})) out.set(name, spec.list === undefined && isIntegerSpec(spec));
  return out;
}

function compileReference(layout: FileLayoutDefinition, ref: string, path: string): { record: 'header' | 'trailer'; field: string } {
  const [record, field] = ref.split('.') as ['header' | 'trailer', string];
  const def = layout.records[record];
  if (!def) throw new MappingCompileError(path, `'${ref}': the layout has no ${record} record`);
  const known = integerFields(def);
  if (!known.has(field)) throw new MappingCompileError(path, `'${ref}': ${record} has no field '${field}'`);
  if (!known.get(field)) throw new MappingCompileError(path, `'${ref}': ${record}.${field} must be an integer (type: integer or money)`);
  return { record, field };
}

function positionOf(s: RecordSelect | undefined): string | undefined {
  return s === 'first' || s === 'last' ? s : undefined;
}

/**
 * Compiles a validated definition; throws MappingCompileError naming the
 * path. `env.codes` are the code tables a `map` may use (`code: <table>`).
 */
export function compileFileLayout(def: FileLayoutDefinition, file: string, env: CompileEnv = {}): CompiledFileLayout {
  const fixed = def.format === 'fixed';
  if (fixed && def.delimited) throw new MappingCompileError('delimited', 'only for format: delimited');
  if (!fixed && def.fixed) throw new MappingCompileError('fixed', 'only for format: fixed');
  if (!fixed && !def.delimited) throw new MappingCompileError('delimited', 'format: delimited needs delimited.delimiter');
  const delimiter = def.delimited?.delimiter ?? '';
  const quote = def.delimited?.quote;
  if (quote !== undefined && delimiter.includes(quote)) throw new MappingCompileError('delimited.quote', 'the quote must differ from the delimiter');
  if (delimiter.includes('\n') || delimiter.includes('\r')) throw new MappingCompileError('delimited.delimiter', 'a line end cannot be a delimiter');

  const header = def.records.header ? compileRecordType('header', { select: 'first', ...def.records.header }, def, env) : undefined;
  const trailer = def.records.trailer ? compileRecordType('trailer', { select: 'last', ...def.records.trailer }, def, env) : undefined;
  const d = def.records.detail;
  const read = d.map ? fieldsRead(d.map, d.derive) : undefined;
  for (const sum of Object.keys(def.totals?.sums ?? {})) read?.add(sum);
  const detail = compileRecordType('detail', d, def, env, read);
  if (header && trailer && positionOf(header.select) && positionOf(header.select) === positionOf(trailer.select)) {
    throw new MappingCompileError('records.trailer.select', `header is already the ${positionOf(header.select)} line`);
  }

  let fileName: CompiledFileName | undefined;
  if (def.fileName) {
    try {
      fileName = compileFileName(def.fileName);
    } catch (err) {
      throw err instanceof MappingCompileError ? placed(err, 'fileName') : new MappingCompileError('fileName', (err as Error).message);
    }
  }

  const detailIntegers = integerFields(def.records.detail);
  const countCheck = def.totals?.count
    ? { name: 'count', against: def.totals.count, ...compileReference(def, def.totals.count, 'totals.count') }
    : undefined;
  const sumChecks = Object.entries(def.totals?.sums ?? {}).map(([field, ref]) => {
    const path = `totals.sums.${field}`;
    if (!detailIntegers.has(field)) throw new MappingCompileError(path, `detail has no field '${field}'`);
    if (!detailIntegers.get(field)) throw new MappingCompileError(path, `detail.${field} must be an integer (type: integer or money) to be summed`);
    return { name: field, against: ref, ...compileReference(def, ref, path) };
  });

  const width = Math.max(header?.width ?? 0, detail.width, trailer?.width ?? 0);
  return {
    name: def.layout,
    version: def.version,
    file,
    description: def.description,
    format: def.format,
    encoding: def.encoding,
    unit: def.fixed?.unit ?? 'bytes',
    shortLines: def.fixed?.shortLines ?? 'refuse',
    delimiter,
    quote,
    trailingDelimiter: def.delimited?.trailingDelimiter === true,
    fileName,
    skipPrefixes: (def.skip ?? []).map((s) => s.prefix),
    onBadRecord: def.onBadRecord ?? 'fail',
    maxLineLength: def.maxLineLength ?? (fixed ? Math.max(4 * width, 1024) : 65536),
    header,
    detail,
    trailer,
    sumFields: sumChecks.map((s) => s.name),
    countCheck,
    sumChecks,
    definition: def,
  };
}
