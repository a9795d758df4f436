import * as cron from 'node-cron';
import { GridbusError } from '../core/errors';
import { DEFAULT_TZ, isTimeZone } from '../core/mapping/date-format';

export const DEFAULT_TIME_ZONE = DEFAULT_TZ;

/** Refuses a cron expression node-cron does not parse or an unknown time zone, naming the job. */
export function validateSchedule(job: string, expression: string, timeZone: string): void {
  const detail = cron.validateDetailed(expression);
  if (!detail.valid) {
    const why = detail.errors.map((e) => `${e.field}: ${e.message}`).join('; ') || 'not a cron expression';
    throw new GridbusError('JOB_SCHEDULE_INVALID', `job '${job}': cron expression '${expression}' does not parse (${why})`, {
      details: { job, cron: expression },
    });
  }
  if (!isTimeZone(timeZone)) {
    throw new GridbusError('JOB_SCHEDULE_INVALID', `job '${job}': time zone '${timeZone}' is not an IANA time zone`, { details: { job, timeZone } });
  }
}

/** The scheduled instant a tick stands for, to the second: every node computes the same one. */
export function instantOf(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}
