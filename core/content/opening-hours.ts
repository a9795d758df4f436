import { GridbusError } from '../errors';

/** One opening interval: ISO weekday (1 Monday … 7 Sunday), local times `HH:mm` in Asia/Shanghai, opens < closes. */
export interface OpeningInterval {
  weekday: number;
  opens: string;
  closes: string;
}

const TIME = /^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$/;
export const OUTLET_TIME_ZONE = 'Asia/Shanghai';

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

function invalid(message: string): GridbusError {
  return new GridbusError('VALIDATION_FAILED', message, { details: { problems: [{ field: 'hours', type: 'openingHours', message }] } });
}

/** Checks and orders the intervals (by weekday, then opening time); overlapping intervals of one day are refused. */
export function normaliseHours(hours: OpeningInterval[]): OpeningInterval[] {
  for (const h of hours) {
    if (!Number.isInteger(h.weekday) || h.weekday < 1 || h.weekday > 7) throw invalid(`hours: weekday ${h.weekday} is not 1 (Monday) to 7 (Sunday)`);
    if (!TIME.test(h.opens) || !TIME.test(h.closes)) throw invalid(`hours: '${h.opens}'-'${h.closes}' are not both HH:mm`);
    if (minutes(h.opens) >= minutes(h.closes)) throw invalid(`hours: on weekday ${h.weekday} ${h.opens} is not before ${h.closes}`);
  }
  const sorted = [...hours].sort((a, b) => a.weekday - b.weekday || minutes(a.opens) - minutes(b.opens));
  for (let i = 1; i < sorted.length; i++) {
    const [a, b] = [sorted[i - 1], sorted[i]];
    if (a.weekday === b.weekday && minutes(b.opens) < minutes(a.closes)) throw invalid(`hours: on weekday ${a.weekday} ${a.opens}-${a.closes} and ${b.opens}-${b.closes} overlap`);
  }
  return sorted.map(({ weekday, opens, closes }) => ({ weekday, opens, closes }));
}

const LOCAL = new Intl.DateTimeFormat('en-GB', { timeZone: OUTLET_TIME_ZONE, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/** The weekday (1-7) and minute of the day of an instant in Asia/Shanghai, whatever the server's zone. */
export function shanghaiClock(at: Date): { weekday: number; minute: number } {
  const parts = Object.fromEntries(LOCAL.formatToParts(at).map((p) => [p.type, p.value]));
  return { weekday: WEEKDAYS[parts.weekday], minute: Number(parts.hour) * 60 + Number(parts.minute) };
}

/** Whether an outlet with these hours is open at `at` (opening minute included, closing minute excluded). */
export function isOpenAt(hours: readonly OpeningInterval[], at: Date): boolean {
  const { weekday, minute } = shanghaiClock(at);
  return hours.some((h) => h.weekday === weekday && minutes(h.opens) <= minute && minute < minutes(h.closes));
}
