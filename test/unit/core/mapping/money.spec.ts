import { expect } from 'chai';
import { MoneyFormatError, fenToInteger, fenToYuan, yuanToFen } from '../../../../core/mapping/money';

function refusedWith(fn: () => unknown): MoneyFormatError {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(MoneyFormatError);
    return err as MoneyFormatError;
  }
  throw new Error('expected a MoneyFormatError');
}

describe('core/mapping - money', () => {
  describe('yuanToFen', () => {
    const exact: Array<[unknown, number]> = [
      ['0.29', 29], // 0.29 * 100 is 28.999999999999996 in floating point
      ['0.1', 10],
      ['0.01', 1],
      ['123.45', 12345],
      ['-1.05', -105],
      ['1.10', 110],
      ['1', 100],
      ['+2.5', 250],
      [' 3.07 ', 307],
      ['0007.70', 770],
      ['1.13', 113],
      ['4.35', 435],
      ['1005.1', 100510],
      ['90071992547409.91', 9007199254740991],
      [19.99, 1999],
      [0.29, 29],
      [1.15, 115],
      [-0.07, -7],
      [42, 4200],
      [0, 0],
    ];
    for (const [input, fen] of exact) {
      it(`converts ${JSON.stringify(input)} (${typeof input}) to exactly ${fen} fen`, () => {
        expect(yuanToFen(input)).to.equal(fen);
      });
    }

    const refused: unknown[] = [
      '1e3', 1e21, 1e-7, '1.234', 1.234, '', '   ', 'abc', '1,000.00', '.5', '5.', '1.2.3', '--1', '¥1.00',
      NaN, Infinity, -Infinity, null, undefined, true, {}, [], '0x10', '90071992547409.92',
    ];
    for (const input of refused) {
      it(`refuses ${typeof input === 'number' ? String(input) : JSON.stringify(input)} with a MoneyFormatError`, () => {
        const err = refusedWith(() => yuanToFen(input));
        if (Number.isNaN(input)) expect(err.value).to.be.NaN;
        else expect(err.value).to.equal(input);
        expect(err.message).to.match(/is not an amount/);
      });
    }

    it('refuses 0.1 + 0.2 (not a two-decimal amount) rather than rounding it', () => {
      expect(() => yuanToFen(0.1 + 0.2)).to.throw(MoneyFormatError);
    });
  });

  describe('fenToYuan', () => {
    const cases: Array<[number, string]> = [
      [12345, '123.45'],
      [5, '0.05'],
      [50, '0.50'],
      [0, '0.00'],
      [100, '1.00'],
      [-105, '-1.05'],
      [-5, '-0.05'],
      [9007199254740991, '90071992547409.91'],
    ];
    for (const [fen, text] of cases) {
      it(`renders ${fen} fen as '${text}'`, () => {
        expect(fenToYuan(fen)).to.equal(text);
      });
    }

    for (const bad of [1.5, NaN, Infinity, 2 ** 53]) {
      it(`refuses ${bad}`, () => {
        expect(() => fenToYuan(bad)).to.throw(MoneyFormatError);
      });
    }
  });

  describe('fenToInteger', () => {
    const cases: Array<[unknown, number]> = [
      ['00012', 12],
      ['12', 12],
      [' 12 ', 12],
      ['-30', -30],
      ['+7', 7],
      [42, 42],
      [0, 0],
    ];
    for (const [input, n] of cases) {
      it(`reads ${JSON.stringify(input)} as ${n}`, () => {
        expect(fenToInteger(input)).to.equal(n);
      });
    }

    const refused: unknown[] = [1.5, '1.5', '1.0', '', 'abc', '1e3', '0x10', NaN, Infinity, null, undefined, true, '9007199254740993'];
    for (const input of refused) {
      it(`refuses ${typeof input === 'number' ? String(input) : JSON.stringify(input)}`, () => {
        const err = refusedWith(() => fenToInteger(input));
        expect(err.message).to.contain('a whole number of fen');
      });
    }
  });

  describe('round trip', () => {
    it('fenToYuan then yuanToFen gives back every value 0..100000 (step 7), positive and negative', () => {
      let checked = 0;
      for (let i = 0; i <= 100000; i += 7) {
        const text = fenToYuan(i);
        expect(text, `fenToYuan(${i})`).to.match(/^\d+\.\d{2}$/);
        if (yuanToFen(text) !== i) expect.fail(`fenToYuan(${i}) = '${text}' reads back as ${yuanToFen(text)}`);
        if (i > 0 && yuanToFen(`-${text}`) !== -i) expect.fail(`-${text} did not read back as ${-i}`);
        if (fenToYuan(-i) !== (i === 0 ? '0.00' : `-${text}`)) expect.fail(`fenToYuan(${-i}) = ${fenToYuan(-i)}`);
        checked++;
      }
      expect(checked).to.equal(Math.floor(100000 / 7) + 1);
    });

    it('reads the JavaScript number form of every two-decimal amount 0..100000 fen (step 7) exactly', () => {
      for (let i = 0; i <= 100000; i += 7) {
        const asNumber = Number(fenToYuan(i)); // e.g. 0.29, whose exact binary value is not 0.29
        if (yuanToFen(asNumber) !== i) expect.fail(`yuanToFen(${asNumber}) = ${yuanToFen(asNumber)}, expected ${i}`);
      }
    });
  });
});
