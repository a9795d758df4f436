/**
 * Dates as back offices write them: patterns of yyyy MM dd HH mm ss SSS with
 * literal separators, ISO 8601, or epoch numbers; local times are read in a
 * named time zone (Asia/Shanghai unless said otherwise). Patterns compile once.
 */
export type DateInput = string; // 'iso' | 'epochMillis' | 'epochSeconds' | a pattern
export const DEFAULT_TZ = 'Asia/Shanghai';

const TOKENS = ['yyyy', 'SSS', 'MM', 'dd', 'HH', 'mm', 'ss'] as const;
type Token = (typeof TOKENS)[number];
type Part = { token: Token; width: number } | { literal: string };

export class DateFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DateFormatError';
  }
}

function tokenize(pattern: string): Part[] {
  const parts: Part[] = [];
  let i = 0;
  while (i < pattern.length) {
    const token = TOKENS.find((t) => pattern.startsWith(t, i));
    if (token) {
      parts.push({ token, width: token.length });
      i += token.length;
    } else {
      const last = parts[parts.length - 1];
      if (last && 'literal' in last) last.literal += pattern[i];
      else parts.push({ literal: pattern[i] });
      i++;
    }
  }
  if (!parts.some((p) => 'token' in p && p.token === 'yyyy')) throw new DateFormatError(`date pattern '${pattern}' has no yyyy`);
  return parts;
}

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/** Offset of `tz` from UTC at the given instant, in minutes. */
export function tzOffsetMinutes(tz: string, at: number): number {
  let f = offsetFormatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    offsetFormatters.set(tz, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(at)).map((x) => [x.type, x.value]));
  const asUtc = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  return Math.round((asUtc - Math.floor(at / 1000) * 1000) / 60000);
}

export function assertTimeZone(tz: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    throw new DateFormatError(`'${tz}' is not a known time zone`);
  }
}

/** Compiles a reader turning text in `input` form into epoch milliseconds. */
export function compileDateReader(input: DateInput, tz = DEFAULT_TZ): (value: unknown) => number {
  assertTimeZone(tz);
  if (input === 'iso') {
    return (v) => {
      const s = String(v);
      if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(s)) throw new DateFormatError(`${JSON.stringify(v)} is not an ISO 8601 date`);
      const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(s);
      const ms = Date.parse(hasZone ? s : `${s.replace(' ', 'T')}${s.length === 10 ? 'T00:00:00' : ''}Z`);
      if (Number.isNaN(ms)) throw new DateFormatError(`${JSON.stringify(v)} is not a valid date`);
      return hasZone ? ms : ms - tzOffsetMinutes(tz, ms) * 60000;
    };
  }
  if (input === 'epochMillis' || input === 'epochSeconds') {
    const factor = input === 'epochSeconds' ? 1000 : 1;
    return (v) => {
      const n = typeof v === 'number' ? v : Number(String(v));
      if (!Number.isFinite(n)) throw new DateFormatError(`${JSON.stringify(v)} is not an epoch number`);
      return n * factor;
    };
  }
  const parts = tokenize(input);
  const width = parts.reduce((w, p) => w + ('token' in p ? p.width : p.literal.length), 0);
  return (v) => {
    const s = String(v);
    if (s.length !== width) throw new DateFormatError(`${JSON.stringify(v)} does not match the date pattern ${input}`);
    const f: Record<Token, number> = { yyyy: 0, MM: 1, dd: 1, HH: 0, mm: 0, ss: 0, SSS: 0 };
    let pos = 0;
    for (const p of parts) {
      if ('literal' in p) {
        if (s.substr(pos, p.literal.length) !== p.literal) throw new DateFormatError(`${JSON.stringify(v)} does not match the date pattern ${input}`);
        pos += p.literal.length;
      } else {
        const text = s.substr(pos, p.width);
        if (!/^\d+$/.test(text)) throw new DateFormatError(`${JSON.stringify(v)} does not match the date pattern ${input}`);
        f[p.token] = Number(text);
        pos += p.width;
      }
    }
    if (f.MM < 1 || f.MM > 12 || f.dd < 1 || f.dd > 31 || f.HH > 23 || f.mm > 59 || f.ss > 59) throw new DateFormatError(`${JSON.stringify(v)} is not a valid date for ${input}`);
    const local = Date.UTC(f.yyyy, f.MM - 1, f.dd, f.HH, f.mm, f.ss, f.SSS);
    if (new Date(local).getUTCDate() !== f.dd) throw new DateFormatError(`${JSON.stringify(v)} is not a valid date for ${input}`);
    // First guess with the offset at that wall time, then correct once (DST edges).
    let utc = local - tzOffsetMinutes(tz, local) * 60000;
    utc = local - tzOffsetMinutes(tz, utc) * 60000;
    return utc;
  };
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/** Compiles a writer of epoch milliseconds into `output` form in `tz`. */
export function compileDateWriter(output: string, tz = DEFAULT_TZ): (ms: number) => string | number {
  assertTimeZone(tz);
  if (output === 'epochMillis') return (ms) => ms;
  if (output === 'epochSeconds') return (ms) => Math.floor(ms / 1000);
  if (output === 'iso') {
    return (ms) => {
      const off = tzOffsetMinutes(tz, ms);
      const d = new Date(ms + off * 60000);
      const sign = off >= 0 ? '+' : '-';
      const a = Math.abs(off);
      const zone = off === 0 && tz === 'UTC' ? 'Z' : `${sign}${pad(Math.floor(a / 60), 2)}:${pad(a % 60, 2)}`;
      return `${d.toISOString().slice(0, 19)}${zone}`;
    };
  }
  const parts = tokenize(output);
  return (ms) => {
    const d = new Date(ms + tzOffsetMinutes(tz, ms) * 60000);
    const values: Record<Token, number> = {
      yyyy: d.getUTCFullYear(), MM: d.getUTCMonth() + 1, dd: d.getUTCDate(),
      HH: d.getUTCHours(), mm: d.getUTCMinutes(), ss: d.getUTCSeconds(), SSS: d.getUTCMilliseconds(),
    };
    return parts.map((p) => ('literal' in p ? p.literal : pad(values[p.token], p.width))).join('');
  };
}
