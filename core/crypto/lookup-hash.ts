import { createHmac } from 'crypto';
import { GridbusError } from '../errors';
import { parseKeyHex } from './key';

export type LookupKind = 'idNumber' | 'mobile' | 'name' | (string & {});

/**
 * Brings the spellings of one value together before hashing, so a lookup
 * finds the row however the user typed it. NFKC folds full-width digits and
 * letters (common from Chinese input methods) to ASCII.
 */
export function normaliseForLookup(kind: LookupKind, value: string): string {
  const v = String(value).normalize('NFKC').trim();
  switch (kind) {
    case 'idNumber':
      // the check digit 'x' and 'X' are the same ID
      return v.replace(/\s+/g, '').toUpperCase();
    case 'mobile':
      return v.replace(/[\s-]+/g, '').replace(/^(?:\+86|0086)/, '');
    default:
      return v;
  }
}

/**
 * Keyed hash (HMAC-SHA256, hex) to find a row by a personal value without
 * storing the value: the column holds lookupHash(kind, value), the query
 * hashes the input the same way. Use a key distinct from the PII cipher key.
 * Each kind hashes under its own derived key, so the same string as a name
 * and as a mobile never collide.
 */
export class LookupHasher {
  private readonly kindKeys = new Map<string, Buffer>();
  private readonly key: Buffer;

  constructor(keyHex: string) {
    this.key = parseKeyHex(keyHex, 'Lookup hash key');
  }

  hash(kind: LookupKind, value: string): string {
    const normalised = normaliseForLookup(kind, value);
    // an empty value would match every other empty value: refuse it
    if (!normalised) {
      throw new GridbusError('VALIDATION_FAILED', `Empty ${kind} cannot be used for lookup`);
    }
    return createHmac('sha256', this.kindKey(kind)).update(normalised, 'utf8').digest('hex');
  }

  private kindKey(kind: string): Buffer {
    let k = this.kindKeys.get(kind);
    if (!k) {
      k = createHmac('sha256', this.key).update(`gridbus/lookup/${kind}`, 'utf8').digest();
      this.kindKeys.set(kind, k);
    }
    return k;
  }
}
