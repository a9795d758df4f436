import { createCipheriv, createDecipheriv, randomBytes } from 'crypto';
import { GridbusError } from '../errors';
import { PiiDecryptError } from './errors';
import { parseKeyHex } from './key';

const VERSION = 'v1';
const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12; // the GCM standard nonce size
const TAG_BYTES = 16;
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/; // no '.', it separates token fields
const B64URL = /^[A-Za-z0-9_-]*$/;

/**
 * AES-256-GCM for personal data at rest. Token:
 *   v1.<keyId>.<iv b64url>.<tag b64url>.<ciphertext b64url>
 * The "v1.<keyId>" header is bound as additional authenticated data, so a
 * token cannot be relabelled to another key or version without failing.
 * Key rotation: encrypt with the current key, keep older keys (by id) in
 * `previousKeys` until every row has been re-encrypted.
 */
export class PiiCipher {
  private readonly keys = new Map<string, Buffer>();

  constructor(
    keyHex: string,
    private readonly keyId = 'k1',
    previousKeys: Readonly<Record<string, string>> = {},
  ) {
    for (const [id, hex] of Object.entries(previousKeys)) {
      this.keys.set(checkKeyId(id), parseKeyHex(hex, `PII key "${id}"`));
    }
    // the current key wins if an old map still lists its id
    this.keys.set(checkKeyId(keyId), parseKeyHex(keyHex, `PII key "${keyId}"`));
  }

  get currentKeyId(): string {
    return this.keyId;
  }

  encrypt(plain: string): string {
    if (typeof plain !== 'string') throw new TypeError('PiiCipher.encrypt expects a string');
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.keys.get(this.keyId)!, iv);
    cipher.setAAD(Buffer.from(header(this.keyId), 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [header(this.keyId), b64(iv), b64(tag), b64(ciphertext)].join('.');
  }

  decrypt(token: string): string {
    if (typeof token !== 'string') throw new PiiDecryptError('PII token is not a string');
    const parts = token.split('.');
    if (parts.length !== 5) throw new PiiDecryptError('PII token is malformed');
    const [version, keyId, ivText, tagText, dataText] = parts;
    if (version !== VERSION) throw new PiiDecryptError('PII token has an unsupported version');
    const key = this.keys.get(keyId);
    if (!key) throw new PiiDecryptError('PII token uses an unknown key id');
    const iv = unb64(ivText, IV_BYTES);
    const tag = unb64(tagText, TAG_BYTES);
    const data = unb64(dataText);
    try {
      const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(header(keyId), 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
    } catch (err) {
      throw new PiiDecryptError('PII token failed authentication', err);
    }
  }

  /** True if the token was written with an older key and should be re-encrypted. */
  needsRotation(token: string): boolean {
    return !token.startsWith(`${header(this.keyId)}.`);
  }
}

function header(keyId: string): string {
  return `${VERSION}.${keyId}`;
}

function checkKeyId(id: string): string {
  if (!KEY_ID.test(id)) {
    throw new GridbusError('CONFIG_INVALID', 'PII key id must be 1-32 characters of [A-Za-z0-9_-]', {
      details: { reason: 'PII_KEY_INVALID' },
    });
  }
  return id;
}

function b64(buf: Buffer): string {
  return buf.toString('base64url');
}

/**
 * Node's base64 decoder silently skips bad characters and ignores stray
 * trailing bits; requiring the canonical encoding keeps tokens non-malleable.
 */
function unb64(text: string, expectedBytes?: number): Buffer {
  const buf = B64URL.test(text) ? Buffer.from(text, 'base64url') : undefined;
  if (!buf || buf.toString('base64url') !== text) throw new PiiDecryptError('PII token is not valid base64url');
  if (expectedBytes !== undefined && buf.length !== expectedBytes) throw new PiiDecryptError('PII token is malformed');
  return buf;
}
