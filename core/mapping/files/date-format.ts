/**
 * A small date-text helper for file layouts, file names and topic shapes.
 *
 * Formats use the tokens `yyyy MM dd HH mm ss SSS`; every other character is a
 * literal that must appear as written (`yyyy-MM-dd HH:mm:ss`, `yyyyMMdd`,
 * `yyyy-MM-ddTHH:mm:ss`). Other letters are refused (`hh`, `YYYY`, `DD` are
 * common slips), except the literal `T`. A format is compiled once into token positions, so
 * converting a value reads digits by position: no regex, no `Date` object.
 *
 * Values are wall-clock times in one zone (default `+08:00`, China Standard
 * Time, which has no daylight saving); `out: iso` appends that offset.
 *
 * Intended to be folded into the field specs of core/mapping/field-compiler
 * (a `date: { in, out, zone }` key); until then file layouts and topic
 * shapes use it from here.
 */

export type DateToken = 'yyyy' | 'MM' | 'dd' | 'HH' | 'mm' | 'ss' | 'SSS';

const TOKENS: ReadonlySet<string> = new Set<DateToken>(['yyyy', 'MM', 'dd', 'HH', 'mm', 'ss', 'SSS']);
const ZONE = /^(Z|[+-](0\d|1[0-4]):[0-5]\d)$/;

/** A value did not match its format; `reason` is safe to show. */
export class DateFormatError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'DateFormatError';
  }
}

interface Piece {
  /** token, or undefined for a literal */
  token?: DateToken;
  pos: number;
  len: number;
  literal?: string;
}

/** The parts of a date-time, as numbers and as the digit text they came from. */
export interface DateFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millis: number;
}

export interface CompiledDateFormat {
  readonly pattern: string;
  readonly length: number;
  readonly tokens: ReadonlySet<DateToken>;
  /** Where each token starts in a matching text. */
  readonly positions: Readonly<Partial<Record<DateToken, number>>>;
  /** Reads `text`; throws DateFormatError naming the format when it does not match. */
  parse(text: string): DateFields;
  /** Like parse, into the caller's object (no allocation on the hot path). */
  parseInto(text: string, f: DateFields): DateFields;
  /** Writes `fields` in this format. */
  format(fields: DateFields): string;
}

/** Splits a format into tokens and literals; throws Error with a reason for unknown tokens. */
export function compileDateFormat(pattern: string): CompiledDateFormat {
  if (typeof pattern !== 'string' || pattern.length === 0) throw new Error('a date format must be a non-empty string');
  const pieces: Piece[] = [];
  const tokens = new Set<DateToken>();
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i];
    let j = i + 1;
    if (/[A-Za-z]/.test(ch) && ch !== 'T') {
      while (j < pattern.length && pattern[j] === ch) j++;
      const token = pattern.slice(i, j);
      if (!TOKENS.has(token)) throw new Error(`'${token}' in date format '${pattern}' is not a token (use yyyy MM dd HH mm ss SSS)`);
      if (tokens.has(token as DateToken)) throw new Error(`'${token}' appears twice in date format '${pattern}'`);
      tokens.add(token as DateToken);
      pieces.push({ token: token as DateToken, pos: i, len: j - i });
    } else {
      pieces.push({ pos: i, len: 1, literal: ch });
    }
    i = j;
  }
  if ((tokens.has('dd') && !tokens.has('MM')) || (tokens.has('MM') && !tokens.has('yyyy'))) {
    throw new Error(`date format '${pattern}' needs yyyy and MM with dd`);
  }
  const length = pattern.length;

  function fail(text: string): never {
    throw new DateFormatError(`${JSON.stringify(text)} is not a date in the format ${pattern}`);
  }

  const positions: Partial<Record<DateToken, number>> = {};
  for (const p of pieces) if (p.token) positions[p.token] = p.pos;

  function parseInto(text: string, f: DateFields): DateFields {
    if (text.length !== length) fail(text);
    f.year = 1970;
    f.month = 1;
    f.day = 1;
    f.hour = 0;
    f.minute = 0;
    f.second = 0;
    f.millis = 0;
    for (let i = 0; i < pieces.length; i++) {
      const p = pieces[i];
      if (p.literal !== undefined) {
        if (text.charCodeAt(p.pos) !== p.literal.charCodeAt(0)) fail(text);
        continue;
      }
      let v = 0;
      for (let k = p.pos, end = p.pos + p.len; k < end; k++) {
        const d = text.charCodeAt(k) - 48;
        if (d < 0 || d > 9) fail(text);
        v = v * 10 + d;
      }
      switch (p.token) {
        case 'yyyy': f.year = v; break;
        case 'MM': f.month = v; break;
        case 'dd': f.day = v; break;
        case 'HH': f.hour = v; break;
        case 'mm': f.minute = v; break;
        case 'ss': f.second = v; break;
        case 'SSS': f.millis = v; break;
      }
    }
    if (f.month < 1 || f.month > 12 || f.day < 1 || f.day > daysInMonth(f.year, f.month) || f.hour > 23 || f.minute > 59 || f.second > 59) {
      throw new DateFormatError(`${JSON.stringify(text)} is not a valid date (format ${pattern})`);
    }
    return f;
  }

  return {
    pattern,
    length,
    tokens,
    positions,
    parseInto,
    parse: (text) => parseInto(text, { year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0, millis: 0 }),
    format(f: DateFields): string {
      let out = '';
      for (const p of pieces) {
        if (p.literal !== undefined) {
          out += p.literal;
          continue;
        }
        switch (p.token) {
          case 'yyyy': out += pad(f.year, 4); break;
          case 'MM': out += pad(f.month, 2); break;
          case 'dd': out += pad(f.day, 2); break;
          case 'HH': out += pad(f.hour, 2); break;
          case 'mm': out += pad(f.minute, 2); break;
          case 'ss': out += pad(f.second, 2); break;
          case 'SSS': out += pad(f.millis, 3); break;
        }
      }
      return out;
    },
  };
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function pad(n: number, width: number): string {
  const s = String(n);
  return s.length >= width ? s : '0'.repeat(width - s.length) + s;
}

export interface DateConversionSpec {
  /** input format, e.g. `yyyy-MM-dd HH:mm:ss` */
  in: string;
  /** `iso` (default): `yyyy-MM-ddTHH:mm:ss[.SSS]+08:00`; `date`: `yyyy-MM-dd`; or a format */
  out?: string;
  /** offset of the wall-clock input, `+08:00` by default; used by `out: iso` */
  zone?: string;
}

/**
 * Compiles `{ in, out, zone }` into a text → text function. Throws Error (with
 * a reason) for a bad spec at compile time, DateFormatError for a bad value.
 */
export function compileDateConversion(spec: DateConversionSpec): (text: string) => string {
  const input = compileDateFormat(spec.in);
  const zone = spec.zone ?? '+08:00';
  if (!ZONE.test(zone)) throw new Error(`zone '${zone}' is not an offset such as +08:00 or Z`);
  const out = spec.out ?? 'iso';
  if (out === 'iso') {
    if (!input.tokens.has('dd')) throw new Error(`date out 'iso' needs a full date (yyyy, MM, dd) in the input format '${spec.in}'`);
    // validated by parsing, written by slicing the digits out of the input
    const p = input.positions;
    const y = p.yyyy!;
    const mo = p.MM!;
    const d = p.dd!;
    const scratch: DateFields = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, millis: 0 };
    const two = (text: string, at: number | undefined) => (at === undefined ? '00' : text.slice(at, at + 2));
    const h = p.HH;
    const mi = p.mm;
    const se = p.ss;
    const ms = p.SSS;
    return (text) => {
      input.parseInto(text, scratch);
      return (
        text.slice(y, y + 4) + '-' + text.slice(mo, mo + 2) + '-' + text.slice(d, d + 2) +
        'T' + two(text, h) + ':' + two(text, mi) + ':' + two(text, se) +
        (ms === undefined ? '' : '.' + text.slice(ms, ms + 3)) + zone
      );
    };
  }
  const output = compileDateFormat(out === 'date' ? 'yyyy-MM-dd' : out);
  for (const t of output.tokens) {
    if (!input.tokens.has(t) && t !== 'SSS' && t !== 'ss' && t !== 'mm' && t !== 'HH') {
      throw new Error(`date out '${out}' uses ${t}, which the input format '${spec.in}' does not have`);
    }
  }
  const scratch: DateFields = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, millis: 0 };
  return (text) => output.format(input.parseInto(text, scratch));
}
