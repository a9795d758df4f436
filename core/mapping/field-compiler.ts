import jsonata from 'jsonata';
import { maskAccountNo, maskAddress, maskIdNumber, maskMobile, maskName } from '../crypto';
import type { CodeTable } from './code-tables';
import { DEFAULT_TZ, DateFormatError, assertTimeZone, compileDateReader, compileDateReformat, compileDateWriter } from './date-format';
import { MoneyFormatError, fenToInteger, fenToYuan, yuanToFen } from './money';
import { asList, compilePath } from './path';
import { MappingCompileError } from './definition-errors';
import { generateField, generateObjectMapper } from './codegen/generate-map';

/**
 * Values a mapping may read besides its input: `$requestId`, `$now`, and
 * `$request.<path>` / `$context.<name>` (a response map reads the canonical
 * request this way when the back office does not echo it).
 */
export interface MappingContext {
  requestId?: string;
  now?: Date;
  /** The canonical request of the call (what the caller passed). */
  request?: unknown;
  /** The canonical operation being run, `marketing.queryArrears`. */
  operation?: string;
  /** Topic shapes: the whole message around the record (`$envelope.ts` of a CDC envelope). */
  envelope?: unknown;
}

/** What `$context.<name>` may name. */
export const CONTEXT_FIELDS = ['requestId', 'operation', 'now'] as const;
const ROOTS_HELP = `a path of the input, $request.<field> (the canonical request), $context.${CONTEXT_FIELDS.join('|$context.')}, $requestId, $now, $envelope.<path> (topic shapes: the whole message) or $ (the whole input)`;

type ContextReader = (input: unknown, ctx: MappingContext) => unknown;

/**
 * Compiles a source path: a path of the input, or one of the `$` roots.
 * An unknown `$` root is refused here, at validation, rather than read as a
 * key of the input that never exists.
 */
export function compileSourcePath(path: string, where: string): ContextReader {
  if (path === '$') return (i) => i;
  if (path === '$requestId' || path === '$context.requestId') return (_i, ctx) => ctx.requestId;
  if (path === '$now' || path === '$context.now') return (_i, ctx) => (ctx.now ?? new Date()).toISOString();
  if (path === '$context.operation') return (_i, ctx) => ctx.operation;
  if (path === '$request') return (_i, ctx) => ctx.request;
  if (path.startsWith('$request.')) {
    const read = compilePath(path.slice('$request.'.length));
    return (_i, ctx) => read(ctx.request);
  }
  if (path === '$envelope' || path.startsWith('$envelope.')) {
    const read = path === '$envelope' ? (v: unknown) => v : compilePath(path.slice('$envelope.'.length));
    return (_i, ctx) => read(ctx.envelope);
  }
  if (path.startsWith('$')) {
    const root = path.split('.')[0];
    const hint = root === '$context' ? `'${path}' is not a context value` : `unknown root '${root}'`;
    throw new MappingCompileError(where, `${hint}: write ${ROOTS_HELP}`);
  }
  const read = compilePath(path);
  return (i) => read(i);
}

/** What compilation may refer to besides the spec itself. */
export interface CompileEnv {
  codes?: ReadonlyMap<string, CodeTable>;
}

export interface ConditionSpec {
  path: string;
  equals?: string | number | boolean | null;
  notEquals?: string | number | boolean | null;
  in?: Array<string | number | boolean>;
  exists?: boolean;
}

export type FieldSpec = string | FieldSpecObject;
export interface FieldSpecObject {
  from?: string;
  const?: unknown;
  concat?: FieldSpec[];
  separator?: string;
  sum?: string[];
  expr?: string;
  if?: ConditionSpec;
  then?: FieldSpec;
  else?: FieldSpec;
  default?: unknown;
  required?: boolean;
  trim?: boolean;
  split?: { separator: string; index?: number };
  type?: 'string' | 'integer' | 'number' | 'boolean';
  money?: { in: 'fen' | 'yuan'; out?: 'fen' | 'yuan' };
  date?: { in: string; out?: string; tz?: string; outTz?: string };
  code?: string;
  mask?: 'name' | 'mobile' | 'idNumber' | 'account' | 'address';
  lookup?: Record<string, unknown>;
  each?: string;
  where?: ConditionSpec;
  map?: Record<string, FieldSpec>;
}

/** Raised while mapping a value; the caller decides which typed error it becomes. */
export class FieldMappingError extends Error {
  constructor(readonly field: string, readonly reason: string) {
    super(`${field}: ${reason}`);
    this.name = 'FieldMappingError';
  }
}

/**
 * A compiled field: synchronous unless it (or a field inside it) uses `expr`.
 * `out` is the object being built, for fields that read earlier outputs (`$out.`).
 */
type FieldFn = (input: unknown, ctx: MappingContext, out?: Record<string, unknown>) => unknown;
interface Compiled {
  fn: FieldFn;
  async: boolean;
}
/** A field as the closure compiler builds it (the generator validates with it and runs `expr` fields through it). */
export type CompiledField = Compiled;
export type ObjectMapper = (input: unknown, ctx: MappingContext) => Record<string, unknown>;

export const MASKS: Record<NonNullable<FieldSpecObject['mask']>, (v: string) => string> = {
  name: maskName,
  mobile: maskMobile,
  idNumber: maskIdNumber,
  account: maskAccountNo,
  address: maskAddress,
};

export const isMissing = (v: unknown) => v === undefined || v === null || v === '';
const isPromise = (v: unknown): v is Promise<unknown> => typeof (v as Promise<unknown> | null)?.then === 'function';

export function compileCondition(c: ConditionSpec): (input: unknown) => boolean {
  const read = compilePath(c.path);
  if (c.in) {
    const set = new Set(c.in.map(String));
    return (input) => set.has(String(read(input)));
  }
  if ('equals' in c) {
    const expected = c.equals === null ? null : String(c.equals);
    return (input) => {
      const v = read(input);
      return expected === null ? isMissing(v) : String(v) === expected;
    };
  }
  if ('notEquals' in c) {
    const expected = c.notEquals === null ? null : String(c.notEquals);
    return (input) => {
      const v = read(input);
      return expected === null ? !isMissing(v) : String(v) !== expected;
    };
  }
  const wanted = c.exists !== false;
  return (input) => !isMissing(read(input)) === wanted;
}

export function convertType(type: FieldSpecObject['type'], field: string, value: unknown): unknown {
  switch (type) {
    case undefined:
      return value;
    case 'string':
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === '1' || value === 1) return true;
      if (value === 'false' || value === '0' || value === 0) return false;
      throw new FieldMappingError(field, `${JSON.stringify(value)} is not a boolean`);
    case 'integer':
    case 'number': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
      if (!Number.isFinite(n) || (type === 'integer' && !Number.isSafeInteger(n))) {
        throw new FieldMappingError(field, `${JSON.stringify(value)} is not ${type === 'integer' ? 'an integer' : 'a number'}`);
      }
      return n;
    }
  }
}

export function moneyToFen(money: NonNullable<FieldSpecObject['money']>, field: string, value: unknown): number {
  try {
    return money.in === 'yuan' ? yuanToFen(value) : fenToInteger(value);
  } catch (err) {
    if (err instanceof MoneyFormatError) throw new FieldMappingError(field, err.message);
    throw err;
  }
}

/** The value source of a spec: exactly one of from / const / concat / sum / expr / if. */
function compileSource(s: FieldSpecObject, field: string, env: CompileEnv): Compiled {
  if ('const' in s) {
    const value = s.const;
    return { fn: () => value, async: false };
  }
  if (s.concat) {
    const parts = s.concat.map((p, i) => compileField(p, `${field}.concat[${i}]`, env, true));
    const sep = s.separator ?? '';
    if (parts.some((p) => p.async)) {
      return { fn: async (i, c) => (await Promise.all(parts.map((p) => p.fn(i, c)))).filter((v) => !isMissing(v)).join(sep), async: true };
    }
    return { fn: (i, c) => parts.map((p) => p.fn(i, c)).filter((v) => !isMissing(v)).join(sep), async: false };
  }
  if (s.sum) {
    // `$out.items[].amountFen` sums fields already mapped above (integer fen); other paths read the input.
    const readers = s.sum.map((p, i) =>
      p.startsWith('$out.') ? { read: compilePath(p.slice(5)) as ContextReader, fromOut: true } : { read: compileSourcePath(p, `${field}.sum[${i}]`), fromOut: false },
    );
    const money = s.money ?? { in: 'fen' as const };
    const fen = { in: 'fen' as const };
    return {
      fn: (input, ctx, out) => {
        let total = 0;
        for (const { read, fromOut } of readers) {
          const values = asList(read(fromOut ? out : input, ctx));
          for (const v of values) if (!isMissing(v)) total += moneyToFen(fromOut ? fen : money, field, v);
        }
        if (!Number.isSafeInteger(total)) throw new FieldMappingError(field, 'sum exceeds the safe integer range');
        return total;
      },
      async: false,
    };
  }
  if (s.expr !== undefined) {
    let expression: ReturnType<typeof jsonata>;
    try {
      expression = jsonata(s.expr);
    } catch (err) {
      throw new MappingCompileError(`${field}.expr`, (err as { message?: string }).message ?? 'invalid JSONata expression');
    }
    return {
      fn: async (input, ctx) => {
        try {
          return await expression.evaluate(input, {
            requestId: ctx.requestId,
            now: (ctx.now ?? new Date()).toISOString(),
            request: ctx.request,
            context: { requestId: ctx.requestId, operation: ctx.operation, now: (ctx.now ?? new Date()).toISOString() },
          });
        } catch (err) {
          throw new FieldMappingError(field, `expression failed: ${(err as { message?: string }).message ?? String(err)}`);
        }
      },
      async: true,
    };
  }
  if (s.if) {
    const test = compileCondition(s.if);
    const then = s.then !== undefined ? compileField(s.then, `${field}.then`, env, true) : { fn: () => undefined, async: false };
    const otherwise = s.else !== undefined ? compileField(s.else, `${field}.else`, env, true) : { fn: () => undefined, async: false };
    return { fn: (i, c) => (test(i) ? then.fn(i, c) : otherwise.fn(i, c)), async: then.async || otherwise.async };
  }
  const read = compileSourcePath(s.from as string, `${field}.from`);
  return { fn: read, async: false };
}

/** The `date:` conversion of a field, compiled once (errors at `<field>.date`). */
export function compileDateConvert(date: NonNullable<FieldSpecObject['date']>, field: string): (v: unknown) => unknown {
  try {
    const tz = date.tz ?? DEFAULT_TZ;
    const outTz = date.outTz ?? tz;
    // Same zone, pattern to pattern: move the fields, skip epoch time.
    const reformat = tz === outTz ? compileDateReformat(date.in, date.out ?? 'iso') : null;
    if (reformat) {
      assertTimeZone(tz);
      return reformat;
    }
    const read = compileDateReader(date.in, tz);
    const write = compileDateWriter(date.out ?? 'iso', outTz);
    return (v) => write(read(v));
  } catch (err) {
    throw new MappingCompileError(`${field}.date`, (err as Error).message);
  }
}

/** Conversions applied, in order, to a present value. */
function compileSteps(s: FieldSpecObject, field: string, env: CompileEnv): Array<(v: unknown) => unknown> {
  const steps: Array<(v: unknown) => unknown> = [];
  if (s.trim) steps.push((v) => (typeof v === 'string' ? v.trim() : v));
  if (s.split) {
    const { separator, index } = s.split;
    steps.push((v) => {
      const parts = String(v).split(separator);
      return index === undefined ? parts : parts.at(index);
    });
  }
  if (s.lookup) {
    const table = s.lookup;
    steps.push((v) => {
      const key = String(v);
      if (!Object.prototype.hasOwnProperty.call(table, key)) throw new FieldMappingError(field, `${JSON.stringify(v)} is not in the lookup table`);
      return table[key];
    });
  }
  if (s.code) {
    const table = env.codes?.get(s.code);
    if (!table) throw new MappingCompileError(`${field}.code`, `no code table '${s.code}' (mappings/codes/*.yaml)`);
    steps.push((v) => {
      const key = String(v);
      if (table.values.has(key)) return table.values.get(key);
      if (table.fallback) return table.fallback.value;
      throw new FieldMappingError(field, `${JSON.stringify(v)} is not in code table ${table.name}`);
    });
  }
  if (s.date) {
    const convert = compileDateConvert(s.date, field);
    steps.push((v) => {
      try {
        return convert(v);
      } catch (err) {
        if (err instanceof DateFormatError) throw new FieldMappingError(field, err.message);
        throw err;
      }
    });
  }
  if (s.money && !s.sum) {
    const money = s.money;
    steps.push((v) => {
      const fen = moneyToFen(money, field, v);
      return money.out === 'yuan' ? fenToYuan(fen) : fen;
    });
  } else if (s.money?.out === 'yuan') {
    steps.push((v) => fenToYuan(v as number));
  } else if (s.type) {
    const type = s.type;
    steps.push((v) => convertType(type, field, v));
  }
  if (s.mask) {
    const mask = MASKS[s.mask];
    steps.push((v) => mask(String(v)));
  }
  return steps;
}

function compileFieldInternal(spec: FieldSpec, field: string, env: CompileEnv): Compiled {
  try {
    return compileFieldUnchecked(spec, field, env);
  } catch (err) {
    if (err instanceof MappingCompileError) throw err;
    throw new MappingCompileError(field, (err as Error).message);
  }
}

function compileFieldUnchecked(spec: FieldSpec, field: string, env: CompileEnv): Compiled {
  const s: FieldSpecObject = typeof spec === 'string' ? { from: spec } : spec;
  if (s.each !== undefined) {
    const readList = compilePath(s.each);
    const keep = s.where ? compileCondition(s.where) : null;
    const item = compileObjectInternal(s.map ?? {}, field, env);
    const rename = (err: unknown, i: number) =>
      err instanceof FieldMappingError ? new FieldMappingError(`${field}[${i}].${err.field.slice(field.length + 1)}`, err.reason) : err;
    const items = (input: unknown) => (keep ? asList(readList(input)).filter(keep) : asList(readList(input)));
    if (item.async) {
      return {
        fn: (input, ctx) => Promise.all(items(input).map((x, i) => (item.fn(x, ctx) as Promise<unknown>).catch((err) => Promise.reject(rename(err, i))))),
        async: true,
      };
    }
    return {
      fn: (input, ctx) =>
        items(input).map((x, i) => {
          try {
            return item.fn(x, ctx);
          } catch (err) {
            throw rename(err, i);
          }
        }),
      async: false,
    };
  }
  const source = compileSource(s, field, env);
  const steps = compileSteps(s, field, env);
  const hasDefault = 'default' in s;
  const fallback = s.default;
  const required = s.required === true;
  const finish = (raw: unknown) => {
    let value = raw;
    if (isMissing(value)) {
      if (hasDefault) return fallback;
      if (required) throw new FieldMappingError(field, 'is required but missing');
      return undefined;
    }
    for (const step of steps) value = step(value);
    return value;
  };
  if (source.async) return { fn: async (i, c, o) => finish(await source.fn(i, c, o)), async: true };
  return { fn: (i, c, o) => finish(source.fn(i, c, o)), async: false };
}

/** Compiles one field spec into a plain function; called once per definition. */
export function compileField(spec: FieldSpec, field: string, env?: CompileEnv): FieldFn;
export function compileField(spec: FieldSpec, field: string, env: CompileEnv, detailed: true): Compiled;
export function compileField(spec: FieldSpec, field: string, env: CompileEnv = {}, detailed = false): FieldFn | Compiled {
  const compiled = compileFieldInternal(spec, field, env);
  return detailed ? compiled : generateField(spec, field, env, compiled).fn;
}

/** Each field of a block compiled by the closure compiler, in order (this is where definitions are validated). */
export function compileObjectFields(specs: Record<string, FieldSpec>, prefix: string, env: CompileEnv): Compiled[] {
  return Object.entries(specs).map(([name, spec]) => compileFieldInternal(spec, prefix ? `${prefix}.${name}` : name, env));
}

function compileObjectInternal(specs: Record<string, FieldSpec>, prefix: string, env: CompileEnv): Compiled {
  const compiled = compileObjectFields(specs, prefix, env);
  const fields = Object.keys(specs).map((name, i) => {
    const keys = name.split('.');
    return { keys, key: keys.length === 1 ? keys[0] : null, ...compiled[i] };
  });
  if (fields.some((f) => f.async)) {
    return {
      fn: async (input, ctx) => {
        const out: Record<string, unknown> = {};
        // In order, so a field may read the ones above it through `$out.`.
        for (const { keys, fn } of fields) {
          const value = await fn(input, ctx, out);
          if (value !== undefined) assignPath(out, keys, value);
        }
        return out;
      },
      async: true,
    };
  }
  return {
    fn: (input, ctx) => {
      const out: Record<string, unknown> = {};
      for (const { keys, key, fn } of fields) {
        const value = fn(input, ctx, out);
        if (value === undefined) continue;
        if (key !== null) out[key] = value;
        else assignPath(out, keys, value);
      }
      return out;
    },
    async: false,
  };
}

/**
 * Compiles a `{ target: spec }` block into a function building the target
 * object. It returns a Promise only when some field uses `expr` (JSONata);
 * callers that may meet such mappings `await` the result.
 */
export function compileObject(specs: Record<string, FieldSpec>, prefix = '', env: CompileEnv = {}): ObjectMapper {
  return generateObjectMapper(specs, prefix, env).fn;
}

export { isPromise };

/** Target names may be dotted (`Header.Channel`) to build nested output. */
export function assignPath(target: Record<string, unknown>, keys: string[], value: unknown): void {
  let cur = target;
  for (let i = 0; i < keys.length - 1; i++) {
    const next = cur[keys[i]];
    if (next === null || typeof next !== 'object') cur[keys[i]] = {};
    cur = cur[keys[i]] as Record<string, unknown>;
  }
  cur[keys[keys.length - 1]] = value;
}
