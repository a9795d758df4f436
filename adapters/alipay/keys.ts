import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { createSecretFileOnce } from '../../core/crypto';

export { publicKeyBase64 } from '../../core/crypto/alipay-signature';

export interface DevAppKeys {
  privateKeyPem: string;
  publicKeyPem: string;
  file: string;
  /** True when this call generated the pair, false when it was already there. */
  created: boolean;
}

export const DEV_APP_KEY_FILE = 'app-private-key.pem';

/**
 * A development key pair for the application, kept under `dir` so that a
 * restart (and every process sharing the directory) signs with the same key.
 * Created exclusively: two processes starting together end up with one pair.
 */
export function loadOrCreateDevAppKeys(dir: string): DevAppKeys {
  const file = path.join(dir, DEV_APP_KEY_FILE);
  const created = createSecretFileOnce(file, () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
  const key = createPrivateKey(fs.readFileSync(file, 'utf8'));
  return {
    privateKeyPem: key.export({ type: 'pkcs8', format: 'pem' }) as string,
    publicKeyPem: createPublicKey(key).export({ type: 'spki', format: 'pem' }) as string,
    file,
    created,
  };
}
