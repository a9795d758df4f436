import { expect } from 'chai';
import { GridbusError } from '../../../core/errors';
import { JobRegistry } from '../../../scheduler/registry';
import { instantOf, validateSchedule } from '../../../scheduler/schedule';
import { JOB_KINDS } from '../../../scheduler/jobs';

describe('scheduler - schedules and the job registry', () => {
  it('accepts 5- and 6-field cron expressions in an IANA zone', () => {
    validateSchedule('a', '0 3 * * *', 'Asia/Shanghai');
    validateSchedule('a', '*/2 * * * * *', 'UTC');
  });

  it('refuses a cron expression that does not parse with JOB_SCHEDULE_INVALID naming the job', () => {
    try {
      validateSchedule('retention', '61 * * * *', 'Asia/Shanghai');
      expect.fail('accepted');
    } catch (err) {
      expect(err).to.be.instanceOf(GridbusError);
      expect((err as GridbusError).errorCode).to.equal('JOB_SCHEDULE_INVALID');
      expect((err as Error).message).to.match(/job 'retention': cron expression '61 \* \* \* \*' does not parse/);
    }
  });

  it('refuses an unknown time zone naming the job', () => {
    expect(() => validateSchedule('x', '0 3 * * *', 'Mars/Olympus')).to.throw(/job 'x': time zone 'Mars\/Olympus'/);
  });

  it('refuses a duplicate kind and answers JOB_NOT_FOUND for an unknown job', () => {
    const reg = new JobRegistry(JOB_KINDS);
    expect(() => reg.register(JOB_KINDS[0])).to.throw(/registered twice/);
    expect(() => reg.get('nope')).to.throw(GridbusError).with.property('errorCode', 'JOB_NOT_FOUND');
  });

  it('names an instant to the second, the same on every node', () => {
    expect(instantOf(new Date('2026-12-04T10:00:02.731Z')).toISOString()).to.equal('2026-12-04T10:00:02.000Z');
  });
});
