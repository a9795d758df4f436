/**
 * Dates as back offices write them: patterns of yyyy MM dd HH mm ss SSS with
 * literal separators, ISO 8601, or epoch numbers; local times are read in a
 * named time zone (Asia/Shanghai unless said otherwise). Patterns compile once.
 */
export type DateInput = string; // 'iso' | 'epochMillis' | 'epochSeconds' | a pattern
export const DEFAULT_TZ = 'Asia/Shanghai';

const TOKENS = ['yyyy', 'SSS', 'MM', 'dd', 'HH', 'mm', 'ss'] as const;
export type Token = (typeof TOKENS)[number];
export type Part = { token: Token; width: number } | { literal: string };

export class DateFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DateFormatError';
  }
}

export function tokenize(pattern: string): Part[] {
  const parts = splitPattern(pattern);
  if (!parts.some((p) => 'token' in p && p.token === 'yyyy')) throw new DateFormatError(`date pattern '${pattern}' has no yyyy`);
  return parts;
}

function splitPattern(pattern: string): Part[] {
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
  return parts;
}

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

const HOUR = 3_600_000;
const offsetCache = new Map<string, Map<number, number>>();

/**
 * Offset of `tz` from UTC at the given instant, in minutes. Intl is slow
 * (microseconds a call), so offsets are cached per zone and UTC hour: zone
 * transitions fall on hour boundaries in practice.
 */
export function tzOffsetMinutes(tz: string, at: number): number {
  let cache = offsetCache.get(tz);
  if (!cache) offsetCache.set(tz, (cache = new Map()));
  const hour = Math.floor(at / HOUR);
  let offset = cache.get(hour);
  if (offset === undefined) {
    if (cache.size > 50_000) cache.clear();
    offset = intlOffsetMinutes(tz, hour * HOUR);
    cache.set(hour, offset);
  }
  return offset;
}

function intlOffsetMinutes(tz: string, at: number): number {
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
  if (!isTimeZone(tz)) throw new DateFormatError(`'${tz}' is not a known time zone`);
}

/** An IANA time zone this Node.js knows (Asia/Shanghai, UTC, ...). */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
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
  const reader = compileFieldReader(input);
  return (v) => {
    const f = reader(v);
    const local = Date.UTC(f[Y], f[MO] - 1, f[D], f[H], f[MI], f[S], f[MS]);
    // Offset at the wall time as a first guess; correct once if it differs at the result (DST edges).
    const guess = local - tzOffsetMinutes(tz, local) * 60000;
    const off = tzOffsetMinutes(tz, guess);
    return local - off * 60000;
  };
}

/** Calendar fields in a small reused array (slots below): no object per date. */
type Fields = Int32Array;
const Y = 0, MO = 1, D = 2, H = 3, MI = 4, S = 5, MS = 6;
const SLOT: Record<Token, number> = { yyyy: Y, MM: MO, dd: D, HH: H, mm: MI, ss: S, SSS: MS };
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/**
 * Reads pattern text into calendar fields by fixed positions and char codes
 * (no substrings or regexes per call: this runs for every date of every
 * record). The returned array is reused by the next call: read it at once.
 */
function compileFieldReader(pattern: string): (v: unknown) => Fields {
  const codes: number[] = []; // per position: a literal char code, or -1 for a digit
  const slots: number[] = []; // per position: the field slot of a digit
  for (const p of tokenize(pattern)) {
    if ('literal' in p) {
      for (let i = 0; i < p.literal.length; i++) {
        codes.push(p.literal.charCodeAt(i));
        slots.push(-1);
      }
    } else {
      for (let i = 0; i < p.width; i++) {
        codes.push(-1);
        slots.push(SLOT[p.token]);
      }
    }
  }
  const width = codes.length;
  const f = new Int32Array(7);
  const fail = (v: unknown, why: string): never => {
    throw new DateFormatError(`${JSON.stringify(v)} ${why} ${pattern}`);
  };
  return (v) => {
    const s = typeof v === 'string' ? v : String(v);
    if (s.length !== width) fail(v, 'does not match the date pattern');
    f.fill(0);
    f[MO] = 1;
    f[D] = 1;
    let slot = -1;
    for (let i = 0; i < width; i++) {
      const c = s.charCodeAt(i);
      const want = codes[i];
      if (want >= 0) {
        if (c !== want) fail(v, 'does not match the date pattern');
        continue;
      }
      const digit = c - 48;
      if (digit < 0 || digit > 9) fail(v, 'does not match the date pattern');
      const next = slots[i];
      if (next !== slot) {
        slot = next;
        f[slot] = 0;
      }
      f[slot] = f[slot] * 10 + digit;
    }
    const month = f[MO];
    const maxDay = month === 2 && isLeap(f[Y]) ? 29 : DAYS[month - 1];
    if (month < 1 || month > 12 || f[D] < 1 || f[D] > maxDay || f[H] > 23 || f[MI] > 59 || f[S] > 59) fail(v, 'is not a valid date for');
    return f;
  };
}

/** Two-digit strings, so writers need no padStart per field. */
const TWO = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : String(i)));

const civil = new Int32Array(7);

/** Civil date and time of a UTC-shifted epoch, without a Date object (into a reused array). */
function fieldsOf(ms: number): Fields {
  const days = Math.floor(ms / 86_400_000);
  let rem = ms - days * 86_400_000;
  // Howard Hinnant's civil_from_days.
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const m = mp < 10 ? mp + 3 : mp - 9;
  civil[Y] = yoe + era * 400 + (m <= 2 ? 1 : 0);
  civil[MO] = m;
  civil[D] = doy - Math.floor((153 * mp + 2) / 5) + 1;
  civil[H] = Math.floor(rem / 3_600_000);
  rem -= civil[H] * 3_600_000;
  civil[MI] = Math.floor(rem / 60_000);
  rem -= civil[MI] * 60_000;
  civil[S] = Math.floor(rem / 1000);
  civil[MS] = rem - civil[S] * 1000;
  return civil;
}

function writeFields(parts: Part[], f: Fields): string {
  let out = '';
  for (const p of parts) {
    if ('literal' in p) out += p.literal;
    else if (p.width === 2) out += TWO[f[SLOT[p.token]]];
    else out += String(f[SLOT[p.token]]).padStart(p.width, '0');
  }
  return out;
}

/**
 * Re-formats pattern text to another pattern in the same zone by moving
 * calendar fields, with no trip through epoch time (e.g. yyyy-MM → yyyyMM).
 */
export function compileDateReformat(input: string, output: string): ((v: unknown) => string) | null {
  if (['iso', 'epochMillis', 'epochSeconds'].includes(input) || ['iso', 'epochMillis', 'epochSeconds'].includes(output)) return null;
  const read = compileFieldReader(input);
  const parts = tokenize(output);
  return (v) => writeFields(parts, read(v));
}

/** Compiles a writer of epoch milliseconds into `output` form in `tz`. */
export function compileDateWriter(output: string, tz = DEFAULT_TZ): (ms: number) => string | number {
  assertTimeZone(tz);
  if (output === 'epochMillis') return (ms) => ms;
  if (output === 'epochSeconds') return (ms) => Math.floor(ms / 1000);
  if (output === 'iso') {
    const utcZ = tz === 'UTC';
    return (ms) => {
      const off = tzOffsetMinutes(tz, ms);
      const f = fieldsOf(ms + off * 60000);
      const a = Math.abs(off);
      const zone = off === 0 && utcZ ? 'Z' : `${off >= 0 ? '+' : '-'}${TWO[Math.floor(a / 60)]}:${TWO[a % 60]}`;
      return `${f[Y]}-${TWO[f[MO]]}-${TWO[f[D]]}T${TWO[f[H]]}:${TWO[f[MI]]}:${TWO[f[S]]}${zone}`;
    };
  }
  const parts = tokenize(output);
  return (ms) => writeFields(parts, fieldsOf(ms + tzOffsetMinutes(tz, ms) * 60000));
}

/** Letters that are not tokens here, with what was probably meant. */
const MEANT: Record<string, string> = {
  hh: 'HH (hour 00-23; a 12-hour clock is not read)',
  h: 'HH (hour 00-23)',
  H: 'HH (hour, two digits)',
  YYYY: 'yyyy (year)',
  Y: 'yyyy (year)',
  yy: 'yyyy (a four-digit year)',
  y: 'yyyy (year)',
  DD: 'dd (day of month)',
  D: 'dd (day of month)',
  d: 'dd (day, two digits)',
  M: 'MM (month, two digits)',
  m: 'mm (minutes, two digits)',
  s: 'ss (seconds, two digits)',
  SS: 'ss (seconds) or SSS (milliseconds)',
  S: 'SSS (milliseconds)',
  a: 'HH without a (hour 00-23; am/pm is not read)',
};

/**
 * What is wrong with a date pattern of a definition (`in` or `out`), or
 * undefined: letters that are no token (`hh`, `YYYY`), a token twice, no
 * yyyy, and `mm` (minutes) in a pattern without hours, which is almost
 * always a month written in the wrong case (`yyyymm`).
 */
export function datePatternProblem(pattern: string): string | undefined {
  if (pattern === 'iso' || pattern === 'epochMillis' || pattern === 'epochSeconds') return undefined;
  const parts = splitPattern(pattern);
  const tokens = parts.flatMap((p) => ('token' in p ? [p.token] : []));
  for (const p of parts) {
    if (!('literal' in p)) continue;
    for (const run of p.literal.match(/[A-Za-z]+/g) ?? []) {
      if (run === 'T' || run === 'Z') continue; // literal separators of ISO-like text
      const meant = MEANT[run] ?? MEANT[run.slice(0, 2)] ?? MEANT[run[0]];
      return `date pattern '${pattern}' has '${run}', which is not a pattern letter${meant ? `: did you mean ${meant}?` : ''} (letters: yyyy MM dd HH mm ss SSS)`;
    }
  }
  const twice = tokens.find((t, i) => tokens.indexOf(t) !== i);
  if (twice) return `date pattern '${pattern}' has ${twice} twice${twice === 'MM' && !tokens.includes('mm') ? ': did you mean mm (minutes) for the second?' : ''}`;
  if (tokens.includes('mm') && !tokens.includes('HH') && !tokens.includes('MM')) {
    return `date pattern '${pattern}' has mm (minutes) but no hours or month: did you mean MM (month)?`;
  }
  if (!tokens.includes('yyyy')) return `date pattern '${pattern}' has no yyyy`;
  return undefined;
}
