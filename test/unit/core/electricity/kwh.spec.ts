import { expect } from 'chai';
import { formatKwh, kwhUnits } from '../../../../core/electricity/kwh';

describe('electricity kWh - exact decimal arithmetic', () => {
  it('kwh - numeric text to 1/10000 kWh units and back, shortest exact text', () => {
    expect(kwhUnits('123.4500')).to.equal(1234500n);
    expect(kwhUnits('7')).to.equal(70000n);
    expect(kwhUnits('0.0001')).to.equal(1n);
    expect(formatKwh(1234500n)).to.equal('123.45');
    expect(formatKwh(70000n)).to.equal('7');
    expect(formatKwh(0n)).to.equal('0');
    expect(formatKwh(-5n)).to.equal('-0.0005');
    expect(formatKwh(kwhUnits('9999999999.9999') - kwhUnits('0.0001'))).to.equal('9999999999.9998');
  });

  it('kwh - a summed series is exact where float addition drifts', () => {
    const tenths = Array.from({ length: 10 }, () => '0.1');
    expect(tenths.reduce((s, v) => s + Number(v), 0)).to.not.equal(1);
    expect(formatKwh(tenths.reduce((s, v) => s + kwhUnits(v), 0n))).to.equal('1');
  });

  it('kwh - anything but a plain decimal of at most four decimals is refused', () => {
    for (const bad of ['1e3', '12.34567', 'abc', '', '1,5']) expect(() => kwhUnits(bad), bad).to.throw(/kWh/);
    expect(kwhUnits('1.50000')).to.equal(15000n); // trailing zeros beyond four are still exact
  });
});
