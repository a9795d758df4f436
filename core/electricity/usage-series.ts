import { addDays, chinaToday, daysBetween, monthDays, monthOf, monthsBetween } from './calendar';
import { formatKwh, kwhUnits } from './kwh';

/**
 * Usage series for charts, from the daily frozen registers the collection
 * channel stores (meter_daily_reading). Usage over a span is the difference
 * of a register's readings at its two ends, summed over the account's
 * measuring points, in exact integer units (kwh.ts). A point that cannot be
 * computed is kept with null values and says why: charts show the gap.
 */

/** The four tariff registers r1..r4 of the daily freeze, in this order (DL/T 645: tariff 1 sharp, 2 peak, 3 flat, 4 valley). */
export const PERIODS = ['SHARP', 'PEAK', 'FLAT', 'VALLEY'] as const;
export type Period = (typeof PERIODS)[number];

/** One stored daily reading (numeric text as PostgreSQL returns it). */
export interface RegisterReading {
  meterPointId: string;
  /** yyyy-MM-dd */
  date: string;
  total: string | null;
  /** r1..r4 */
  registers: ReadonlyArray<string | null>;
}

/**
 * OK: computed. NO_READING: a reading at one end is missing for some measuring point.
 * REGISTER_WENT_BACK: the total register is lower at the end than at the start (meter replaced or reset): not a usage.
 */
export type PointStatus = 'OK' | 'NO_READING' | 'REGISTER_WENT_BACK';

export interface UsagePoint {
  kWh: string | null;
  periods: Record<Period, string | null>;
  status: PointStatus;
}

export interface DailyPoint extends UsagePoint {
  date: string;
}

export interface MonthlyPoint extends UsagePoint {
  month: string;
  /** The last day the value covers: the month's last day, or the latest reading of the month still running. */
  throughDate: string | null;
}

type Index = Map<string, Map<string, RegisterReading>>;

function index(readings: readonly RegisterReading[]): Index {
  const byPoint: Index = new Map();
  for (const r of readings) {
    if (!byPoint.has(r.meterPointId)) byPoint.set(r.meterPointId, new Map());
    byPoint.get(r.meterPointId)!.set(r.date, r);
  }
  return byPoint;
}

const emptyPeriods = (): Record<Period, string | null> => ({ SHARP: null, PEAK: null, FLAT: null, VALLEY: null });
const gap = (status: PointStatus): UsagePoint => ({ kWh: null, periods: emptyPeriods(), status });

/**
 * Usage between the readings of `startDay` and `endDay` (per point, then
 * summed). The total needs both readings of every measuring point; a tariff
 * register is null when any point lacks it at either end (the total stands).
 */
function usageBetween(points: Index, startDay: string, endDay: string): UsagePoint {
  if (!points.size) return gap('NO_READING');
  let total = 0n;
  const periods: Array<bigint | null> = PERIODS.map(() => 0n);
  for (const days of points.values()) {
    const start = days.get(startDay);
    const end = days.get(endDay);
    if (!start?.total || !end?.total) return gap('NO_READING');
    const used = kwhUnits(end.total) - kwhUnits(start.total);
    if (used < 0n) return gap('REGISTER_WENT_BACK');
    total += used;
    PERIODS.forEach((_, i) => {
      const a = start.registers[i];
      const b = end.registers[i];
      const prior = periods[i];
      periods[i] = prior === null || a == null || b == null || kwhUnits(b) < kwhUnits(a) ? null : prior + kwhUnits(b) - kwhUnits(a);
    });
  }
  return {
    kWh: formatKwh(total),
    periods: Object.fromEntries(PERIODS.map((p, i) => [p, periods[i] === null ? null : formatKwh(periods[i]!)])) as Record<Period, string | null>,
    status: 'OK',
  };
}

/**
 * Daily usage from..to: day d = reading(d) − reading(d − 1). `readings` hold
 * the account's readings of from − 1 .. to. Every day of the range has a point.
 */
export function dailySeries(readings: readonly RegisterReading[], from: string, to: string): DailyPoint[] {
  const points = index(readings);
  return daysBetween(from, to).map((date) => ({ date, ...usageBetween(points, addDays(date, -1), date) }));
}

/**
 * Monthly usage from..to (yyyyMM): reading(last day of the month) −
 * reading(last day of the month before). For the month still running the end
 * is its latest reading up to `today`; a month not begun yet is a gap.
 * `readings` hold the last day of the month before `from` .. the last day of `to`.
 */
export function monthlySeries(readings: readonly RegisterReading[], from: string, to: string, today: string = chinaToday()): MonthlyPoint[] {
  const points = index(readings);
  const current = monthOf(today);
  return monthsBetween(from, to).map((month) => {
    const { first, last } = monthDays(month);
    const start = addDays(first, -1);
    if (month > current) return { month, throughDate: null, ...gap('NO_READING') };
    if (month < current) {
      const usage = usageBetween(points, start, last);
      return { month, throughDate: usage.status === 'OK' ? last : null, ...usage };
    }
    // the running month: up to the latest day every measuring point has a reading for
    const latest = latestCommonDay(points, first, today < last ? today : last);
    if (!latest) return { month, throughDate: null, ...gap('NO_READING') };
    const usage = usageBetween(points, start, latest);
    return { month, throughDate: usage.status === 'OK' ? latest : null, ...usage };
  });
}

/** The latest day in first..last on which every measuring point has a total reading. */
function latestCommonDay(points: Index, first: string, last: string): string | null {
  for (let d = last; d >= first; d = addDays(d, -1)) {
    if ([...points.values()].every((days) => days.get(d)?.total)) return d;
  }
  return null;
}

/** The reading days a monthly series from..to needs (for the store's query). */
export function monthlyReadingSpan(from: string, to: string): { first: string; last: string } {
  return { first: addDays(monthDays(from).first, -1), last: monthDays(to).last };
}

/** The reading days a daily series from..to needs. */
export function dailyReadingSpan(from: string, to: string): { first: string; last: string } {
  return { first: addDays(from, -1), last: to };
}
