/**
 * Value specs: how one raw value (a fixed-width slice, a delimited cell, a
 * JSON property) becomes a typed value before the `map:` block sees it.
 * The keys mean what they mean in field specs (core/mapping/field-compiler:
 * type, money exact in fen/yuan, date with the same engine and time zones,
 * default, required), plus `trim` (on by default for columns). Compiled once
 * into a plain function; money and integers in text are read by a digit
 * loop, not a regex: this runs for every column of every line.
 */
import { DateFormatError } from '../date-format';
import { MappingCompileError } from '../definition-errors';
import { FieldMappingError, compileDateConvert } from '../field-compiler';
import { MoneyFormatError, yuanToFen } from '../money';
import { compilePath } from '../path';

/** As in field specs: `in`/`out` are iso, epochMillis, epochSeconds or a pattern; local times in `tz` (default Asia/Shanghai). */
export interface DateSpec {
  in: string;
  out?: string;
  tz?: string;
  outTz?: string;
}

export interface ValueSpec {
  /** strings only; `true` (default) trims both ends, also the full-width space U+3000 */
  trim?: boolean | 'left' | 'right';
  type?: 'string' | 'integer' | 'number' | 'boolean';
  /** the result is always integer fen */
  money?: { in: 'fen' | 'yuan' };
  date?: DateSpec;
  /** used when the value is missing, null or empty after trimming (not converted) */
  default?: unknown;
  required?: boolean;
}

/** A value computed from other fields of the same record. */
export interface DeriveSpec extends ValueSpec {
  /** a dotted path; defaults to the derived name itself (convert in place) */
  from?: string;
  /** text of several fields joined (e.g. a date and a time column); missing if any part is */
  join?: string[];
  separator?: string;
  /** several fields as a list (e.g. tariff registers r1..r4); each item converted, missing items are null */
  list?: string[];
}

export type ValueFn = (raw: unknown) => unknown;

/** Does the spec always produce an integer (a column a total can be checked against)? */
export function isIntegerSpec(spec: ValueSpec): boolean {
  return spec.money !== undefined || spec.type === 'integer';
}

/** Reads optionally signed decimal digits (leading zeros allowed); NaN if anything else. */
export function parseIntegerText(s: string): number {
  const n = s.length;
  let i = 0;
  let neg = false;
  const c0 = n > 0 ? s.charCodeAt(0) : 0;
  if (c0 === 45 /* - */) {
    neg = true;
    i = 1;
  } else if (c0 === 43 /* + */) {
    i = 1;
  }
  if (i >= n) return NaN;
  let v = 0;
  for (; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  if (v > Number.MAX_SAFE_INTEGER) return NaN;
  return neg ? -v : v;
}

function describe(v: unknown): string {
  return typeof v === 'string' && v.length > 40 ? `${JSON.stringify(v.slice(0, 40))}…` : JSON.stringify(v);
}

function compileConversion(spec: ValueSpec, field: string): ((v: unknown) => unknown) | undefined {
  const kinds = [spec.money && 'money', spec.date && 'date', spec.type && spec.type !== 'string' && `type: ${spec.type}`].filter(Boolean);
  if (kinds.length > 1) throw new MappingCompileError(field, `use only one of ${kinds.join(', ')}`);
  if (spec.money) {
    if (spec.money.in === 'yuan') {
      return (v) => {
        try {
          return yuanToFen(v);
        } catch (err) {
          if (err instanceof MoneyFormatError) throw new FieldMappingError(field, err.message);
          throw err;
        }
      };
    }
    return (v) => {
      const n = typeof v === 'string' ? parseIntegerText(v) : typeof v === 'number' && Number.isSafeInteger(v) ? v : NaN;
      if (n !== n) throw new FieldMappingError(field, `${describe(v)} is not a whole number of fen`);
      return n;
    };
  }
  if (spec.date) {
    const convert = compileDateConvert(spec.date, field);
    return (v) => {
      try {
        return convert(v);
      } catch (err) {
        if (err instanceof DateFormatError) throw new FieldMappingError(field, err.message);
        throw err;
      }
    };
  }
  switch (spec.type) {
    case undefined:
      return undefined;
    case 'string':
      return (v) => (typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v));
    case 'integer':
      return (v) => {
        const n = typeof v === 'string' ? parseIntegerText(v) : typeof v === 'number' && Number.isSafeInteger(v) ? v : NaN;
        if (n !== n) throw new FieldMappingError(field, `${describe(v)} is not an integer`);
        return n;
      };
    case 'number':
      return (v) => {
        const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
        if (!Number.isFinite(n)) throw new FieldMappingError(field, `${describe(v)} is not a number`);
        return n;
      };
    case 'boolean':
      return (v) => {
        if (typeof v === 'boolean') return v;
        if (v === 'true' || v === '1' || v === 1) return true;
        if (v === 'false' || v === '0' || v === 0) return false;
        throw new FieldMappingError(field, `${describe(v)} is not a boolean`);
      };
  }
}

/**
 * Compiles a value spec into `raw → value`. Throws MappingCompileError
 * (where: `<field>[.key]`) for a bad spec, FieldMappingError for a bad
 * value. Missing values come out as `undefined`.
 */
export function compileValue(spec: ValueSpec, field: string): ValueFn {
  const convert = compileConversion(spec, field);
  const trim = spec.trim ?? true;
  const hasDefault = Object.prototype.hasOwnProperty.call(spec, 'default');
  const fallback = spec.default;
  const required = spec.required === true;
  return (raw) => {
    let v = raw;
    if (typeof v === 'string') {
      if (trim === true) v = v.trim();
      else if (trim === 'right') v = v.trimEnd();
      else if (trim === 'left') v = v.trimStart();
      if (v === '') v = undefined;
    }
    if (v === undefined || v === null) {
      if (hasDefault) return fallback;
      if (required) throw new FieldMappingError(field, 'is required but missing');
      return undefined;
    }
    return convert === undefined ? v : convert(v);
  };
}

/**
 * Compiles a `derive:` block into a function that adds the derived values to
 * `row` (in order, so a later entry may read an earlier one). The row is the
 * caller's own object (a parsed line or a freshly parsed message). Spec
 * errors are thrown as MappingCompileError (where: `<name>[.key]`); value
 * errors as FieldMappingError naming the derived field.
 */
export function compileDerive(specs: Record<string, DeriveSpec> | undefined): ((row: Record<string, unknown>) => void) | undefined {
  if (!specs || Object.keys(specs).length === 0) return undefined;
  const steps = Object.entries(specs).map(([name, spec]) => {
    const field = name;
    const sources = [spec.from !== undefined, spec.join !== undefined, spec.list !== undefined].filter(Boolean).length;
    if (sources > 1) throw new MappingCompileError(field, 'use only one of from, join, list');
    if (spec.separator !== undefined && spec.join === undefined) throw new MappingCompileError(`${field}.separator`, 'separator needs join');
    const value = compileValue(spec, field);
    if (spec.list) {
      const readers = spec.list.map((p) => compilePath(p));
      return (row: Record<string, unknown>) => {
        const out = new Array(readers.length);
        for (let i = 0; i < readers.length; i++) {
          const v = value(readers[i](row));
          out[i] = v === undefined ? null : v;
        }
        row[name] = out;
      };
    }
    if (spec.join) {
      const readers = spec.join.map((p) => compilePath(p));
      const sep = spec.separator ?? '';
      return (row: Record<string, unknown>) => {
        let text = '';
        let missing = false;
        for (let i = 0; i < readers.length; i++) {
          const part = readers[i](row);
          if (part === undefined || part === null || part === '') {
            missing = true;
            break;
          }
          text += i === 0 ? String(part) : sep + String(part);
        }
        row[name] = value(missing ? undefined : text);
      };
    }
    const read = compilePath(spec.from ?? name);
    return (row: Record<string, unknown>) => {
      row[name] = value(read(row));
    };
  });
  return (row) => {
    for (let i = 0; i < steps.length; i++) steps[i](row);
  };
}
