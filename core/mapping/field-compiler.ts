import { maskAccountNo, maskIdNumber, maskMobile, maskName } from '../crypto';
import { MoneyFormatError, fenToInteger, fenToYuan, yuanToFen } from './money';
import { asList, compilePath } from './path';

/** Values a mapping may read besides its input: `$requestId`, `$now`. */
export interface MappingContext {
  requestId?: string;
  now?: Date;
}

export type FieldSpec = string | FieldSpecObject;
export interface FieldSpecObject {
  from?: string;
  const?: unknown;
  default?: unknown;
  required?: boolean;
  type?: 'string' | 'integer' | 'number' | 'boolean';
  money?: { in: 'fen' | 'yuan'; out?: 'fen' | 'yuan' };
  mask?: 'name' | 'mobile' | 'idNumber' | 'account';
  lookup?: Record<string, unknown>;
  each?: string;
  map?: Record<string, FieldSpec>;
}

/** Raised while mapping a value; the caller decides which typed error it becomes. */
export class FieldMappingError extends Error {
  constructor(readonly field: string, readonly reason: string) {
    super(`${field}: ${reason}`);
    this.name = 'FieldMappingError';
  }
}

type FieldFn = (input: unknown, ctx: MappingContext) => unknown;
export type ObjectMapper = (input: unknown, ctx: MappingContext) => Record<string, unknown>;

const MASKS: Record<NonNullable<FieldSpecObject['mask']>, (v: string) => string> = {
  name: maskName,
  mobile: maskMobile,
  idNumber: maskIdNumber,
  account: maskAccountNo,
};

function compileSource(spec: FieldSpecObject): FieldFn {
  if ('const' in spec) {
    const value = spec.const;
    return () => value;
  }
  const from = spec.from as string;
  if (from === '$requestId') return (_i, ctx) => ctx.requestId;
  if (from === '$now') return (_i, ctx) => (ctx.now ?? new Date()).toISOString();
  return compilePath(from);
}

function convertType(type: FieldSpecObject['type'], field: string, value: unknown): unknown {
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

function convertMoney(money: NonNullable<FieldSpecObject['money']>, field: string, value: unknown): unknown {
  try {
    const fen = money.in === 'yuan' ? yuanToFen(value) : fenToInteger(value);
    return money.out === 'yuan' ? fenToYuan(fen) : fen;
  } catch (err) {
    if (err instanceof MoneyFormatError) throw new FieldMappingError(field, err.message);
    throw err;
  }
}

/** Compiles one field spec into a plain function; called once per definition. */
export function compileField(spec: FieldSpec, field: string): FieldFn {
  const s: FieldSpecObject = typeof spec === 'string' ? { from: spec } : spec;
  if (s.each !== undefined) {
    const readList = compilePath(s.each);
    const mapItem = compileObject(s.map ?? {}, field);
    return (input, ctx) => asList(readList(input)).map((item, i) => {
      try {
        return mapItem(item, ctx);
      } catch (err) {
        if (err instanceof FieldMappingError) throw new FieldMappingError(`${field}[${i}].${err.field.split('.').pop()}`, err.reason);
        throw err;
      }
    });
  }
  const read = compileSource(s);
  const steps: Array<(v: unknown) => unknown> = [];
  if (s.lookup) {
    const table = s.lookup;
    steps.push((v) => {
      const key = String(v);
      if (!Object.prototype.hasOwnProperty.call(table, key)) throw new FieldMappingError(field, `${JSON.stringify(v)} is not in the lookup table`);
      return table[key];
    });
  }
  if (s.money) {
    const money = s.money;
    steps.push((v) => convertMoney(money, field, v));
  } else if (s.type) {
    const type = s.type;
    steps.push((v) => convertType(type, field, v));
  }
  if (s.mask) {
    const mask = MASKS[s.mask];
    steps.push((v) => mask(String(v)));
  }
  const hasDefault = 'default' in s;
  const fallback = s.default;
  const required = s.required === true;
  return (input, ctx) => {
    let value = read(input, ctx);
    if (value === undefined || value === null || value === '') {
      if (hasDefault) return fallback;
      if (required) throw new FieldMappingError(field, 'is required but missing');
      return undefined;
    }
    for (const step of steps) value = step(value);
    return value;
  };
}

/** Compiles a `{ target: spec }` block into a function building the target object. */
export function compileObject(specs: Record<string, FieldSpec>, prefix = ''): ObjectMapper {
  const fields = Object.entries(specs).map(([name, spec]) => {
    const path = prefix ? `${prefix}.${name}` : name;
    return { keys: name.split('.'), fn: compileField(spec, path) };
  });
  return (input, ctx) => {
    const out: Record<string, unknown> = {};
    for (const { keys, fn } of fields) {
      const value = fn(input, ctx);
      if (value !== undefined) assignPath(out, keys, value);
    }
    return out;
  };
}

/** Target names may be dotted (`Header.Channel`) to build nested output. */
function assignPath(target: Record<string, unknown>, keys: string[], value: unknown): void {
  let cur = target;
  for (let i = 0; i < keys.length - 1; i++) {
    const next = cur[keys[i]];
    if (next === null || typeof next !== 'object') cur[keys[i]] = {};
    cur = cur[keys[i]] as Record<string, unknown>;
  }
  cur[keys[keys.length - 1]] = value;
}
