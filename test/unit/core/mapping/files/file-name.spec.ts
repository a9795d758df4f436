import { expect } from 'chai';
import * as fs from 'fs';
import * as path from 'path';
import { GridbusError } from '../../../../../core/errors';
import { compileFileName } from '../../../../../core/mapping/files/file-name';
import { loadFileLayoutText } from '../../../../../core/mapping/files/layout-loader';

const FIXED_FILE = path.resolve(__dirname, '../../../../../mappings/files/marketing-reconciliation-fixed.yaml');

function gridbusError(fn: () => unknown): GridbusError {
  try {
    fn();
  } catch (err) {
    expect(err, String(err)).to.be.instanceOf(GridbusError);
    return err as GridbusError;
  }
  throw new Error('expected a GridbusError');
}

describe('core/mapping/files - file names', () => {
  const layout = loadFileLayoutText(fs.readFileSync(FIXED_FILE, 'utf8'), 'marketing-reconciliation-fixed.yaml');
  const names = layout.fileName!;

  it('parses the bank reconciliation name into its parts', () => {
    expect(names.parse('DZ001002_01023340101020250315001.txt')).to.deep.equal({
      busType: '001', payType: '002', bankNo: '0102', comNo: '33401010', date: '2025-03-15', seq: 1,
    });
  });

  it('builds a name from parts and round-trips both ways', () => {
    const parts = { busType: 'A01', payType: '002', bankNo: '0105', comNo: '3340ABCD', date: '2024-02-29', seq: 17 };
    const name = names.build(parts);
    expect(name).to.equal('DZA01002_01053340ABCD20240229017.txt');
    expect(names.parse(name)).to.deep.equal(parts);
    expect(names.build(names.parse('DZ001002_01023340101020250315999.txt'))).to.equal('DZ001002_01023340101020250315999.txt');
  });

  it('refuses a name that does not match, as a received-file error naming the pattern', () => {
    for (const bad of [
      'DZ001002_01023340101020250315001.csv', // extension
      'DZ001002-01023340101020250315001.txt', // separator
      'DZ001002_0102334010102025031500.txt', // too short
      'DZ001002_01023340101020250230001.txt', // 30 February
      'XX001002_01023340101020250315001.txt',
    ]) {
      expect(names.match(bad), bad).to.equal(undefined);
      const err = gridbusError(() => names.parse(bad));
      expect(err.errorCode).to.equal('BACKEND_BAD_RESPONSE');
      expect(err.data).to.include({ file: bad, kind: 'bad-file-name', pattern: 'DZ{busType}{payType}_{bankNo}{comNo}{yyyyMMdd}{seq}.txt' });
      expect(err.message).to.contain('does not match');
    }
  });

  it('refuses to build from bad or missing parts (VALIDATION_FAILED naming the part)', () => {
    const ok = { busType: '001', payType: '002', bankNo: '0102', comNo: '33401010', date: '2025-03-15', seq: 1 };
    const cases: Array<[Record<string, string | number>, string]> = [
      [{ ...ok, seq: 1000 }, 'seq'],
      [{ ...ok, seq: -1 }, 'seq'],
      [{ ...ok, bankNo: '102' }, 'bankNo'],
      [{ ...ok, comNo: '3340/010' }, 'comNo'],
      [{ ...ok, date: '2025-02-30' }, 'date'],
      [{ ...ok, date: '20250315' }, 'date'],
      [{ ...ok, extra: 'x' }, 'extra'],
    ];
    for (const [parts, field] of cases) {
      const err = gridbusError(() => names.build(parts));
      expect(err.errorCode, JSON.stringify(parts)).to.equal('VALIDATION_FAILED');
      expect(err.data.field).to.equal(field);
    }
    const { busType: _omit, ...missing } = ok;
    expect(gridbusError(() => names.build(missing)).data.field).to.equal('busType');
  });

  it('supports a variable-length part before a literal and a month token', () => {
    const n = compileFileName({ pattern: '{channel}_{yyyyMM}.csv', parts: { channel: { chars: 'alphanumeric' } } });
    expect(n.parse('ALIPAY_202503.csv')).to.deep.equal({ channel: 'ALIPAY', date: '2025-03' });
    expect(n.build({ channel: 'ALIPAY', date: '2025-03' })).to.equal('ALIPAY_202503.csv');
  });

  it('refuses ambiguous or broken patterns when compiled', () => {
    expect(() => compileFileName({ pattern: '{a}{b}.txt' })).to.throw(/give parts.a.length/);
    expect(() => compileFileName({ pattern: '{yyyyMMdd}{yyyyMM}.txt' })).to.throw(/more than one date/);
    expect(() => compileFileName({ pattern: 'x{a}.txt', parts: { b: { length: 1 } } })).to.throw(/parts.b is not a token/);
    expect(() => compileFileName({ pattern: 'x{a.txt' })).to.throw(/unbalanced/);
    expect(() => compileFileName({ pattern: '{seq}.txt', parts: { seq: { chars: 'any' } } })).to.throw(/digits/);
  });
});
