import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { ConfigError, GridbusConfig, isEmbeddedDefault } from '../../config';
import { createSecretFileOnce } from '../../core/crypto';

/** The services that sign or check tokens with the key ring: only a node running one of them needs keys. */
export const TOKEN_SERVICES: readonly string[] = ['gateway', 'auth', 'binding'];

export const JWT_KEY_FILE = path.join('jwt', 'keys.json');

/** Where this node's token keys come from: JWT_SECRET / JWT_KEYS, or the embedded default's ring under VAR_DIR (made now / found). */
export interface JwtKeys {
  source: 'config' | 'generated' | 'file';
  /** The auth settings to run with: the configured ones, or with the generated ring in. */
  auth: GridbusConfig['auth'];
  file?: string;
}

const KID = /^[A-Za-z0-9_-]{1,32}$/;
const MIN_SECRET = 32;

const missingKeys = () =>
  new ConfigError(
    'JWT_SECRET',
    'Invalid configuration: JWT_SECRET (or the key ring JWT_KEYS) must be set: it signs every user and operator token, and every node must use the same keys ' +
      '(e.g. JWT_SECRET=$(openssl rand -base64 48)). Only the embedded default (no DATABASE_URL, no NATS_URL) makes its own keys in VAR_DIR.',
  );

function configured(config: GridbusConfig): boolean {
  return !!config.auth.jwtSecret || !!(config.auth.keys && Object.keys(config.auth.keys).length);
}

/**
 * The token keys of this node. Configured keys win. Without them, only the
 * embedded default makes a ring, once, in VAR_DIR/jwt/keys.json (mode 0600,
 * one 256-bit random key), and uses it on every start; any other start is
 * refused, naming the setting. There is no built-in key.
 */
export function resolveJwtKeys(config: GridbusConfig): JwtKeys {
  if (configured(config)) return { source: 'config', auth: config.auth };
  if (!isEmbeddedDefault(config)) throw missingKeys();
  const file = path.join(config.varDir, JWT_KEY_FILE);
  const created = createSecretFileOnce(file, () => `${JSON.stringify(newRing(), null, 2)}\n`);
  return { source: created ? 'generated' : 'file', auth: { ...config.auth, ...readRingFile(file) }, file };
}

/**
 * For `gridbus token`: the configured keys, or the ring the embedded default
 * generated in VAR_DIR; never makes one (a token nobody can check is no use).
 */
export function readJwtKeys(config: GridbusConfig): JwtKeys {
  if (configured(config)) return { source: 'config', auth: config.auth };
  const file = path.join(config.varDir, JWT_KEY_FILE);
  if (!isEmbeddedDefault(config)) throw missingKeys();
  if (!fs.existsSync(file)) {
    throw new ConfigError(
      'JWT_SECRET',
      `No token keys: JWT_SECRET / JWT_KEYS are not set and ${file} does not exist yet. Start the bus once (npm start makes the key ring there), ` +
        'or set JWT_SECRET (or JWT_KEYS) to the keys of the bus the token is for.',
    );
  }
  return { source: 'file', auth: { ...config.auth, ...readRingFile(file) }, file };
}

function newRing(): { activeKid: string; keys: Record<string, string> } {
  const kid = `local-${randomBytes(4).toString('hex')}`;
  return { activeKid: kid, keys: { [kid]: randomBytes(32).toString('base64url') } };
}

function readRingFile(file: string): { keys: Record<string, string>; activeKid: string } {
  let parsed: { activeKid?: unknown; keys?: unknown };
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError('JWT_SECRET', `The JWT key file ${file} cannot be read (${(err as Error).message.split('\n')[0]}); restore it, or delete it to make a new ring (every token issued so far stops working)`);
  }
  const keys = parsed.keys;
  const valid =
    keys !== null &&
    typeof keys === 'object' &&
    !Array.isArray(keys) &&
    Object.entries(keys).length > 0 &&
    Object.entries(keys).every(([kid, secret]) => KID.test(kid) && typeof secret === 'string' && secret.length >= MIN_SECRET) &&
    typeof parsed.activeKid === 'string' &&
    Object.prototype.hasOwnProperty.call(keys, parsed.activeKid);
  if (!valid) throw new ConfigError('JWT_SECRET', `The JWT key file ${file} does not hold a key ring ({ "activeKid", "keys": { kid: secret of 32+ characters } })`);
  return { keys: keys as Record<string, string>, activeKid: parsed.activeKid as string };
}

/** The one log line about where the token keys come from (never the keys). */
export function describeJwtKeys(keys: JwtKeys): string {
  if (keys.source === 'config') return keys.auth.keys ? `JWT keys: the JWT_KEYS ring, active key ${keys.auth.activeKid}` : 'JWT keys: JWT_SECRET';
  const what = keys.source === 'generated' ? 'generated a ring' : 'the generated ring';
  return `JWT keys: ${what} in ${keys.file} (mode 0600; embedded default only: set JWT_SECRET or JWT_KEYS for anything else)`;
}
