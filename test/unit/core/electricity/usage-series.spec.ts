import { expect } from 'chai';
import { dailySeries, monthlySeries, RegisterReading } from '../../../../core/electricity/usage-series';

const r = (meterPointId: string, date: string, total: string | null, registers: Array<string | null> = [null, null, null, null]): RegisterReading => ({ meterPointId, date, total, registers });

describe('electricity usage series - daily and monthly kWh from stored registers', () => {
  it('daily - a day is reading(d) − reading(d−1), exact to the fourth decimal where floats would drift', () => {
    const readings = [r('mp1', '2026-03-01', '100.1000'), r('mp1', '2026-03-02', '100.3000'), r('mp1', '2026-03-03', '100.6000')];
    const points = dailySeries(readings, '2026-03-02', '2026-03-03');
    // in floats 100.3 - 100.1 = 0.20000000000000284
    expect(points.map((p) => [p.date, p.kWh, p.status])).to.deep.equal([
      ['2026-03-02', '0.2', 'OK'],
      ['2026-03-03', '0.3', 'OK'],
    ]);
  });

  it('daily - tariff registers give kWh per period; a register missing at one end is null while the total stands', () => {
    const readings = [r('mp1', '2026-03-01', '10', ['1', '2', '3', '4']), r('mp1', '2026-03-02', '20.5', ['2.5', '5', '6', null])];
    const [point] = dailySeries(readings, '2026-03-02', '2026-03-02');
    expect(point).to.deep.equal({ date: '2026-03-02', kWh: '10.5', periods: { SHARP: '1.5', PEAK: '3', FLAT: '3', VALLEY: null }, status: 'OK' });
  });

  it('daily - a missing day is a null point, not skipped, and so is the day after it', () => {
    const readings = [r('mp1', '2026-03-01', '1'), r('mp1', '2026-03-02', '2'), r('mp1', '2026-03-04', '5'), r('mp1', '2026-03-05', '6')];
    const points = dailySeries(readings, '2026-03-02', '2026-03-05');
    expect(points.map((p) => [p.date, p.kWh, p.status])).to.deep.equal([
      ['2026-03-02', '1', 'OK'],
      ['2026-03-03', null, 'NO_READING'],
      ['2026-03-04', null, 'NO_READING'],
      ['2026-03-05', '1', 'OK'],
    ]);
    expect(points[1].periods).to.deep.equal({ SHARP: null, PEAK: null, FLAT: null, VALLEY: null });
  });

  it('daily - a reading stored with a null total counts as missing', () => {
    const points = dailySeries([r('mp1', '2026-03-01', null), r('mp1', '2026-03-02', '3')], '2026-03-02', '2026-03-02');
    expect(points[0]).to.include({ kWh: null, status: 'NO_READING' });
  });

  it('daily - the measuring points of one account are summed; one point missing a day makes that day a gap', () => {
    const readings = [
      r('mp1', '2026-03-01', '10'), r('mp1', '2026-03-02', '12.25'), r('mp1', '2026-03-03', '13'),
      r('mp2', '2026-03-01', '500'), r('mp2', '2026-03-02', '500.0001'),
    ];
    const points = dailySeries(readings, '2026-03-02', '2026-03-03');
    expect(points.map((p) => p.kWh)).to.deep.equal(['2.2501', null]);
  });

  it('daily - a register lower than the day before (meter replaced) is REGISTER_WENT_BACK, never a negative usage', () => {
    const points = dailySeries([r('mp1', '2026-03-01', '900'), r('mp1', '2026-03-02', '3')], '2026-03-02', '2026-03-02');
    expect(points[0]).to.include({ kWh: null, status: 'REGISTER_WENT_BACK' });
  });

  it('daily - no reading at all gives one null point per day of the range', () => {
    const points = dailySeries([], '2026-02-27', '2026-03-01');
    expect(points.map((p) => [p.date, p.kWh])).to.deep.equal([['2026-02-27', null], ['2026-02-28', null], ['2026-03-01', null]]);
  });

  it('monthly - a closed month is reading(its last day) − reading(the last day before it), across a year end', () => {
    const readings = [r('mp1', '2025-11-30', '1000', ['100', '200', '300', '400']), r('mp1', '2025-12-31', '1234.5678', ['110', '250', '400.5', '474.0678']), r('mp1', '2026-01-31', '1300')];
    const points = monthlySeries(readings, '202512', '202601', '2026-03-10');
    expect(points).to.deep.equal([
      { month: '202512', throughDate: '2025-12-31', kWh: '234.5678', periods: { SHARP: '10', PEAK: '50', FLAT: '100.5', VALLEY: '74.0678' }, status: 'OK' },
      { month: '202601', throughDate: '2026-01-31', kWh: '65.4322', periods: { SHARP: null, PEAK: null, FLAT: null, VALLEY: null }, status: 'OK' },
    ]);
  });

  it('monthly - the running month goes to its latest reading (throughDate), a future month and a month without an end reading are gaps', () => {
    const readings = [r('mp1', '2026-01-31', '10'), r('mp1', '2026-02-27', '30'), r('mp1', '2026-03-05', '45'), r('mp1', '2026-03-06', '47')];
    const points = monthlySeries(readings, '202602', '202604', '2026-03-08');
    expect(points.map((p) => [p.month, p.kWh, p.throughDate, p.status])).to.deep.equal([
      ['202602', null, null, 'NO_READING'], // no reading on 2026-02-28
      ['202603', null, null, 'NO_READING'], // ... so nothing to start March from either
      ['202604', null, null, 'NO_READING'],
    ]);
    const withEnd = monthlySeries([...readings, r('mp1', '2026-02-28', '31')], '202602', '202603', '2026-03-08');
    expect(withEnd.map((p) => [p.month, p.kWh, p.throughDate])).to.deep.equal([['202602', '21', '2026-02-28'], ['202603', '16', '2026-03-06']]);
  });
});
