import * as cron from 'node-cron';

/** How far back a missed instant is looked for: minutes for 5-field expressions, seconds for 6-field ones. */
const LOOK_BACK = { minute: { stepMs: 60_000, windowMs: 35 * 86_400_000 }, second: { stepMs: 1000, windowMs: 6 * 3_600_000 } };

/**
 * The newest instant of the schedule after `lastTaken` and before `now`
 * (less a second: the current tick is not missed), or null. Nothing is
 * missed by a job that never ran (a fresh install does not run every job at
 * once). The look-back is bounded (35 days, 6 hours for per-second schedules).
 */
export function lastMissedInstant(expression: string, timeZone: string, lastTaken: Date | null, now: Date): Date | null {
  if (!lastTaken) return null;
  const granularity = expression.trim().split(/\s+/).length === 6 ? LOOK_BACK.second : LOOK_BACK.minute;
  const task = cron.createTask(expression, () => undefined, { timezone: timeZone });
  try {
    const end = Math.floor((now.getTime() - 1000) / granularity.stepMs) * granularity.stepMs;
    const start = Math.max(lastTaken.getTime() + 1, now.getTime() - granularity.windowMs);
    for (let t = end; t >= start; t -= granularity.stepMs) {
      if (task.match(new Date(t))) return new Date(t);
    }
    return null;
  } finally {
    void task.destroy();
  }
}
