import { expect } from 'chai';
import { isOpenAt, normaliseHours, shanghaiClock } from '../../../../core/content/opening-hours';

describe('content opening hours - per weekday in Asia/Shanghai time', () => {
  const hours = normaliseHours([
    { weekday: 1, opens: '13:30', closes: '17:30' },
    { weekday: 1, opens: '08:30', closes: '12:00' },
  ]);

  it('content opening hours - the clock of an instant is Beijing time whatever the server zone (UTC 2026-12-06 16:30 is Monday 00:30)', () => {
    expect(shanghaiClock(new Date('2026-12-06T16:30:00Z'))).to.deep.equal({ weekday: 1, minute: 30 });
    expect(shanghaiClock(new Date('2026-12-07T01:00:00Z'))).to.deep.equal({ weekday: 1, minute: 9 * 60 });
  });

  it('content opening hours - open from the opening minute up to, not including, the closing minute; closed over lunch and on other days', () => {
    const monday = (hhmm: string) => new Date(`2026-12-07T${hhmm}:00+08:00`);
    expect(isOpenAt(hours, monday('08:29'))).to.equal(false);
    expect(isOpenAt(hours, monday('08:30'))).to.equal(true);
    expect(isOpenAt(hours, monday('11:59'))).to.equal(true);
    expect(isOpenAt(hours, monday('12:00'))).to.equal(false);
    expect(isOpenAt(hours, monday('14:00'))).to.equal(true);
    expect(isOpenAt(hours, new Date('2026-12-08T09:00:00+08:00'))).to.equal(false);
    expect(isOpenAt([{ weekday: 7, opens: '00:00', closes: '24:00' }], new Date('2026-12-06T23:59:00+08:00'))).to.equal(true);
  });

  it('content opening hours - intervals are sorted by weekday and time', () => {
    expect(hours.map((h) => h.opens)).to.deep.equal(['08:30', '13:30']);
  });

  it('content opening hours - a bad weekday, a closing before the opening or overlapping intervals are refused as VALIDATION_FAILED on hours', () => {
    const refused = (h: Parameters<typeof normaliseHours>[0], pattern: RegExp) => {
      try {
        normaliseHours(h);
      } catch (err) {
        const e = err as Error & { type?: string; data?: { problems: Array<{ field: string }> } };
        expect(e.type).to.equal('VALIDATION_FAILED');
        expect(e.data?.problems[0].field).to.equal('hours');
        expect(e.message).to.match(pattern);
        return;
      }
      throw new Error('accepted');
    };
    refused([{ weekday: 8, opens: '08:00', closes: '09:00' }], /weekday 8/);
    refused([{ weekday: 1, opens: '17:00', closes: '08:00' }], /17:00 is not before 08:00/);
    refused([{ weekday: 2, opens: '08:00', closes: '12:00' }, { weekday: 2, opens: '11:00', closes: '13:00' }], /overlap/);
  });
});
