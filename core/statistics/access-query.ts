import { GridbusError } from '../errors';
import { isTimeZone } from '../mapping/date-format';
import { AccessGroupBy, AccessQuery } from './access-event-store';

export const ACCESS_GROUP_BY: readonly AccessGroupBy[] = ['function', 'hour', 'day', 'outcome'];
export const MAX_RANGE_DAYS = 31;

/** A date, or a date and time with its offset (`Z` or `+08:00`): never a local time that depends on the server. */
export const ISO_INSTANT = '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2}))?$';

type Problem = { type: string; field: string; message: string; actual?: unknown };

function refuse(problem: Problem): never {
  throw new GridbusError('VALIDATION_FAILED', problem.message, { details: { problems: [problem] } });
}

function instant(field: 'from' | 'to', value: string): Date {
  const d = new Date(value);
  // Date takes 2026-02-31 for 3 March: the calendar day must read back as written
  const day = value.slice(0, 10);
  if (Number.isNaN(d.getTime()) || new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) !== day) {
    refuse({ type: 'date', field, message: `'${field}' is not a valid date: ${value}`, actual: value });
  }
  return d;
}

/**
 * The checks the action's parameter schema cannot make: real dates, `from`
 * before `to`, at most MAX_RANGE_DAYS between them, a known time zone.
 * Every refusal is 422 VALIDATION_FAILED with `details.problems`, as the
 * schema's own refusals are.
 */
export function parseAccessQuery(params: { from: string; to: string; groupBy?: AccessGroupBy; tz?: string }): AccessQuery {
  const from = instant('from', params.from);
  const to = instant('to', params.to);
  if (from.getTime() >= to.getTime()) refuse({ type: 'dateRange', field: 'to', message: `'to' must be after 'from'`, actual: params.to });
  if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * 86_400_000) {
    refuse({ type: 'dateRangeTooLong', field: 'to', message: `from 'from' to 'to' is at most ${MAX_RANGE_DAYS} days`, actual: params.to });
  }
  const timeZone = params.tz ?? 'UTC';
  if (!isTimeZone(timeZone)) refuse({ type: 'timeZone', field: 'tz', message: `'tz' is not a known time zone: ${timeZone}`, actual: timeZone });
  return { from, to, groupBy: params.groupBy ?? 'function', timeZone };
}
