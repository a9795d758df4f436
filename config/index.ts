import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import YAML from 'yaml';
import { maskUrlSecrets } from '../core/crypto/mask-url';
import { CachedOperation, parseCacheTtl } from '../core/electricity/cache-ttl';
import { AlipayConfig, readAlipayConfig } from './alipay';
import { GatewayPolicyConfig, readGatewayPolicyConfig } from './gateway';
import { CONFIG_SCHEMA, ConfigKey, INTEGER_KEYS } from './schema';
import { readVariables, variablesFromEnv } from './variables';

/** The validated, typed configuration every module receives. */
export interface GridbusConfig {
  nodeId: string;
  /** Nodes see only nodes of the same namespace on a shared NATS. */
  namespace: string;
  /** null = all services in this process. */
  services: string[] | null;
  /** null = no transporter: one process (the embedded default). */
  natsUrl: string | null;
  database: { url: string | null; embeddedDir: string; embeddedPort: number };
  http: { host: string; port: number };
  /**
   * Token signing keys as configured: JWT_SECRET (`jwtSecret`) or the JWT_KEYS ring (`keys`, `activeKid`).
   * Neither is set in the embedded default: bin/bootstrap.ts puts its generated ring in (services/auth/jwt-keys.ts).
   */
  auth: { jwtSecret?: string; issuer: string; audience: string; adminAudience: string; keys?: Record<string, string>; activeKid?: string };
  /** The first operator, created when none exists. */
  adminBootstrap: { username: string; password: string | null };
  pii: { encKey: string | null; hashKey: string | null };
  /** BACKUP_KEY (64 hex), or null: only the embedded default then generates one (core/backup/backup-key.ts). */
  backup: { key: string | null; sftpUrl: string | null; sftpKeyFile: string | null; sftpKnownHosts: string | null; keepDaily: number; keepMonthly: number };
  marketing: { wsdlUrl: string | null };
  sms: { url: string | null };
  /** The reconciliation file drop; null when not configured (the channel is off). */
  recon: { sftpUrl: string | null; keyFile: string | null; knownHosts: string | null; layout: string; pollMs: number };
  simulators: { mode: 'auto' | 'on' | 'off'; port: number };
  kafka: { brokers: string[] };
  collection: { topic: string; shape: string; group: string };
  /**
   * Values of ${NAME} in mapping definitions on this node: GRIDBUS_VAR_<NAME>, and the settings
   * of config/variables.ts under their own name. MARKETING_WSDL_URL and SMS_URL are added at
   * start (a simulator may fill them).
   */
  variables: Record<string, string>;
  /** The back office's statistics (services/statistics): access events kept this long. */
  statistics: { retentionDays: number };
  mappingsDir: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
  requestTimeoutMs: number;
  /** The electricity plate (services/electricity): seconds each back-office answer is kept, per canonical operation. */
  electricity: { cacheTtlS: Record<CachedOperation, number> };
  /** How long a node remembers an active binding (an unbinding is broadcast at once). */
  binding: { cacheMs: number; maxAccountsPerUser: number; maxUsersPerAccount: number; holderCheckMaxFailures: number; holderCheckWindowS: number };
  /** The group's unified user system (services/users): its URL (null: the simulator, or not used) and how often unknown unified ids are looked up. */
  usercenter: { url: string | null; syncMs: number };
  /** Photos of power-service reports (services/power): stored under VAR_DIR/uploads. */
  uploads: { maxPhotoBytes: number; maxPhotos: number };
  /** Closed-loop outbox delivery (services/outbox). */
  outbox: { maxAttempts: number; pollMs: number; backoffBaseMs: number; backoffMaxMs: number; degradedAgeS: number };
  /** The money path (services/payment). */
  payment: { timeoutMinutes: number; queryAfterS: number; sellerId: string | null };
  /** Exchanges of one operation a node records per second in the message log (a sample: dry-runs and the exchanges view read the newest). */
  messageLog: { okPerSecond: number; failedPerSecond: number };
  varDir: string;
  alipay: AlipayConfig;
  /** Gateway security policies (GATEWAY_* keys; docs/security.md). */
  gateway: GatewayPolicyConfig;
}

/**
 * The embedded default: no DATABASE_URL and no NATS_URL, so this one process
 * is the whole bus and its data lives under VAR_DIR. Only there may the bus
 * make its own keys (JWT ring, PII pair) in VAR_DIR: on any other start a key
 * made on one node's disk would not be the key of the other nodes, the next
 * container, or the database's other readers.
 */
export function isEmbeddedDefault(config: Pick<GridbusConfig, 'database' | 'natsUrl'>): boolean {
  return !config.database.url && !config.natsUrl;
}

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly key: string, message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const ajv = new Ajv({ allErrors: true, strict: false });
const validateRaw = ajv.compile(CONFIG_SCHEMA);

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError('GRIDBUS_CONFIG', `GRIDBUS_CONFIG: cannot read config file ${file}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = file.endsWith('.json') ? JSON.parse(text) : YAML.parse(text);
  } catch (err) {
    throw new ConfigError('GRIDBUS_CONFIG', `GRIDBUS_CONFIG: ${file} is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0]}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError('GRIDBUS_CONFIG', `GRIDBUS_CONFIG: ${file} must hold a mapping of KEY: value`);
  }
  return parsed as Record<string, unknown>;
}

/** Picks our keys out of the environment; empty strings count as unset. */
function fromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(CONFIG_SCHEMA.properties)) {
    const value = env[key];
    if (value !== undefined && value !== '') out[key] = value;
  }
  return out;
}

function coerceIntegers(raw: Record<string, unknown>): Record<string, unknown> {
  const out = { ...raw };
  for (const key of INTEGER_KEYS) {
    const v = out[key];
    if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) out[key] = Number(v.trim());
  }
  return out;
}

/** Secrets are never echoed back, not even when they are wrong. */
const SECRET_KEYS = new Set(['JWT_SECRET', 'JWT_KEYS', 'BACKUP_KEY', 'PII_ENC_KEY', 'PII_HASH_KEY', 'ALIPAY_APP_PRIVATE_KEY', 'ALIPAY_APP_PUBLIC_KEY', 'ALIPAY_PUBLIC_KEY']);

function showValue(key: string, value: unknown): string {
  if (SECRET_KEYS.has(key)) return `a value of ${String(value).length} characters, not shown`;
  if (typeof value === 'string') return JSON.stringify(maskUrlSecrets(value));
  return JSON.stringify(value);
}

function describeProblem(raw: Record<string, unknown>, err: { instancePath: string; keyword: string; params: Record<string, unknown> }): ConfigError {
  if (err.keyword === 'additionalProperties') {
    const key = String(err.params.additionalProperty);
    return new ConfigError(key, `Invalid configuration: ${key} is not a known setting (see config/schema.ts)`);
  }
  const key = err.instancePath.replace(/^\//, '') as ConfigKey;
  const def = CONFIG_SCHEMA.properties[key];
  const got = showValue(key, raw[key]);
  return new ConfigError(key, `Invalid configuration: ${key} must be ${def ? def.description : 'valid'} (got ${got})`);
}

/** JWT_KEYS `kid:secret,...` into a key ring; the active kid must be one of them. */
function keyRing(text: string | undefined, activeKid: string | undefined): { keys?: Record<string, string>; activeKid?: string } {
  if (!text) {
    if (activeKid) throw new ConfigError('JWT_ACTIVE_KID', 'Invalid configuration: JWT_ACTIVE_KID needs JWT_KEYS');
    return {};
  }
  const keys = Object.fromEntries(text.split(',').map((pair) => [pair.slice(0, pair.indexOf(':')), pair.slice(pair.indexOf(':') + 1)]));
  const active = activeKid ?? Object.keys(keys)[0];
  if (!keys[active]) throw new ConfigError('JWT_ACTIVE_KID', `Invalid configuration: JWT_ACTIVE_KID must be one of the key ids in JWT_KEYS (${Object.keys(keys).join(', ')})`);
  return { keys, activeKid: active };
}

/**
 * Reads the environment and the optional config file, validates every key
 * against the schema and returns the typed configuration. Throws a
 * ConfigError naming the first bad key and the value expected.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): GridbusConfig {
  const fileValues = env.GRIDBUS_CONFIG ? readConfigFile(path.resolve(cwd, env.GRIDBUS_CONFIG)) : {};
  const raw = coerceIntegers({ ...fileValues, ...fromEnv(env), ...variablesFromEnv(env) });
  const variables = readVariables(raw, (key, message) => {
    throw new ConfigError(key, message);
  });
  if (!validateRaw(raw)) {
    throw describeProblem(raw, validateRaw.errors![0] as never);
  }
  const get = <T>(key: ConfigKey, fallback: T): T => (raw[key] === undefined ? fallback : (raw[key] as T));
  const varDir = path.resolve(cwd, get('VAR_DIR', 'var'));
  const services = get<string>('SERVICES', 'all');
  return {
    nodeId: get('NODE_ID', `gridbus-${process.pid}`),
    namespace: get('BUS_NAMESPACE', 'gridbus'),
    services: services === 'all' ? null : services.split(','),
    natsUrl: get<string | null>('NATS_URL', null),
    database: {
      url: get<string | null>('DATABASE_URL', null),
      embeddedDir: path.resolve(cwd, get('EMBEDDED_PG_DIR', path.join(varDir, 'pg'))),
      embeddedPort: get('EMBEDDED_PG_PORT', 54329),
    },
    http: { host: get('HTTP_HOST', '127.0.0.1'), port: get('HTTP_PORT', 8080) },
    auth: {
      ...(raw.JWT_SECRET !== undefined ? { jwtSecret: raw.JWT_SECRET as string } : {}),
      issuer: get('JWT_ISSUER', 'gridbus'),
      audience: get('JWT_AUDIENCE', 'gridbus-life-number'),
      adminAudience: `${get('JWT_AUDIENCE', 'gridbus-life-number')}-admin`,
      ...keyRing(get<string | undefined>('JWT_KEYS', undefined), get<string | undefined>('JWT_ACTIVE_KID', undefined)),
    },
    adminBootstrap: { username: get('ADMIN_BOOTSTRAP_USER', 'admin'), password: get<string | null>('ADMIN_BOOTSTRAP_PASSWORD', null) },
    pii: { encKey: get<string | null>('PII_ENC_KEY', null), hashKey: get<string | null>('PII_HASH_KEY', null) },
    backup: {
      key: get<string | null>('BACKUP_KEY', null),
      sftpUrl: get<string | null>('BACKUP_SFTP_URL', null),
      sftpKeyFile: get<string | null>('BACKUP_SFTP_KEY_FILE', null),
      sftpKnownHosts: get<string | null>('BACKUP_SFTP_KNOWN_HOSTS', null),
      keepDaily: get('BACKUP_KEEP_DAILY', 7),
      keepMonthly: get('BACKUP_KEEP_MONTHLY', 12),
    },
    marketing: { wsdlUrl: get<string | null>('MARKETING_WSDL_URL', null) },
    sms: { url: get<string | null>('SMS_URL', null) },
    recon: {
      sftpUrl: get<string | null>('RECON_SFTP_URL', null),
      keyFile: get<string | null>('RECON_SFTP_KEY_FILE', null),
      knownHosts: get<string | null>('RECON_SFTP_KNOWN_HOSTS', null),
      layout: get('RECON_FILE_LAYOUT', 'marketing.reconciliation-fixed'),
      pollMs: get('RECON_POLL_MS', 5000),
    },
    simulators: { mode: get('SIMULATORS', 'auto'), port: get('SIMULATOR_PORT', 0) },
    kafka: { brokers: get<string>('KAFKA_BROKERS', '').split(',').filter(Boolean) },
    collection: {
      topic: get('COLLECTION_TOPIC', 'e_mp_day_read'),
      shape: get('COLLECTION_SHAPE', 'collection.day-read-flat'),
      group: get('COLLECTION_GROUP', 'gridbus-collection'),
    },
    variables,
    statistics: { retentionDays: get('STATISTICS_RETENTION_DAYS', 90) },
    mappingsDir: path.resolve(cwd, get('MAPPINGS_DIR', 'mappings')),
    logLevel: get('LOG_LEVEL', 'info'),
    requestTimeoutMs: get('REQUEST_TIMEOUT_MS', 10000),
    electricity: {
      cacheTtlS: parseCacheTtl(get<string | null>('ELECTRICITY_CACHE_TTL_S', null), (message) => {
        throw new ConfigError('ELECTRICITY_CACHE_TTL_S', `Invalid configuration: ELECTRICITY_CACHE_TTL_S: ${message}`);
      }),
    },
    binding: {
      cacheMs: get('BINDING_CACHE_MS', 30000),
      maxAccountsPerUser: get('BINDING_MAX_ACCOUNTS_PER_USER', 10),
      maxUsersPerAccount: get('BINDING_MAX_USERS_PER_ACCOUNT', 5),
      holderCheckMaxFailures: get('BINDING_HOLDER_CHECK_MAX_FAILURES', 5),
      holderCheckWindowS: get('BINDING_HOLDER_CHECK_WINDOW_S', 3600),
    },
    usercenter: { url: get<string | null>('USERCENTER_URL', null), syncMs: get('USERS_SYNC_MS', 5000) },
    uploads: { maxPhotoBytes: get('UPLOAD_MAX_PHOTO_BYTES', 5 * 1024 * 1024), maxPhotos: get('UPLOAD_MAX_PHOTOS', 6) },
    payment: {
      timeoutMinutes: get('PAYMENT_TIMEOUT_MINUTES', 15),
      queryAfterS: get('PAYMENT_QUERY_AFTER_S', 120),
      sellerId: (raw.ALIPAY_SELLER_ID as string | undefined) ?? null,
    },
    outbox: {
      maxAttempts: get('OUTBOX_MAX_ATTEMPTS', 10),
      pollMs: get('OUTBOX_POLL_MS', 1000),
      backoffBaseMs: get('OUTBOX_BACKOFF_BASE_MS', 2000),
      backoffMaxMs: get('OUTBOX_BACKOFF_MAX_MS', 600000),
      degradedAgeS: get('OUTBOX_DEGRADED_AGE_S', 900),
    },
    messageLog: { okPerSecond: get('MESSAGE_LOG_OK_PER_SECOND', 10), failedPerSecond: get('MESSAGE_LOG_FAILED_PER_SECOND', 100) },
    varDir,
    alipay: readAlipayConfig(raw, cwd, (key, message) => {
      throw new ConfigError(key, message);
    }),
    gateway: readGatewayPolicyConfig(raw, get<string | null>('NATS_URL', null), (key, message) => {
      throw new ConfigError(key, message);
    }),
  };
}
