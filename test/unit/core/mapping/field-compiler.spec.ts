import { expect } from 'chai';
import { maskAccountNo, maskIdNumber, maskMobile, maskName } from '../../../../core/crypto';
import { FieldMappingError, FieldSpec, compileField, compileObject } from '../../../../core/mapping/field-compiler';

const CTX = { requestId: 'req-42' };

function mapField(spec: FieldSpec, input: unknown, field = 'f', ctx = CTX): unknown {
  return compileField(spec, field)(input, ctx);
}

function mappingError(fn: () => unknown): FieldMappingError {
  try {
    fn();
  } catch (err) {
    expect(err, String(err)).to.be.instanceOf(FieldMappingError);
    return err as FieldMappingError;
  }
  throw new Error('expected a FieldMappingError');
}

describe('core/mapping - field compiler', () => {
  describe('sources', () => {
    it('reads a nested path', () => {
      expect(mapField({ from: 'Customer.ConsNo' }, { Customer: { ConsNo: '3301234567' } })).to.equal('3301234567');
    });

    it('reads a deep path and returns undefined on a missing hop without throwing', () => {
      const spec = { from: 'a.b.c.d' };
      expect(mapField(spec, { a: { b: { c: { d: 7 } } } })).to.equal(7);
      expect(mapField(spec, { a: { b: null } })).to.equal(undefined);
      expect(mapField(spec, { a: 'text' })).to.equal(undefined);
      expect(mapField(spec, null)).to.equal(undefined);
    });

    it('takes a string as shorthand for { from }', () => {
      expect(mapField('Customer.ConsName', { Customer: { ConsName: '张三' } })).to.equal('张三');
      expect(mapField('accountNo', { accountNo: '1' })).to.equal('1');
    });

    it('returns a const regardless of the input', () => {
      expect(mapField({ const: 'ALIPAY' }, {})).to.equal('ALIPAY');
      expect(mapField({ const: 0 }, null)).to.equal(0);
      expect(mapField({ const: false }, { x: true })).to.equal(false);
    });

    it('reads $requestId from the context', () => {
      expect(mapField({ from: '$requestId' }, { $requestId: 'not-this' }, 'f', { requestId: 'abc-123' })).to.equal('abc-123');
    });

    it('reads $now from the context as an ISO timestamp', () => {
      const now = new Date('2024-05-06T07:08:09.000Z');
      expect(mapField({ from: '$now' }, {}, 'f', { now } as never)).to.equal('2024-05-06T07:08:09.000Z');
    });

    it('refuses a path with an empty segment at compile time', () => {
      expect(() => compileField({ from: 'a..b' }, 'f')).to.throw(/not a valid path/);
    });
  });

  describe('$request and $context: the call beside the input', () => {
    const ctx = { requestId: 'req-9', operation: 'crm.lookupDebt', now: new Date('2025-01-02T03:04:05.000Z'), request: { account: { no: '0012345678' }, tags: ['a', 'b'] } };

    it('reads the canonical request by path, whatever the input holds', () => {
      const input = { account: { no: 'FROM-INPUT' } };
      expect(mapField({ from: '$request.account.no' }, input, 'f', ctx as never)).to.equal('0012345678');
      expect(mapField('$request.tags', input, 'f', ctx as never)).to.deep.equal(['a', 'b']);
      expect(mapField({ from: '$request' }, input, 'f', ctx as never)).to.equal(ctx.request);
    });

    it('reads $context.requestId, $context.operation and $context.now', () => {
      const out = compileObject({ id: '$context.requestId', op: { from: '$context.operation' }, at: { from: '$context.now', date: { in: 'iso', out: 'yyyyMMdd', tz: 'UTC' } } })({}, ctx as never);
      expect(out).to.deep.equal({ id: 'req-9', op: 'crm.lookupDebt', at: '20250102' });
    });

    it('reaches the request from inside each item and through conversions, required and default', () => {
      const map = compileObject({
        rows: { each: 'Lines.Line', map: { owner: { from: '$request.account.no', required: true }, amt: { from: 'Amt', money: { in: 'yuan' } } } },
        missing: { from: '$request.nothing', default: 'n/a' },
      });
      const out = map({ Lines: { Line: [{ Amt: '1.50' }, { Amt: '2' }] } }, ctx as never);
      expect(out).to.deep.equal({ rows: [{ owner: '0012345678', amt: 150 }, { owner: '0012345678', amt: 200 }], missing: 'n/a' });
      expect(() => compileField({ from: '$request.account.no', required: true }, 'accountNo')({}, { requestId: 'x' })).to.throw(FieldMappingError, /accountNo: is required/);
    });

    it('sums request values too', () => {
      expect(mapField({ sum: ['$request.fees[]', 'Extra'] }, { Extra: 5 }, 'f', { request: { fees: [1, 2] } } as never)).to.equal(8);
    });

    it('passes $request and $context to expr', async () => {
      const fn = compileField({ expr: '$request.account.no & "/" & $context.operation' }, 'f');
      expect(await fn({}, ctx as never)).to.equal('0012345678/crm.lookupDebt');
    });

    for (const [path, message] of [
      ['$requst.accountNo', /f\.from: unknown root '\$requst': write a path of the input, \$request\.<field>/],
      ['$context.user', /f\.from: '\$context\.user' is not a context value: write .*\$context\.requestId\|\$context\.operation\|\$context\.now/],
      ['$input.x', /unknown root '\$input'/],
    ] as const) {
      it(`refuses ${path} at compile time with what to write instead`, () => {
        expect(() => compileField({ from: path }, 'f')).to.throw(message);
      });
    }

    it('refuses an unknown root in sum, naming the place', () => {
      expect(() => compileField({ sum: ['A', '$reqest.fees'] }, 'total')).to.throw(/total\.sum\[1\]: unknown root '\$reqest'/);
    });
  });

  describe('default and required', () => {
    for (const missing of [undefined, null, '']) {
      it(`applies the default for ${JSON.stringify(missing)}`, () => {
        expect(mapField({ from: 'x', default: 'N/A' }, { x: missing })).to.equal('N/A');
      });
    }

    it('applies the default for an absent key', () => {
      expect(mapField({ from: 'x', default: 0 }, {})).to.equal(0);
    });

    it('keeps falsy but present values (0, false) instead of the default', () => {
      expect(mapField({ from: 'x', default: 99 }, { x: 0 })).to.equal(0);
      expect(mapField({ from: 'x', default: true }, { x: false })).to.equal(false);
    });

    for (const missing of [undefined, null, '']) {
      it(`refuses a required field that is ${JSON.stringify(missing)}, naming the field`, () => {
        const err = mappingError(() => mapField({ from: 'x', required: true }, { x: missing }, 'accountNo'));
        expect(err.field).to.equal('accountNo');
        expect(err.message).to.contain('accountNo');
        expect(err.message).to.contain('required');
      });
    }

    it('prefers the default over the required check', () => {
      expect(mapField({ from: 'x', required: true, default: 'd' }, {})).to.equal('d');
    });

    it('leaves an optional missing field out of the output object', () => {
      const out = compileObject({ a: 'a', b: 'b' })({ a: 1 }, CTX);
      expect(out).to.deep.equal({ a: 1 });
      expect(Object.prototype.hasOwnProperty.call(out, 'b')).to.equal(false);
    });
  });

  describe('type conversions', () => {
    const good: Array<[string, unknown, unknown]> = [
      ['integer', '42', 42],
      ['integer', ' 42 ', 42],
      ['integer', -7, -7],
      ['number', '3.25', 3.25],
      ['number', 3.25, 3.25],
      ['number', '-0.5', -0.5],
      ['boolean', true, true],
      ['boolean', 'true', true],
      ['boolean', '1', true],
      ['boolean', 1, true],
      ['boolean', false, false],
      ['boolean', 'false', false],
      ['boolean', '0', false],
      ['boolean', 0, false],
      ['string', 42, '42'],
      ['string', true, 'true'],
      ['string', 'x', 'x'],
      ['string', { a: 1 }, '{"a":1}'],
      ['string', [1, 2], '[1,2]'],
    ];
    for (const [type, input, output] of good) {
      it(`converts ${JSON.stringify(input)} to ${type} ${JSON.stringify(output)}`, () => {
        expect(mapField({ from: 'v', type: type as never }, { v: input })).to.deep.equal(output);
      });
    }

    const bad: Array<[string, unknown]> = [
      ['integer', '1.5'],
      ['integer', 1.5],
      ['integer', 'abc'],
      ['integer', '   '],
      ['integer', true],
      ['integer', '9007199254740993'],
      ['integer', { n: 1 }],
      ['number', 'abc'],
      ['number', 'Infinity'],
      ['number', NaN],
      ['number', false],
      ['boolean', 'yes'],
      ['boolean', 2],
      ['boolean', 'TRUE '],
    ];
    for (const [type, input] of bad) {
      it(`refuses ${typeof input === 'number' ? String(input) : JSON.stringify(input)} as ${type}, naming the field`, () => {
        const err = mappingError(() => mapField({ from: 'v', type: type as never }, { v: input }, 'amount'));
        expect(err.field).to.equal('amount');
        expect(err.message).to.match(/^amount: /);
        expect(err.reason).to.match(type === 'boolean' ? /is not a boolean/ : type === 'integer' ? /is not an integer/ : /is not a number/);
      });
    }
  });

  describe('money', () => {
    it('reads yuan as fen by default', () => {
      expect(mapField({ from: 'm', money: { in: 'yuan' } }, { m: '0.29' })).to.equal(29);
      expect(mapField({ from: 'm', money: { in: 'yuan' } }, { m: '123.45' })).to.equal(12345);
    });

    it('reads fen as an integer', () => {
      expect(mapField({ from: 'm', money: { in: 'fen' } }, { m: '00120' })).to.equal(120);
      expect(mapField({ from: 'm', money: { in: 'fen', out: 'fen' } }, { m: 5 })).to.equal(5);
    });

    it('writes yuan text when out is yuan', () => {
      expect(mapField({ from: 'm', money: { in: 'fen', out: 'yuan' } }, { m: '5' })).to.equal('0.05');
      expect(mapField({ from: 'm', money: { in: 'yuan', out: 'yuan' } }, { m: '1.5' })).to.equal('1.50');
      expect(mapField({ from: 'm', money: { in: 'fen', out: 'yuan' } }, { m: -105 })).to.equal('-1.05');
    });

    it('refuses a bad yuan amount with a FieldMappingError naming the field', () => {
      const err = mappingError(() => mapField({ from: 'm', money: { in: 'yuan' } }, { m: '1.234' }, 'totalFen'));
      expect(err.field).to.equal('totalFen');
      expect(err.reason).to.contain('"1.234"');
    });

    it('refuses a fractional fen amount with a FieldMappingError', () => {
      const err = mappingError(() => mapField({ from: 'm', money: { in: 'fen' } }, { m: '1.5' }, 'amountFen'));
      expect(err.field).to.equal('amountFen');
      expect(err.reason).to.contain('whole number of fen');
    });

    it('returns the default (not converted) for a missing amount', () => {
      expect(mapField({ from: 'm', money: { in: 'fen' }, default: 0 }, {})).to.equal(0);
    });
  });

  describe('lookup', () => {
    const spec = { from: 's', lookup: { '01': 'UNPAID', '02': 'PARTLY_PAID', '1': 'NUMERIC' } };

    it('translates a value found in the table', () => {
      expect(mapField(spec, { s: '01' })).to.equal('UNPAID');
      expect(mapField(spec, { s: '02' })).to.equal('PARTLY_PAID');
    });

    it('compares as text (number 1 finds key "1")', () => {
      expect(mapField(spec, { s: 1 })).to.equal('NUMERIC');
    });

    it('refuses a value not in the table, naming field and value', () => {
      const err = mappingError(() => mapField(spec, { s: '03' }, 'status'));
      expect(err.field).to.equal('status');
      expect(err.reason).to.contain('"03"');
      expect(err.reason).to.contain('lookup');
    });

    it('does not treat inherited object properties as table entries', () => {
      expect(() => mapField(spec, { s: 'toString' })).to.throw(FieldMappingError);
      expect(() => mapField(spec, { s: 'constructor' })).to.throw(FieldMappingError);
    });

    it('returns undefined (not a miss) when the value is absent', () => {
      expect(mapField(spec, {})).to.equal(undefined);
    });
  });

  describe('mask', () => {
    const cases: Array<[string, string, (v: string) => string]> = [
      ['name', '欧阳娜娜', maskName],
      ['name', '张三', maskName],
      ['mobile', '13812345678', maskMobile],
      ['idNumber', '110101199003071234', maskIdNumber],
      ['account', '3301234567', maskAccountNo],
    ];
    for (const [mask, input, masker] of cases) {
      it(`masks ${mask} like core/crypto/mask.ts (${input} -> ${masker(input)})`, () => {
        const out = mapField({ from: 'v', mask: mask as never }, { v: input });
        expect(out).to.equal(masker(input));
        expect(out).to.not.equal(input);
      });
    }

    it('gives the expected literal masks', () => {
      expect(mapField({ from: 'v', mask: 'name' }, { v: '张三' })).to.equal('张*');
      expect(mapField({ from: 'v', mask: 'mobile' }, { v: '13812345678' })).to.equal('138****5678');
      expect(mapField({ from: 'v', mask: 'idNumber' }, { v: '110101199003071234' })).to.equal('1101**********1234');
      expect(mapField({ from: 'v', mask: 'account' }, { v: '3301234567' })).to.equal('******4567');
    });

    it('masks numbers as their text', () => {
      expect(mapField({ from: 'v', mask: 'mobile' }, { v: 13812345678 })).to.equal('138****5678');
    });
  });

  describe('each', () => {
    const spec: FieldSpec = {
      each: 'List.Item',
      map: { amountFen: { from: 'Fen', money: { in: 'fen' }, required: true }, month: 'Month' },
    };

    it('maps an array of items', () => {
      const out = mapField(spec, { List: { Item: [{ Fen: '1', Month: '202401' }, { Fen: '2', Month: '202402' }] } }, 'items');
      expect(out).to.deep.equal([{ amountFen: 1, month: '202401' }, { amountFen: 2, month: '202402' }]);
    });

    it('maps a single object as a one-item list', () => {
      const out = mapField(spec, { List: { Item: { Fen: '7', Month: '202403' } } }, 'items');
      expect(out).to.deep.equal([{ amountFen: 7, month: '202403' }]);
    });

    for (const [label, input] of [
      ['missing list', { List: {} }],
      ['missing parent', {}],
      ['empty string (empty XML element)', { List: { Item: '' } }],
      ['null', { List: { Item: null } }],
    ] as Array<[string, unknown]>) {
      it(`returns [] for a ${label}`, () => {
        expect(mapField(spec, input, 'items')).to.deep.equal([]);
      });
    }

    it('names the failing item and field, e.g. items[1].amountFen', () => {
      const err = mappingError(() => mapField(spec, { List: { Item: [{ Fen: '1' }, { Month: '202402' }] } }, 'items'));
      expect(err.field).to.equal('items[1].amountFen');
      expect(err.message).to.match(/^items\[1\]\.amountFen: /);
    });

    it('names the failing item when a conversion fails', () => {
      const err = mappingError(() => mapField(spec, { List: { Item: [{ Fen: '1' }, { Fen: '2' }, { Fen: 'x' }] } }, 'items'));
      expect(err.field).to.equal('items[2].amountFen');
    });

    it('names the full path for a dotted target inside an item, e.g. items[0].Detail.Amount', () => {
      const dotted: FieldSpec = { each: 'L', map: { 'Detail.Amount': { from: 'A', required: true } } };
      const err = mappingError(() => mapField(dotted, { L: [{}] }, 'items'));
      expect(err.field).to.equal('items[0].Detail.Amount');
    });

    it('names the full path for an error inside a nested each, e.g. bills[1].lines[0].amountFen', () => {
      const nested: FieldSpec = {
        each: 'Bills',
        map: {
          lines: { each: 'Lines', map: { amountFen: { from: 'Fen', money: { in: 'fen' }, required: true } } },
        },
      };
      const input = { Bills: [{ Lines: [{ Fen: '1' }] }, { Lines: [{ Fen: 'bad' }] }] };
      const err = mappingError(() => mapField(nested, input, 'bills'));
      expect(err.field).to.equal('bills[1].lines[0].amountFen');
    });

    it('maps a nested each into nested lists', () => {
      const nested: FieldSpec = { each: 'Bills', map: { lines: { each: 'Lines', map: { fen: { from: 'Fen', type: 'integer' } } } } };
      const out = mapField(nested, { Bills: [{ Lines: { Fen: '3' } }, { Lines: [] }] }, 'bills');
      expect(out).to.deep.equal([{ lines: [{ fen: 3 }] }, { lines: [] }]);
    });
  });

  describe('compileObject', () => {
    it('builds nested output from dotted target names', () => {
      const build = compileObject({
        'Header.Channel': { const: 'ALIPAY' },
        'Header.Serial': { from: '$requestId' },
        'Body.ConsNo': 'accountNo',
        Flat: { const: 1 },
      });
      expect(build({ accountNo: '3301234567' }, { requestId: 'r-1' })).to.deep.equal({
        Header: { Channel: 'ALIPAY', Serial: 'r-1' },
        Body: { ConsNo: '3301234567' },
        Flat: 1,
      });
    });

    it('does not create an empty parent when the nested value is missing', () => {
      const build = compileObject({ 'Header.Channel': 'missing', Other: { const: 1 } });
      expect(build({}, CTX)).to.deep.equal({ Other: 1 });
    });

    it('names top-level fields by their target name', () => {
      const build = compileObject({ 'Header.Serial': { from: 'x', required: true } });
      const err = mappingError(() => build({}, CTX));
      expect(err.field).to.equal('Header.Serial');
    });

    it('prefixes field names with the given prefix', () => {
      const build = compileObject({ n: { from: 'x', required: true } }, 'response');
      expect(mappingError(() => build({}, CTX)).field).to.equal('response.n');
    });

    it('returns a fresh object on each call', () => {
      const build = compileObject({ 'H.C': { const: 'A' } });
      const a = build({}, CTX);
      const b = build({}, CTX);
      expect(a).to.not.equal(b);
      expect(a.H).to.not.equal(b.H);
    });
  });
});
