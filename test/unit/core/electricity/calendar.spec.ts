import { expect } from 'chai';
import { checkDayRange, checkMonth, checkMonthRange, chinaToday, daysBetween, monthDays, monthsBetween } from '../../../../core/electricity/calendar';
import { GridbusError } from '../../../../core/errors';

function refusal(fn: () => unknown): GridbusError {
  try {
    fn();
  } catch (err) {
    return err as GridbusError;
  }
  throw new Error('expected a refusal');
}

describe('electricity calendar - days, months and bounded ranges', () => {
  it('calendar - months and days include both ends, across year ends and leap days', () => {
    expect(monthsBetween('202511', '202602')).to.deep.equal(['202511', '202512', '202601', '202602']);
    expect(daysBetween('2024-02-28', '2024-03-01')).to.deep.equal(['2024-02-28', '2024-02-29', '2024-03-01']);
    expect(monthDays('202402')).to.deep.equal({ first: '2024-02-01', last: '2024-02-29' });
    expect(monthDays('202512')).to.deep.equal({ first: '2025-12-01', last: '2025-12-31' });
  });

  it('calendar - today is the date in China Standard Time', () => {
    expect(chinaToday(new Date('2026-03-01T16:30:00Z'))).to.equal('2026-03-02');
    expect(chinaToday(new Date('2026-03-01T15:59:59Z'))).to.equal('2026-03-01');
  });

  it('ranges - 366 days and 36 months pass; one more is VALIDATION_FAILED saying the limit', () => {
    expect(checkDayRange('2025-01-01', '2026-01-01')).to.deep.equal({ from: '2025-01-01', to: '2026-01-01' });
    const days = refusal(() => checkDayRange('2025-01-01', '2026-01-02'));
    expect(days.type).to.equal('VALIDATION_FAILED');
    expect(days.message).to.equal('a range covers at most 366 days; 2025-01-01..2026-01-02 covers 367');
    expect(checkMonthRange('202301', '202512')).to.deep.equal({ from: '202301', to: '202512' });
    const months = refusal(() => checkMonthRange('202301', '202601'));
    expect(months.message).to.equal('a range covers at most 36 months; 202301..202601 covers 37');
    expect((months.data as { problems: unknown[] }).problems).to.deep.equal([{ field: 'to', type: 'range', message: months.message }]);
  });

  it('ranges - not a calendar day or month, or from after to, names the field', () => {
    expect(refusal(() => checkDayRange('2026-02-30', '2026-03-01')).message).to.equal('from must be a calendar day yyyy-MM-dd (got "2026-02-30")');
    expect(refusal(() => checkDayRange('2026-03-01', '20260302')).message).to.equal('to must be a calendar day yyyy-MM-dd (got "20260302")');
    expect(refusal(() => checkMonthRange('202613', '202701')).message).to.equal('from must be a month yyyyMM (got "202613")');
    expect(refusal(() => checkMonth('billMonth', '202500')).message).to.equal('billMonth must be a month yyyyMM (got "202500")');
    expect(refusal(() => checkMonthRange('202603', '202601')).message).to.equal('from (202603) must not be after to (202601)');
  });
});
