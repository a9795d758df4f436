import * as cron from 'node-cron';
import type { DependencyHealth } from '../core/health';
import type { MetricSnapshot } from '../core/metrics/listed-metrics';
import type { JobSchedule, JobStatus } from './job-store';

/** The gap between the next two instants of a schedule, in ms (a job's period; null when it has none). */
export function periodMs(expression: string, timeZone: string): number | null {
  const task = cron.createTask(expression, () => undefined, { timezone: timeZone });
  try {
    const [a, b] = task.getNextRuns(2);
    return a && b ? b.getTime() - a.getTime() : null;
  } finally {
    void task.destroy();
  }
}

/**
 * A job's health: degraded when it has not succeeded within twice its period
 * (counted from its last success, else from when its schedule was last set or
 * resumed) or its schedule was refused; disabled while paused.
 */
export function jobHealth(schedule: JobSchedule, status: JobStatus | undefined, invalid: string | null, now = Date.now()): DependencyHealth {
  if (invalid) return { status: 'degraded', detail: invalid };
  if (schedule.paused) return { status: 'disabled', detail: 'paused' };
  const period = periodMs(schedule.cron, schedule.timeZone);
  const since = status?.lastOkAt ? new Date(status.lastOkAt).getTime() : new Date(schedule.updatedAt).getTime();
  const ageS = Math.round((now - since) / 1000);
  const what = status?.lastOkAt ? `last success ${ageS} s ago` : `no success since the schedule was set ${ageS} s ago`;
  const running = status?.running ? `, running now` : '';
  if (period !== null && now - since > 2 * period) {
    return { status: 'degraded', detail: `${what}: more than twice its period (${Math.round(period / 1000)} s)${status?.lastError ? `; last error: ${status.lastError}` : ''}${running}` };
  }
  return { status: 'up', detail: `${what}${running}` };
}

const series = (name: string, type: string, description: string, values: Array<{ job: string; value: number }>): MetricSnapshot => ({
  name,
  type,
  description,
  values: values.map((v) => ({ labels: { job: v.job }, value: v.value })),
});

/** Per job, cluster-wide (read from job_run): last success age, failed runs, runs in progress. */
export function jobMetrics(statuses: JobStatus[], now = Date.now()): MetricSnapshot[] {
  return [
    series(
      'gridbus.job.last_success_age.seconds',
      'gauge',
      'Seconds since the job last succeeded (-1: never)',
      statuses.map((s) => ({ job: s.job, value: s.lastOkAt ? (now - new Date(s.lastOkAt).getTime()) / 1000 : -1 })),
    ),
    series('gridbus.job.failures.total', 'counter', 'Failed runs of the job (each attempt)', statuses.map((s) => ({ job: s.job, value: s.failures }))),
    series('gridbus.job.abandoned.total', 'counter', 'Runs of the job abandoned by a node that stopped renewing its lease', statuses.map((s) => ({ job: s.job, value: s.abandoned }))),
    series('gridbus.job.running', 'gauge', 'Runs of the job in progress now', statuses.map((s) => ({ job: s.job, value: s.running }))),
  ];
}
