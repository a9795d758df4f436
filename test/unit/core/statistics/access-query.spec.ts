import { expect } from 'chai';
import { GridbusError } from '../../../../core/errors';
import { parseAccessQuery } from '../../../../core/statistics';

function problemOf(fn: () => unknown): { type: string; field: string } {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(GridbusError);
    expect((err as GridbusError).errorCode).to.equal('VALIDATION_FAILED');
    return ((err as GridbusError).data as { problems: Array<{ type: string; field: string }> }).problems[0];
  }
  throw new Error('expected a refusal');
}

describe('core/statistics - access query', () => {
  it('reads dates and instants with their offset, groups by function in UTC by default', () => {
    const q = parseAccessQuery({ from: '2026-11-01', to: '2026-11-25T08:00:00+08:00' });
    expect(q.from.toISOString()).to.equal('2026-11-01T00:00:00.000Z');
    expect(q.to.toISOString()).to.equal('2026-11-25T00:00:00.000Z');
    expect(q).to.include({ groupBy: 'function', timeZone: 'UTC' });
    expect(parseAccessQuery({ from: '2026-11-01', to: '2026-11-02', groupBy: 'day', tz: 'Asia/Shanghai' })).to.include({ groupBy: 'day', timeZone: 'Asia/Shanghai' });
  });

  it('refuses days that do not exist, reversed or empty ranges, more than 31 days and unknown time zones', () => {
    expect(problemOf(() => parseAccessQuery({ from: '2026-02-31', to: '2026-03-05' }))).to.include({ type: 'date', field: 'from' });
    expect(problemOf(() => parseAccessQuery({ from: '2026-03-01', to: '2026-02-30T10:00:00Z' }))).to.include({ type: 'date', field: 'to' });
    expect(problemOf(() => parseAccessQuery({ from: '2026-03-02', to: '2026-03-01' }))).to.include({ type: 'dateRange', field: 'to' });
    expect(problemOf(() => parseAccessQuery({ from: '2026-03-01', to: '2026-03-01' }))).to.include({ type: 'dateRange' });
    expect(problemOf(() => parseAccessQuery({ from: '2026-01-01', to: '2026-02-01T00:00:01Z' }))).to.include({ type: 'dateRangeTooLong' });
    expect(parseAccessQuery({ from: '2026-01-01', to: '2026-02-01' }).to.toISOString()).to.equal('2026-02-01T00:00:00.000Z');
    expect(problemOf(() => parseAccessQuery({ from: '2026-03-01', to: '2026-03-02', tz: 'Mars/Olympus' }))).to.include({ type: 'timeZone', field: 'tz' });
  });
});
