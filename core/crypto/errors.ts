import { GridbusError } from '../errors';

export const PII_DECRYPT_FAILED = 'PII_DECRYPT_FAILED';

/**
 * A stored PII token could not be decrypted (garbled, tampered, unknown key id
 * or wrong key). It is an INTERNAL error for the bus vocabulary; `reason` is
 * the stable sub-code. Messages never include the token or any plaintext.
 */
export class PiiDecryptError extends GridbusError {
  readonly reason = PII_DECRYPT_FAILED;

  constructor(message: string, cause?: unknown) {
    super('INTERNAL', message, { details: { reason: PII_DECRYPT_FAILED }, cause });
    this.name = 'PiiDecryptError';
  }
}
