import { expect } from 'chai';
import { loadCodeTableText } from '../../../../core/mapping/code-tables';
import { FieldMappingError, compileObject } from '../../../../core/mapping/field-compiler';

const codes = new Map([
  ['bill-status', loadCodeTableText('table: bill-status\nvalues: { "01": UNPAID, "02": PARTLY_PAID }\n', 'codes/bill-status.yaml')],
  ['tariff', loadCodeTableText('table: tariff\nvalues: { "A": RESIDENTIAL }\ndefault: OTHER\n', 'codes/tariff.yaml')],
]);

describe('core/mapping - field spec extensions', () => {
  it('reads dates in a pattern and a time zone and writes ISO with the offset', () => {
    const map = compileObject({
      paidAt: { from: 't', date: { in: 'yyyyMMddHHmmss', tz: 'Asia/Shanghai' } },
      paidAtUtc: { from: 't', date: { in: 'yyyyMMddHHmmss', out: 'iso', outTz: 'UTC' } },
      day: { from: 'd', date: { in: 'yyyy-MM', out: 'yyyyMM' } },
      iso: { from: 'i', date: { in: 'iso', out: 'yyyy-MM-dd HH:mm:ss' } },
    });
    expect(map({ t: '20250301083000', d: '2025-03', i: '2025-03-01T00:30:00Z' }, {})).to.deep.equal({
      paidAt: '2025-03-01T08:30:00+08:00',
      paidAtUtc: '2025-03-01T00:30:00Z',
      day: '202503',
      iso: '2025-03-01 08:30:00',
    });
  });

  it('refuses a date that does not match its pattern or does not exist', () => {
    const map = compileObject({ at: { from: 't', date: { in: 'yyyyMMdd' } } });
    expect(() => map({ t: '2025-03-01' }, {})).to.throw(FieldMappingError, /does not match the date pattern yyyyMMdd/);
    expect(() => map({ t: '20250230' }, {})).to.throw(FieldMappingError, /not a valid date/);
  });

  it('looks codes up in code tables, with the table default for unknown codes', () => {
    const map = compileObject({ status: { from: 's', code: 'bill-status' }, tariff: { from: 't', code: 'tariff' } }, '', { codes });
    expect(map({ s: '02', t: 'Z' }, {})).to.deep.equal({ status: 'PARTLY_PAID', tariff: 'OTHER' });
    expect(() => map({ s: '09', t: 'A' }, {})).to.throw(FieldMappingError, /not in code table bill-status/);
  });

  it('refuses at compile time a reference to a code table that does not exist', () => {
    expect(() => compileObject({ s: { from: 's', code: 'nope' } }, '', { codes })).to.throw(/s.code: no code table 'nope'/);
  });

  it('concatenates, splits, trims and chooses by condition', () => {
    const map = compileObject({
      address: { concat: ['city', 'street', { const: 'No.' }], separator: ' ' },
      first: { from: 'full', split: { separator: '|', index: 0 } },
      last: { from: 'full', split: { separator: '|', index: -1 } },
      trimmed: { from: 'pad', trim: true },
      channel: { if: { path: 'kind', equals: 'A' }, then: { const: 'ALIPAY' }, else: { const: 'COUNTER' } },
    });
    expect(map({ city: 'Hangzhou', street: '', full: 'a|b|c', pad: '  x ', kind: 'B' }, {})).to.deep.equal({
      address: 'Hangzhou No.',
      first: 'a',
      last: 'c',
      trimmed: 'x',
      channel: 'COUNTER',
    });
  });

  it('filters list items and sums money exactly across fanned-out paths', () => {
    const map = compileObject({
      unpaid: { each: 'Bills.Bill', where: { path: 'State', in: ['U'] }, map: { month: 'Month' } },
      totalFen: { sum: ['Bills.Bill[].Due', 'Bills.Bill[].Penalty'], money: { in: 'yuan' } },
    });
    const body = { Bills: { Bill: [
      { Month: '01', State: 'U', Due: '0.10', Penalty: '0.20' },
      { Month: '02', State: 'P', Due: '0.70', Penalty: null },
      { Month: '03', State: 'U', Due: '100.01', Penalty: '0' },
    ] } };
    expect(map(body, {})).to.deep.equal({ unpaid: [{ month: '01' }, { month: '03' }], totalFen: 10 + 20 + 70 + 10001 });
  });

  it('evaluates JSONata expressions asynchronously and reports their failures by field', async () => {
    const map = compileObject({ n: { expr: '$count(items)' }, up: { expr: '$uppercase(name)' }, plain: 'name' });
    expect(await map({ items: [1, 2, 3], name: 'ab' }, {})).to.deep.equal({ n: 3, up: 'AB', plain: 'ab' });
    const bad = compileObject({ boom: { expr: '$number("x") + $undefinedFn()' } });
    let error: unknown;
    await Promise.resolve(bad({}, {})).catch((e) => (error = e));
    expect(error).to.be.instanceOf(FieldMappingError);
    expect((error as FieldMappingError).field).to.equal('boom');
  });

  it('refuses an invalid JSONata expression at compile time', () => {
    expect(() => compileObject({ x: { expr: '(((' } })).to.throw(/x.expr:/);
  });
});
