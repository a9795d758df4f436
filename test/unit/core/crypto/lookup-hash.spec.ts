import { expect } from 'chai';
import { createHmac } from 'crypto';
import { LookupHasher, normaliseForLookup } from '../../../../core/crypto';
import { GridbusError } from '../../../../core/errors';

const KEY_A = 'a'.repeat(64);
const KEY_B = 'b'.repeat(64);

describe('core/crypto - LookupHasher', () => {
  const hasher = new LookupHasher(KEY_A);

  it('lookup - is a 64-char hex HMAC-SHA256 and deterministic', () => {
    const h = hasher.hash('mobile', '13812345678');
    expect(h).to.match(/^[0-9a-f]{64}$/);
    expect(hasher.hash('mobile', '13812345678')).to.equal(h);
    expect(new LookupHasher(KEY_A).hash('mobile', '13812345678')).to.equal(h);
  });

  it('lookup - does not equal a plain or unkeyed hash of the value', () => {
    const plainHmac = createHmac('sha256', Buffer.from(KEY_A, 'hex')).update('13812345678').digest('hex');
    expect(hasher.hash('mobile', '13812345678')).to.not.equal(plainHmac);
  });

  it('lookup - matches ID number variants (case of check digit, spaces)', () => {
    const h = hasher.hash('idNumber', '11010119900307123X');
    for (const v of ['11010119900307123x', ' 11010119900307123X ', '110101 19900307 123x', '１１０１０１１９９００３０７１２３ｘ']) {
      expect(hasher.hash('idNumber', v), v).to.equal(h);
    }
    expect(hasher.hash('idNumber', '110101199003071234')).to.not.equal(h);
  });

  it('lookup - matches mobile variants (+86, 0086, spaces, dashes)', () => {
    const h = hasher.hash('mobile', '13812345678');
    for (const v of ['+8613812345678', '+86 138 1234 5678', '138-1234-5678', ' 0086-138-1234-5678 ', '１３８１２３４５６７８']) {
      expect(hasher.hash('mobile', v), v).to.equal(h);
    }
    expect(hasher.hash('mobile', '13812345679')).to.not.equal(h);
  });

  it('lookup - trims names but keeps their characters', () => {
    expect(hasher.hash('name', ' 张三 ')).to.equal(hasher.hash('name', '张三'));
    expect(hasher.hash('name', '张三')).to.not.equal(hasher.hash('name', '张 三'));
  });

  it('lookup - differs across kinds for the same text', () => {
    const kinds = ['idNumber', 'mobile', 'name', 'consNo'];
    const hashes = kinds.map((k) => hasher.hash(k, '13812345678'));
    expect(new Set(hashes).size).to.equal(kinds.length);
  });

  it('lookup - differs across keys', () => {
    expect(new LookupHasher(KEY_B).hash('name', '张三')).to.not.equal(hasher.hash('name', '张三'));
  });

  it('lookup - refuses empty values and bad keys', () => {
    expect(() => hasher.hash('name', '   ')).to.throw(GridbusError, /Empty name/);
    expect(() => hasher.hash('mobile', '+86')).to.throw(GridbusError);
    expect(() => new LookupHasher('abc')).to.throw(GridbusError, /64 hex characters/);
  });

  it('lookup - normalises only what the kind calls for', () => {
    expect(normaliseForLookup('idNumber', ' 11010119900307123x ')).to.equal('11010119900307123X');
    expect(normaliseForLookup('mobile', '+86 138-1234-5678')).to.equal('13812345678');
    expect(normaliseForLookup('name', ' Li x ')).to.equal('Li x');
    expect(normaliseForLookup('other', ' a-b ')).to.equal('a-b');
  });
});
