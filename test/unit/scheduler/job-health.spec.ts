import { expect } from 'chai';
import { jobHealth, jobMetrics, periodMs } from '../../../scheduler/job-health';
import { JobSchedule } from '../../../scheduler/job-store';

const schedule = (over: Partial<JobSchedule> = {}): JobSchedule => ({
  job: 'roll-up',
  cron: '0 * * * *',
  timeZone: 'Asia/Shanghai',
  paused: false,
  leaseMs: 60000,
  maxAttempts: 3,
  backoffMs: 1000,
  missed: 'skip',
  params: {},
  updatedAt: '2026-12-04T00:00:00Z',
  ...over,
});
const now = Date.parse('2026-12-04T10:00:00Z');
const status = (lastOkAt: string | null) => ({ job: 'roll-up', lastOkAt, lastError: 'boom', failures: 2, abandoned: 1, running: 0 });

describe('scheduler - job health and metrics', () => {
  it('knows a period from the cron expression', () => {
    expect(periodMs('0 * * * *', 'UTC')).to.equal(3_600_000);
    expect(periodMs('*/5 * * * * *', 'UTC')).to.equal(5000);
  });

  it('is up within twice the period of the last success, degraded beyond it with the last error', () => {
    expect(jobHealth(schedule(), status('2026-12-04T08:30:00Z'), null, now).status).to.equal('up');
    const h = jobHealth(schedule(), status('2026-12-04T07:59:00Z'), null, now);
    expect(h.status).to.equal('degraded');
    expect(h.detail).to.contain('last success 7260 s ago: more than twice its period (3600 s); last error: boom');
  });

  it('counts from when the schedule was set when the job never succeeded; disabled while paused; degraded when refused', () => {
    expect(jobHealth(schedule({ updatedAt: '2026-12-04T09:00:00Z' }), status(null), null, now).status).to.equal('up');
    expect(jobHealth(schedule(), status(null), null, now).detail).to.match(/^no success since the schedule was set 36000 s ago/);
    expect(jobHealth(schedule({ paused: true }), status(null), null, now).status).to.equal('disabled');
    expect(jobHealth(schedule(), status(null), "job 'roll-up': cron expression 'x' does not parse", now)).to.deep.equal({ status: 'degraded', detail: "job 'roll-up': cron expression 'x' does not parse" });
  });

  it('gives last success age, failures, abandoned runs and running now per job', () => {
    const m = Object.fromEntries(jobMetrics([status('2026-12-04T09:59:00Z')], now).map((x) => [x.name, x.values[0]]));
    expect(m['gridbus.job.last_success_age.seconds']).to.deep.equal({ labels: { job: 'roll-up' }, value: 60 });
    expect(m['gridbus.job.failures.total'].value).to.equal(2);
    expect(m['gridbus.job.abandoned.total'].value).to.equal(1);
    expect(m['gridbus.job.running'].value).to.equal(0);
  });
});
