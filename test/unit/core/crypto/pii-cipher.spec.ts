import { expect } from 'chai';
import { PiiCipher, PiiDecryptError } from '../../../../core/crypto';
import { GridbusError } from '../../../../core/errors';

const KEY1 = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';
const KEY2 = 'ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100';

/** Flips one bit in the decoded bytes of token field `index` and re-encodes it. */
function tamper(token: string, index: number, byte = 0): string {
  const parts = token.split('.');
  const buf = Buffer.from(parts[index], 'base64url');
  buf[byte] ^= 0x01;
  parts[index] = buf.toString('base64url');
  return parts.join('.');
}

function expectDecryptError(fn: () => unknown): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, 'expected a PiiDecryptError').to.be.instanceOf(PiiDecryptError);
  const err = caught as PiiDecryptError;
  expect(err).to.be.instanceOf(GridbusError);
  expect(err.errorCode).to.equal('INTERNAL');
  expect(err.reason).to.equal('PII_DECRYPT_FAILED');
  expect(err.data).to.include({ reason: 'PII_DECRYPT_FAILED' });
}

describe('core/crypto - PiiCipher', () => {
  const cipher = new PiiCipher(KEY1);

  it('crypto - round trips ASCII, Chinese and empty text', () => {
    for (const plain of ['110101199003071234', '张三 浙江省杭州市西湖区文三路 1 号', '', '😀 emoji']) {
      expect(cipher.decrypt(cipher.encrypt(plain))).to.equal(plain);
    }
  });

  it('crypto - writes a versioned token naming the key', () => {
    const token = new PiiCipher(KEY1, 'k7').encrypt('x');
    const parts = token.split('.');
    expect(parts).to.have.length(5);
    expect(parts.slice(0, 2)).to.deep.equal(['v1', 'k7']);
    expect(Buffer.from(parts[2], 'base64url')).to.have.length(12);
    expect(Buffer.from(parts[3], 'base64url')).to.have.length(16);
    expect(token).to.match(/^[A-Za-z0-9_.-]+$/);
  });

  it('crypto - gives a different ciphertext and IV each call', () => {
    const a = cipher.encrypt('13812345678');
    const b = cipher.encrypt('13812345678');
    expect(a).to.not.equal(b);
    expect(a.split('.')[2]).to.not.equal(b.split('.')[2]);
    expect(a.split('.')[4]).to.not.equal(b.split('.')[4]);
  });

  it('crypto - rejects a token whose IV, tag or ciphertext was altered', () => {
    const token = cipher.encrypt('张三');
    expectDecryptError(() => cipher.decrypt(tamper(token, 2))); // iv
    expectDecryptError(() => cipher.decrypt(tamper(token, 3))); // tag
    expectDecryptError(() => cipher.decrypt(tamper(token, 3, 15)));
    expectDecryptError(() => cipher.decrypt(tamper(token, 4))); // ciphertext
  });

  it('crypto - rejects a token relabelled to another key id or version', () => {
    const rotated = new PiiCipher(KEY1, 'k2', { k1: KEY1 });
    const token = rotated.encrypt('张三');
    // same key bytes under both ids: only the authenticated header tells them apart
    expectDecryptError(() => rotated.decrypt(token.replace(/^v1\.k2\./, 'v1.k1.')));
    expectDecryptError(() => rotated.decrypt(token.replace(/^v1\./, 'v2.')));
  });

  it('crypto - rejects garbled tokens', () => {
    const token = cipher.encrypt('abc');
    const [, , iv, tag, data] = token.split('.');
    for (const bad of ['', 'garbage', 'v1.k1', `v1.k1.${iv}.${tag}`, `${token}.extra`,
      `v1.k1.${iv}!.${tag}.${data}`, `v1.k1.${iv}.${tag.slice(1)}.${data}`, `v1.k1.${iv}=.${tag}.${data}`]) {
      expectDecryptError(() => cipher.decrypt(bad));
    }
    expectDecryptError(() => cipher.decrypt(undefined as unknown as string));
  });

  it('crypto - rejects a non-canonical base64url field (no malleable tokens)', () => {
    const token = cipher.encrypt('abc');
    const parts = token.split('.');
    // 16 bytes = 22 chars; the last char carries 2 unused bits: set them
    const last = parts[3].slice(-1);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    parts[3] = parts[3].slice(0, -1) + alphabet[alphabet.indexOf(last) | 1];
    expect(Buffer.from(parts[3], 'base64url').equals(Buffer.from(token.split('.')[3], 'base64url'))).to.equal(true);
    expectDecryptError(() => cipher.decrypt(parts.join('.')));
  });

  it('crypto - rejects a token under the same key id but a different key', () => {
    const token = new PiiCipher(KEY2, 'k1').encrypt('张三');
    expectDecryptError(() => cipher.decrypt(token));
  });

  it('crypto - rejects a token with an unknown key id', () => {
    expectDecryptError(() => cipher.decrypt(new PiiCipher(KEY2, 'k9').encrypt('x')));
  });

  it('crypto - decrypts tokens of previous keys after rotation', () => {
    const oldToken = new PiiCipher(KEY1, 'k1').encrypt('欧阳娜娜');
    const rotated = new PiiCipher(KEY2, 'k2', { k1: KEY1 });
    expect(rotated.decrypt(oldToken)).to.equal('欧阳娜娜');
    expect(rotated.needsRotation(oldToken)).to.equal(true);
    const fresh = rotated.encrypt('欧阳娜娜');
    expect(fresh.startsWith('v1.k2.')).to.equal(true);
    expect(rotated.needsRotation(fresh)).to.equal(false);
    expectDecryptError(() => new PiiCipher(KEY1, 'k1').decrypt(fresh));
  });

  it('crypto - refuses bad keys and key ids at construction', () => {
    for (const bad of ['', 'abc', KEY1.slice(2), `${KEY1}00`, `${KEY1.slice(1)}g`, 'zz'.repeat(32)]) {
      expect(() => new PiiCipher(bad), bad).to.throw(GridbusError, /64 hex characters/);
    }
    expect(() => new PiiCipher(KEY1, 'k1', { old: 'short' })).to.throw(GridbusError, /PII key "old"/);
    expect(() => new PiiCipher(KEY1, 'k.1')).to.throw(GridbusError, /key id/);
    expect(() => new PiiCipher(KEY1, '')).to.throw(GridbusError, /key id/);
    try {
      new PiiCipher('abc');
    } catch (err) {
      expect((err as GridbusError).errorCode).to.equal('CONFIG_INVALID');
      expect((err as Error).message).to.not.include('abc');
    }
  });
});
