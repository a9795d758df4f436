import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

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
  let created = false;
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    try {
      fs.linkSync(tmp, file);
      created = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }
  const key = createPrivateKey(fs.readFileSync(file, 'utf8'));
  return {
    privateKeyPem: key.export({ type: 'pkcs8', format: 'pem' }) as string,
    publicKeyPem: createPublicKey(key).export({ type: 'spki', format: 'pem' }) as string,
    file,
    created,
  };
}
