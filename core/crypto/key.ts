import { GridbusError } from '../errors';

const KEY_HEX = /^[0-9a-fA-F]{64}$/;

/**
 * Parses a 256-bit key given as 64 hex characters. Keys come from config, so a
 * wrong one must fail loudly at start-up, not at the first record. The key
 * itself never appears in the error.
 */
export function parseKeyHex(keyHex: unknown, what: string): Buffer {
  if (typeof keyHex !== 'string' || !KEY_HEX.test(keyHex)) {
    throw new GridbusError('CONFIG_INVALID', `${what} must be 64 hex characters (32 bytes)`, {
      details: { reason: 'PII_KEY_INVALID' },
    });
  }
  return Buffer.from(keyHex, 'hex');
}
