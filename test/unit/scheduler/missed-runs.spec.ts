import { expect } from 'chai';
import { lastMissedInstant } from '../../../scheduler/missed-runs';

describe('scheduler - missed runs after downtime', () => {
  const now = new Date('2026-12-04T10:30:00Z'); // 18:30 in Shanghai

  it('finds the newest instant missed since the last one taken, in the job time zone', () => {
    // daily 03:00 Shanghai = 19:00Z the day before; last taken two days before
    const missed = lastMissedInstant('0 3 * * *', 'Asia/Shanghai', new Date('2026-12-01T19:00:00Z'), now);
    expect(missed?.toISOString()).to.equal('2026-12-03T19:00:00.000Z');
  });

  it('finds nothing when the last instant was taken, or the job never ran', () => {
    expect(lastMissedInstant('0 3 * * *', 'Asia/Shanghai', new Date('2026-12-03T19:00:00Z'), now)).to.equal(null);
    expect(lastMissedInstant('0 3 * * *', 'Asia/Shanghai', null, now)).to.equal(null);
  });

  it('works to the second for 6-field expressions, leaving out the current tick', () => {
    const missed = lastMissedInstant('*/10 * * * * *', 'UTC', new Date('2026-12-04T10:29:00Z'), new Date('2026-12-04T10:30:00.500Z'));
    expect(missed?.toISOString()).to.equal('2026-12-04T10:29:50.000Z');
  });
});
