import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { ConfigError, GridbusConfig, isEmbeddedDefault } from '../../config';
import { createSecretFileOnce } from '../../core/crypto';

/** The two keys that protect personal data at rest (core/crypto): AES-256-GCM and HMAC-SHA256, 64 hex characters each. */
export interface PiiKeys {
  encKey: string;
  hashKey: string;
  /** `config`: PII_ENC_KEY / PII_HASH_KEY; `generated` / `file`: the embedded default's pair under VAR_DIR (made now / found). */
  source: 'config' | 'generated' | 'file';
  file?: string;
}

export const PII_KEY_FILE = path.join('pii', 'keys.json');
const HEX64 = /^[0-9a-fA-F]{64}$/;

/**
 * The PII keys of this node. Configured keys win. Without them, only the
 * embedded default (config isEmbeddedDefault: the data lives in VAR_DIR too) makes a
 * pair, once, in VAR_DIR/pii/keys.json (mode 0600), so that data and key stay
 * together. A node on a configured database refuses: a key made on one
 * node's disk would leave every other node (and the next container) unable
 * to read the rows it wrote.
 */
export function resolvePiiKeys(config: GridbusConfig): PiiKeys {
  const { encKey, hashKey } = config.pii;
  if (encKey && hashKey) return { encKey, hashKey, source: 'config' };
  if (encKey || hashKey) {
    const missing = encKey ? 'PII_HASH_KEY' : 'PII_ENC_KEY';
    throw new ConfigError(missing, `Invalid configuration: ${missing} must be set too (PII_ENC_KEY and PII_HASH_KEY go together, 64 hex characters each)`);
  }
  if (!isEmbeddedDefault(config)) {
    throw new ConfigError(
      'PII_ENC_KEY',
      'Invalid configuration: the binding service needs PII_ENC_KEY and PII_HASH_KEY (64 hex characters each, e.g. `openssl rand -hex 32`) ' +
        'on a node with DATABASE_URL or NATS_URL: personal data is stored encrypted with them and every node must use the same pair',
    );
  }
  return loadOrCreateKeyFile(path.join(config.varDir, PII_KEY_FILE));
}

function readKeyFile(file: string): { encKey: string; hashKey: string } {
  let parsed: { encKey?: unknown; hashKey?: unknown };
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError('PII_ENC_KEY', `The PII key file ${file} cannot be read (${(err as Error).message.split('\n')[0]}); restore it from a backup, or set PII_ENC_KEY and PII_HASH_KEY`);
  }
  if (typeof parsed.encKey !== 'string' || !HEX64.test(parsed.encKey) || typeof parsed.hashKey !== 'string' || !HEX64.test(parsed.hashKey)) {
    throw new ConfigError('PII_ENC_KEY', `The PII key file ${file} does not hold two 64-hex-character keys (encKey, hashKey)`);
  }
  return { encKey: parsed.encKey, hashKey: parsed.hashKey };
}

/** Created exclusively (write a temporary file, then link): two processes starting together end up with one pair. */
function loadOrCreateKeyFile(file: string): PiiKeys {
  const created = createSecretFileOnce(file, () => `${JSON.stringify({ encKey: randomBytes(32).toString('hex'), hashKey: randomBytes(32).toString('hex') }, null, 2)}\n`);
  return { ...readKeyFile(file), source: created ? 'generated' : 'file', file };
}

/** The one log line about where the keys come from (never the keys). */
export function describePiiKeys(keys: PiiKeys): string {
  if (keys.source === 'config') return 'personal data encrypted with PII_ENC_KEY, looked up with PII_HASH_KEY';
  const what = keys.source === 'generated' ? 'generated a development pair' : 'using the development pair';
  return `PII_ENC_KEY / PII_HASH_KEY not set: ${what} in ${keys.file} (mode 0600; back it up with the database, the personal data there cannot be read without it)`;
}
