import { GridbusError } from '../errors';

/**
 * Calendar days and months as the household sees them (China Standard Time,
 * the zone the marketing and collection systems date in), and the bounded
 * ranges the usage and payment routes accept.
 */
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH = /^(\d{4})(\d{2})$/;
const DAY_MS = 86_400_000;

/** Today's date (yyyy-MM-dd) in China Standard Time. */
export function chinaToday(now: Date = new Date()): string {
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

function dayMs(day: string): number | null {
  const m = DAY.exec(day);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  // 2026-02-30 rolls over to March: not a calendar day
  return new Date(ms).toISOString().slice(0, 10) === day ? ms : null;
}

export function isDay(day: string): boolean {
  return dayMs(day) !== null;
}

export function isMonth(month: string): boolean {
  const m = MONTH.exec(month);
  return !!m && Number(m[2]) >= 1 && Number(m[2]) <= 12;
}

export function addDays(day: string, n: number): string {
  const ms = dayMs(day);
  if (ms === null) throw new Error(`not a day: ${day}`);
  return new Date(ms + n * DAY_MS).toISOString().slice(0, 10);
}

export function addMonths(month: string, n: number): string {
  const index = Number(month.slice(0, 4)) * 12 + Number(month.slice(4, 6)) - 1 + n;
  return `${String(Math.floor(index / 12)).padStart(4, '0')}${String((index % 12) + 1).padStart(2, '0')}`;
}

/** The days from..to, both included. */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

/** The months from..to (yyyyMM), both included. */
export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let m = from; m <= to; m = addMonths(m, 1)) out.push(m);
  return out;
}

/** yyyyMM -> its first and last day (yyyy-MM-dd). */
export function monthDays(month: string): { first: string; last: string } {
  const next = addMonths(month, 1);
  return { first: `${month.slice(0, 4)}-${month.slice(4, 6)}-01`, last: addDays(`${next.slice(0, 4)}-${next.slice(4, 6)}-01`, -1) };
}

/** The month (yyyyMM) of a day (yyyy-MM-dd). */
export const monthOf = (day: string): string => `${day.slice(0, 4)}${day.slice(5, 7)}`;

function invalid(field: string, type: string, message: string): GridbusError {
  return new GridbusError('VALIDATION_FAILED', message, { details: { problems: [{ field, type, message }] } });
}

export const MAX_DAYS = 366;
export const MAX_MONTHS = 36;

/** A month (yyyyMM) that exists; VALIDATION_FAILED naming `field` otherwise. */
export function checkMonth(field: string, month: string): string {
  if (!isMonth(month)) return fail(invalid(field, 'month', `${field} must be a month yyyyMM (got ${JSON.stringify(month)})`));
  return month;
}

/** A day range from..to (yyyy-MM-dd), from <= to, at most `maxDays` days; VALIDATION_FAILED naming the field otherwise. */
export function checkDayRange(from: string, to: string, maxDays = MAX_DAYS): { from: string; to: string } {
  if (!isDay(from)) return fail(invalid('from', 'date', `from must be a calendar day yyyy-MM-dd (got ${JSON.stringify(from)})`));
  if (!isDay(to)) return fail(invalid('to', 'date', `to must be a calendar day yyyy-MM-dd (got ${JSON.stringify(to)})`));
  if (from > to) return fail(invalid('from', 'range', `from (${from}) must not be after to (${to})`));
  const days = daysBetween(from, to).length;
  if (days > maxDays) return fail(invalid('to', 'range', `a range covers at most ${maxDays} days; ${from}..${to} covers ${days}`));
  return { from, to };
}

/** A month range from..to (yyyyMM), from <= to, at most `maxMonths` months. */
export function checkMonthRange(from: string, to: string, maxMonths = MAX_MONTHS): { from: string; to: string } {
  checkMonth('from', from);
  checkMonth('to', to);
  if (from > to) return fail(invalid('from', 'range', `from (${from}) must not be after to (${to})`));
  const months = monthsBetween(from, to).length;
  if (months > maxMonths) return fail(invalid('to', 'range', `a range covers at most ${maxMonths} months; ${from}..${to} covers ${months}`));
  return { from, to };
}

function fail(err: GridbusError): never {
  throw err;
}
