import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { ConfigError, GridbusConfig, isEmbeddedDefault } from '../../config';
import { createSecretFileOnce } from '../crypto/secret-file';

export const BACKUP_KEY_FILE = path.join('backup', 'key');
const HEX64 = /^[0-9a-fA-F]{64}$/;

/**
 * The AES-256-GCM key of backups: BACKUP_KEY (64 hex). Only the embedded default makes one, once,
 * in VAR_DIR/backup/key (mode 0600); any other configuration without BACKUP_KEY is refused.
 */
export function resolveBackupKey(config: GridbusConfig): { key: Buffer; source: 'config' | 'file'; file?: string } {
  if (config.backup.key) return { key: Buffer.from(config.backup.key, 'hex'), source: 'config' };
  if (!isEmbeddedDefault(config)) {
    throw new ConfigError('BACKUP_KEY', 'Invalid configuration: backups need BACKUP_KEY (32 bytes as 64 hex characters, e.g. `openssl rand -hex 32`) on a bus with DATABASE_URL or NATS_URL; keep it apart from the backups');
  }
  const file = path.join(config.varDir, BACKUP_KEY_FILE);
  createSecretFileOnce(file, () => `${randomBytes(32).toString('hex')}\n`);
  const hex = fs.readFileSync(file, 'utf8').trim();
  if (!HEX64.test(hex)) throw new ConfigError('BACKUP_KEY', `The backup key file ${file} does not hold 64 hex characters; restore it, or set BACKUP_KEY`);
  return { key: Buffer.from(hex, 'hex'), source: 'file', file };
}
