import { expect } from 'chai';
import { DateFormatError, compileDateConversion, compileDateFormat } from '../../../../../core/mapping/files/date-format';

function dateError(fn: () => unknown): DateFormatError {
  try {
    fn();
  } catch (err) {
    expect(err, String(err)).to.be.instanceOf(DateFormatError);
    return err as DateFormatError;
  }
  throw new Error('expected a DateFormatError');
}

describe('core/mapping/files - date format', () => {
  it('converts wall-clock text to ISO 8601 with the +08:00 offset by default', () => {
    const iso = compileDateConversion({ in: 'yyyy-MM-dd HH:mm:ss' });
    expect(iso('2025-03-15 09:38:53')).to.equal('2025-03-15T09:38:53+08:00');
    expect(compileDateConversion({ in: 'yyyyMMddHHmmss', zone: 'Z' })('20250315093853')).to.equal('2025-03-15T09:38:53Z');
    expect(compileDateConversion({ in: 'yyyyMMdd' })('20250315')).to.equal('2025-03-15T00:00:00+08:00');
    expect(compileDateConversion({ in: 'yyyyMMddHHmmssSSS' })('20250315093853042')).to.equal('2025-03-15T09:38:53.042+08:00');
  });

  it('converts to a date or another format', () => {
    expect(compileDateConversion({ in: 'yyyyMMdd', out: 'date' })('20240229')).to.equal('2024-02-29');
    expect(compileDateConversion({ in: 'yyyy-MM-dd HH:mm:ss', out: 'date' })('2025-03-14 00:00:00')).to.equal('2025-03-14');
    expect(compileDateConversion({ in: 'yyyyMM', out: 'yyyyMM' })('202503')).to.equal('202503');
    expect(compileDateConversion({ in: 'yyyy-MM-dd', out: 'yyyyMMdd' })('2025-03-15')).to.equal('20250315');
  });

  it('refuses text of another length, non-digits, wrong literals and impossible dates', () => {
    const iso = compileDateConversion({ in: 'yyyy-MM-dd HH:mm:ss' });
    expect(dateError(() => iso('2025-03-15 09:38')).reason).to.contain('yyyy-MM-dd HH:mm:ss');
    dateError(() => iso('2025-03-15T09:38:53'));
    dateError(() => iso('2025-0a-15 09:38:53'));
    dateError(() => iso('2025-02-29 09:38:53'));
    dateError(() => iso('2025-13-01 00:00:00'));
    dateError(() => iso('2025-04-31 00:00:00'));
    dateError(() => iso('2025-03-15 24:00:00'));
    expect(compileDateConversion({ in: 'yyyyMMdd', out: 'date' })('20000229')).to.equal('2000-02-29');
    dateError(() => compileDateConversion({ in: 'yyyyMMdd', out: 'date' })('19000229'));
  });

  it('refuses bad formats when compiled', () => {
    expect(() => compileDateFormat('yyyy-M-dd')).to.throw(/'M' .* is not a token/);
    expect(() => compileDateFormat('yyyyMMddMM')).to.throw(/twice/);
    expect(() => compileDateFormat('MMdd')).to.throw(/needs yyyy/);
    expect(() => compileDateConversion({ in: 'yyyyMM' })).to.throw(/iso' needs a full date/);
    expect(() => compileDateConversion({ in: 'yyyyMMdd', zone: '+8' })).to.throw(/zone/);
    expect(() => compileDateConversion({ in: 'yyyyMM', out: 'yyyyMMdd' })).to.throw(/uses dd/);
  });

  it('parses and formats fields', () => {
    const f = compileDateFormat('yyyyMMdd');
    expect(f.parse('20250315')).to.deep.equal({ year: 2025, month: 3, day: 15, hour: 0, minute: 0, second: 0, millis: 0 });
    expect(f.format({ year: 2025, month: 3, day: 5, hour: 0, minute: 0, second: 0, millis: 0 })).to.equal('20250305');
  });
});
