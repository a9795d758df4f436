/**
 * `date:` conversions as generated source, for the common case of a pattern
 * read in one zone (`yyyyMMddHHmmss` → ISO, `yyyy-MM` → `yyyyMM`): the digits
 * are read by fixed positions into locals and written straight back, with the
 * same checks, wording and results as ../date-format (whose closures still
 * handle ISO and epoch input, zone changes and the rare edge cases).
 */
import { DEFAULT_TZ, Part, Token, tokenize, tzOffsetMinutes } from '../date-format';
import type { FieldSpecObject } from '../field-compiler';
import { SourceBuilder, stringLiteral } from './source';

const FORMS = ['iso', 'epochMillis', 'epochSeconds'];
const LOCAL: Record<Token, string> = { yyyy: 'y', MM: 'mo', dd: 'd', HH: 'h', mm: 'mi', ss: 's', SSS: 'ms' };
const HOUR = 3_600_000;

/** Two-digit strings (the writers of ../date-format use the same). */
export const TWO = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : String(i)));

const zoneCaches = new Map<string, (at: number) => number>();

/**
 * tzOffsetMinutes(tz, at) behind a small direct-mapped cache of UTC hours
 * (that function depends on the hour alone), so a date costs two array reads
 * instead of two Map lookups.
 */
export function zoneOffsets(tz: string): (at: number) => number {
  let offsets = zoneCaches.get(tz);
  if (offsets) return offsets;
  const hours = new Float64Array(1024).fill(NaN);
  const minutes = new Int32Array(1024);
  offsets = (at) => {
    const hour = Math.floor(at / HOUR);
    const slot = hour & 1023;
    if (hours[slot] === hour) return minutes[slot];
    const off = tzOffsetMinutes(tz, at);
    hours[slot] = hour;
    minutes[slot] = off;
    return off;
  };
  zoneCaches.set(tz, offsets);
  return offsets;
}

/** `+08:00` by offset minutes + 1440 (offsets lie within a day). */
const zoneTexts: Array<string | undefined> = new Array<string | undefined>(2881).fill(undefined);

/** `+08:00`, or `Z` for an offset of 0 written in the zone named UTC. */
export function isoZone(off: number, utc: boolean): string {
  if (off === 0 && utc) return 'Z';
  const index = off + 1440;
  const known = zoneTexts[index];
  if (known !== undefined) return known;
  const a = Math.abs(off);
  const text = `${off >= 0 ? '+' : '-'}${TWO[Math.floor(a / 60)]}:${TWO[a % 60]}`;
  if (index >= 0 && index < zoneTexts.length) zoneTexts[index] = text;
  return text;
}

/** Reads `pattern` text in `v` into the locals y mo d h mi s ms (Int32 fields, as the closure reader keeps them). */
function readFields(b: SourceBuilder, pattern: string, parts: Part[], v: string, field: string): void {
  const fail = (why: string) => `throw H.fieldError(${stringLiteral(field)}, JSON.stringify(${v}) + ${stringLiteral(` ${why} ${pattern}`)});`;
  const width = parts.reduce((n, p) => n + ('literal' in p ? p.literal.length : p.width), 0);
  b.line(`const t = typeof ${v} === 'string' ? ${v} : String(${v});`);
  b.line(`if (t.length !== ${width}) ${fail('does not match the date pattern')}`);
  b.line('let y = 0, mo = 1, d = 1, h = 0, mi = 0, s = 0, ms = 0, n;');
  let at = 0;
  let slot: string | undefined; // the field of the last digit read: a new field restarts at 0, literals in between do not
  for (const p of parts) {
    if ('literal' in p) {
      for (let i = 0; i < p.literal.length; i++, at++) b.line(`if (t.charCodeAt(${at}) !== ${p.literal.charCodeAt(i)}) ${fail('does not match the date pattern')}`);
      continue;
    }
    const local = LOCAL[p.token];
    for (let i = 0; i < p.width; i++, at++) {
      b.line(`n = t.charCodeAt(${at}) - 48; if (n < 0 || n > 9) ${fail('does not match the date pattern')}`);
      b.line(local === slot ? `${local} = (${local} * 10 + n) | 0;` : `${local} = n;`);
      slot = local;
    }
  }
  b.line('const maxDay = mo === 2 && ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0) ? 29 : H.daysInMonth[mo - 1];');
  b.line(`if (mo < 1 || mo > 12 || d < 1 || d > maxDay || h > 23 || mi > 59 || s > 59) ${fail('is not a valid date for')}`);
}

/** Source writing the locals in an output pattern. */
function writeFields(parts: Part[]): string {
  return parts
    .map((p) => {
      if ('literal' in p) return stringLiteral(p.literal);
      const local = LOCAL[p.token];
      if (p.width === 2) return `H.two[${local}]`;
      return `(${local} >= ${10 ** (p.width - 1)} ? '' + ${local} : String(${local}).padStart(${p.width}, '0'))`;
    })
    .join(' + ');
}

/**
 * Emits `v = <converted v>` for a date step, or returns false when this case
 * is left to the closure (ISO or epoch input, epoch output, a change of zone).
 * `convert` is the closure conversion, already compiled (and so validated).
 */
export function dateSource(b: SourceBuilder, date: NonNullable<FieldSpecObject['date']>, field: string, v: string, convert: string): boolean {
  const tz = date.tz ?? DEFAULT_TZ;
  const outTz = date.outTz ?? tz;
  const out = date.out ?? 'iso';
  if (FORMS.includes(date.in) || tz !== outTz || (out !== 'iso' && FORMS.includes(out))) return false;
  const inParts = tokenize(date.in);
  b.line('{');
  readFields(b, date.in, inParts, v, field);
  if (out !== 'iso') {
    // Same zone, pattern to pattern: the fields move as they are.
    b.line(`${v} = ${writeFields(tokenize(out))};`);
  } else {
    const zone = b.ref(zoneOffsets(tz));
    // Date.UTC reads years 0-99 as 1900-1999: those go to the closure, which does the same.
    b.line(`if (y < 100) ${v} = ${convert}(${v}); else {`);
    // Wall time as epoch ms by Hinnant's days_from_civil (what Date.UTC computes, without the builtin call).
    b.line('const ey = mo <= 2 ? y - 1 : y, era = Math.floor(ey / 400), yoe = ey - era * 400;');
    b.line('const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + Math.floor((153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5) + d - 1;');
    b.line('const local = (era * 146097 + doe - 719468) * 86400000 + h * 3600000 + mi * 60000 + s * 1000 + ms;');
    b.line(`const off1 = ${zone}(local);`);
    b.line(`const off2 = ${zone}(local - off1 * 60000);`);
    b.line('const at = local - off2 * 60000;');
    // At the instant found the zone has the offset used (no DST edge): the wall time written is the input's.
    b.line(`if (off2 === off1 || ${zone}(at) === off2) ${v} = y + '-' + H.two[mo] + '-' + H.two[d] + 'T' + H.two[h] + ':' + H.two[mi] + ':' + H.two[s] + H.isoZone(off2, ${tz === 'UTC'});`);
    b.line(`else ${v} = ${convert}(${v});`);
    b.line('}');
  }
  b.line('}');
  return true;
}
