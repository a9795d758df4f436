import { expect } from 'chai';
import { FieldMappingError } from '../../../../../core/mapping/field-compiler';
import { compileDerive, compileValue, parseIntegerText } from '../../../../../core/mapping/files/value-spec';

function valueError(fn: () => unknown): FieldMappingError {
  try {
    fn();
  } catch (err) {
    expect(err, String(err)).to.be.instanceOf(FieldMappingError);
    return err as FieldMappingError;
  }
  throw new Error('expected a FieldMappingError');
}

describe('core/mapping/files - value specs', () => {
  it('reads integer text by digits: signs and leading zeros, nothing else', () => {
    expect(parseIntegerText('000000012345')).to.equal(12345);
    expect(parseIntegerText('-42')).to.equal(-42);
    expect(parseIntegerText('+7')).to.equal(7);
    for (const bad of ['', '-', '1.0', '1e3', ' 1', '0x10', '１２']) expect(parseIntegerText(bad), bad).to.be.NaN;
    expect(parseIntegerText('9007199254740993')).to.be.NaN;
  });

  it('trims (also the full-width space), treats empty as missing, applies default and required', () => {
    expect(compileValue({}, 'f')('  张三\u3000 ')).to.equal('张三');
    expect(compileValue({ trim: false }, 'f')(' a ')).to.equal(' a ');
    expect(compileValue({ trim: 'right' }, 'f')(' a ')).to.equal(' a');
    expect(compileValue({ trim: 'left' }, 'f')(' a ')).to.equal('a ');
    expect(compileValue({}, 'f')('   ')).to.equal(undefined);
    expect(compileValue({ default: 'N/A' }, 'f')('')).to.equal('N/A');
    expect(compileValue({ money: { in: 'fen' }, default: 0 }, 'f')('    ')).to.equal(0);
    expect(valueError(() => compileValue({ required: true }, 'payNo')('  ')).message).to.equal('payNo: is required but missing');
    expect(valueError(() => compileValue({ required: true }, 'f')(null)).reason).to.equal('is required but missing');
  });

  it('converts money exactly to integer fen', () => {
    expect(compileValue({ money: { in: 'fen' } }, 'f')('0000000000012345')).to.equal(12345);
    expect(compileValue({ money: { in: 'fen' } }, 'f')(12345)).to.equal(12345);
    expect(compileValue({ money: { in: 'yuan' } }, 'f')('123.45')).to.equal(12345);
    expect(compileValue({ money: { in: 'yuan' } }, 'f')('0.29')).to.equal(29);
    expect(valueError(() => compileValue({ money: { in: 'fen' } }, 'amount')('12.30')).message).to.equal('amount: "12.30" is not a whole number of fen');
    expect(valueError(() => compileValue({ money: { in: 'fen' } }, 'amount')(1.5)).field).to.equal('amount');
    expect(valueError(() => compileValue({ money: { in: 'yuan' } }, 'amount')('1.234')).field).to.equal('amount');
  });

  it('converts types like the field compiler', () => {
    expect(compileValue({ type: 'integer' }, 'f')('00011')).to.equal(11);
    expect(compileValue({ type: 'number' }, 'f')('12345.67')).to.equal(12345.67);
    expect(compileValue({ type: 'number' }, 'f')(1.5)).to.equal(1.5);
    expect(compileValue({ type: 'boolean' }, 'f')('1')).to.equal(true);
    expect(compileValue({ type: 'string' }, 'f')(3300000012345)).to.equal('3300000012345');
    expect(valueError(() => compileValue({ type: 'integer' }, 'n')('1.5')).reason).to.equal('"1.5" is not an integer');
    expect(valueError(() => compileValue({ type: 'number' }, 'n')('n/a')).reason).to.equal('"n/a" is not a number');
    expect(valueError(() => compileValue({ type: 'boolean' }, 'n')('yes')).reason).to.equal('"yes" is not a boolean');
  });

  it('converts dates with the field-spec date engine (time zones, validation)', () => {
    expect(compileValue({ date: { in: 'yyyyMMdd', out: 'yyyy-MM-dd' } }, 'd')('20250315')).to.equal('2025-03-15');
    expect(compileValue({ date: { in: 'yyyy-MM-dd HH:mm:ss' } }, 'd')('2025-03-15 09:38:53')).to.equal('2025-03-15T09:38:53+08:00');
    expect(compileValue({ date: { in: 'yyyyMMddHHmmss', tz: 'UTC' } }, 'd')('20250315093853')).to.equal('2025-03-15T09:38:53Z');
    expect(compileValue({ date: { in: 'yyyyMM', out: 'yyyyMM' } }, 'd')('202502')).to.equal('202502');
    expect(valueError(() => compileValue({ date: { in: 'yyyyMM', out: 'yyyyMM' } }, 'billMonth')('202513')).field).to.equal('billMonth');
    expect(valueError(() => compileValue({ date: { in: 'yyyyMMdd', out: 'yyyy-MM-dd' } }, 'd')('20250230')).reason).to.contain('not a valid date');
    expect(() => compileValue({ date: { in: 'yyyyMMdd' }, money: { in: 'fen' } }, 'd')).to.throw(/use only one of money, date/);
    expect(() => compileValue({ date: { in: 'YYYYMMDD' } }, 'd')).to.throw(/^d\.date: /);
    expect(() => compileValue({ date: { in: 'yyyyMMdd', tz: 'Mars/Base' } }, 'd')).to.throw(/^d\.date: /);
  });

  it('derives joined, listed and in-place values into the row', () => {
    const derive = compileDerive({
      paidAt: { join: ['acctDate', 'time'], date: { in: 'yyyyMMddHHmmss' } },
      label: { join: ['a', 'b'], separator: '-' },
      readings: { list: ['r1', 'r2', 'r3'], type: 'number' },
      r: { type: 'number' },
      nested: { from: 'x.y', type: 'integer' },
    })!;
    const row: Record<string, unknown> = { acctDate: '20250315', time: '093853', a: 'A', b: 'B', r1: '1.5', r2: null, r3: 2, r: '7', x: { y: '08' } };
    derive(row);
    expect(row).to.deep.include({ paidAt: '2025-03-15T09:38:53+08:00', label: 'A-B', readings: [1.5, null, 2], r: 7, nested: 8 });
    const missing: Record<string, unknown> = { acctDate: '20250315', r: '1', x: {} };
    compileDerive({ paidAt: { join: ['acctDate', 'time'], date: { in: 'yyyyMMddHHmmss' }, default: 'unknown' } })!(missing);
    expect(missing.paidAt).to.equal('unknown');
    expect(valueError(() => compileDerive({ paidAt: { join: ['acctDate', 'time'], required: true } })!(missing)).field).to.equal('paidAt');
    expect(compileDerive(undefined)).to.equal(undefined);
    expect(() => compileDerive({ p: { from: 'a', list: ['b'] } })).to.throw(/p: use only one of from, join, list/);
    expect(() => compileDerive({ p: { from: 'a', separator: '-' } })).to.throw(/separator needs join/);
  });
});
