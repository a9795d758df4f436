import { homedir } from 'os';
import { join } from 'path';
import { GridbusError } from '../../core/errors';
import { parseDuration } from '../../core/resilience/duration';
import {
  CONTENT_HASH_KEY,
  DoneFileName,
  FileExpression,
  IdempotentKeyExpression,
  compileDoneFileName,
  compileIdempotentKey,
  compileMoveExpression,
  compileNamePattern,
} from './file-expression';

/**
 * Option names follow Apache Camel's file/SFTP components, so that an
 * operator who knows Camel reads them at once. docs/adapters/sftp.md is the
 * reference. An unknown option is refused (a typo never silently becomes a
 * default).
 */

/** Moleculer's LoggerInstance fits this. */
export interface SftpLogger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

/** Used when no logger is given: warnings and errors to stderr, nothing else. */
export const consoleLogger: SftpLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (...args) => console.warn('[sftp]', ...args),
  error: (...args) => console.error('[sftp]', ...args),
};

export interface SftpConnectionOptions {
  host: string;
  /** Default 22. */
  port?: number;
  username: string;
  password?: string;
  /** PEM/OpenSSH private key text (e.g. from a secret in the environment). */
  privateKey?: string | Buffer;
  /** Path of the private key file (read at each connect). */
  privateKeyFile?: string;
  privateKeyPassphrase?: string;
  /** OpenSSH known_hosts file; default ~/.ssh/known_hosts. Read at each connect. */
  knownHostsFile?: string;
  /** known_hosts content given inline (takes precedence over knownHostsFile). */
  knownHosts?: string;
  /** Default true. Only an explicit false (or 'no') turns it off, with a warning. */
  strictHostKeyChecking?: boolean | 'yes' | 'no';
  /** TCP connect + SSH handshake, ms. Default 10000. */
  connectTimeout?: number;
  /** Longest wait for the answer to one SFTP request (list, stat, rename...), ms. Default 30000. */
  timeout?: number;
  /** SSH keepalive interval, ms (0 = off). Default 15000. */
  serverAliveInterval?: number;
  /** Unanswered keepalives before the connection is declared dead. Default 3. */
  serverAliveCountMax?: number;
  /** First wait before reconnecting after a failure, ms; doubles up to maxReconnectDelay. Default 1000. */
  reconnectDelay?: number;
  /** Default 60000. */
  maxReconnectDelay?: number;
}

export interface SftpConsumerOptions extends SftpConnectionOptions {
  /** Endpoint id: adapter id and the idempotent repository's key. Default `sftp:user@host:port/directory`. */
  id?: string;
  /** Directory polled (absolute, or relative to the login directory). */
  directory: string;
  /** ms (or a duration: '5s') between the end of one poll and the start of the next. Default 500. */
  delay?: number | string;
  /** ms (or a duration) before the first poll. Default 1000. */
  initialDelay?: number | string;
  /** false: no timer, polls only when poll() is called. Default true. */
  startScheduler?: boolean;
  /** Default 'changed'. */
  readLock?: 'changed' | 'none';
  /** ms or a duration ('1s'). Default 1000. */
  readLockCheckInterval?: number | string;
  /** ms or a duration ('30s', '2m'): a file whose mtime is younger waits. Default 0. */
  readLockMinAge?: number | string;
  /** Default 1 (empty files wait, as in Camel). */
  readLockMinLength?: number;
  /** e.g. `${file:name}.done`: a file is taken only once its done file exists. */
  doneFileName?: string;
  /** Where a file is moved before it is handed over, e.g. `.inprogress`. */
  preMove?: string;
  /** Default `.done/${file:name}`. */
  move?: string;
  /** Default `.failed/${file:name}`. */
  moveFailed?: string;
  /** Delete a file (and its done file) after success instead of moving it. Not with `move`. Default false. */
  delete?: boolean;
  /**
   * What makes two files the same (Camel's idempotentKey): `content-hash`
   * (sha256 of the bytes, the default) or an expression such as
   * `${file:name}-${file:size}`. A file whose key was loaded already is a
   * duplicate: moved like a done file, never handed over.
   */
  idempotentKey?: string;
  /** Leave files where they are (no preMove/move/moveFailed): only the idempotent repository stops re-reading. */
  noop?: boolean;
  include?: string | RegExp;
  exclude?: string | RegExp;
  /** Default false: names starting with '.' are never taken. */
  includeHiddenFiles?: boolean;
  /** Files handed over per poll at most; 0 = no limit. Default 0. */
  maxMessagesPerPoll?: number;
  /** Default true. Needs a repository. */
  idempotent?: boolean;
  /** Create the directory (and move targets) when missing. Default true. */
  autoCreate?: boolean;
  /** How long stop() waits for the file being handled, ms (or a duration). Default 30000. */
  shutdownTimeout?: number | string;
}

export interface SftpProducerOptions extends SftpConnectionOptions {
  id?: string;
  /** Target directory. */
  directory: string;
  /** Default `.tmp-`: the file is written as `.tmp-<name>` and renamed when complete. */
  tempPrefix?: string;
  /** e.g. `${file:name}.done`: an empty done file written after the file is in place. */
  doneFileName?: string;
  /** Default true. */
  autoCreate?: boolean;
}

const CONNECTION_KEYS = [
  'host', 'port', 'username', 'password', 'privateKey', 'privateKeyFile', 'privateKeyPassphrase', 'knownHostsFile', 'knownHosts',
  'strictHostKeyChecking', 'connectTimeout', 'timeout', 'serverAliveInterval', 'serverAliveCountMax', 'reconnectDelay', 'maxReconnectDelay',
] as const;
const CONSUMER_KEYS = [
  ...CONNECTION_KEYS, 'id', 'directory', 'delay', 'initialDelay', 'startScheduler', 'readLock', 'readLockCheckInterval', 'readLockMinAge',
  'readLockMinLength', 'doneFileName', 'preMove', 'move', 'moveFailed', 'delete', 'idempotentKey', 'noop', 'include', 'exclude', 'includeHiddenFiles',
  'maxMessagesPerPoll', 'idempotent', 'autoCreate', 'shutdownTimeout',
] as const;
/**
 * Every consumer option name (Camel's where Camel has one). A channel
 * definition passes its options as a plain object to resolveConsumerOptions,
 * which refuses unknown names and bad values with CONFIG_INVALID listing
 * every problem (`details.problems`).
 */
export const SFTP_CONSUMER_OPTION_NAMES: readonly string[] = CONSUMER_KEYS;

const PRODUCER_KEYS = [...CONNECTION_KEYS, 'id', 'directory', 'tempPrefix', 'doneFileName', 'autoCreate'] as const;

export interface ResolvedConnectionOptions {
  host: string;
  port: number;
  username: string;
  password?: string;
  privateKey?: string | Buffer;
  privateKeyFile?: string;
  privateKeyPassphrase?: string;
  knownHostsFile: string;
  knownHosts?: string;
  strictHostKeyChecking: boolean;
  connectTimeout: number;
  timeout: number;
  serverAliveInterval: number;
  serverAliveCountMax: number;
  reconnectDelay: number;
  maxReconnectDelay: number;
}

export interface ResolvedConsumerOptions {
  id: string;
  connection: ResolvedConnectionOptions;
  directory: string;
  delay: number;
  initialDelay: number;
  startScheduler: boolean;
  readLock: 'changed' | 'none';
  readLockCheckInterval: number;
  readLockMinAge: number;
  readLockMinLength: number;
  doneFileName?: DoneFileName;
  preMove?: FileExpression;
  move?: FileExpression;
  moveFailed?: FileExpression;
  delete: boolean;
  /** Undefined when idempotent is off. */
  idempotentKey?: IdempotentKeyExpression;
  noop: boolean;
  include?: RegExp;
  exclude?: RegExp;
  includeHiddenFiles: boolean;
  maxMessagesPerPoll: number;
  idempotent: boolean;
  autoCreate: boolean;
  shutdownTimeout: number;
}

export interface ResolvedProducerOptions {
  id: string;
  connection: ResolvedConnectionOptions;
  directory: string;
  tempPrefix: string;
  doneFileName?: DoneFileName;
  autoCreate: boolean;
}

class Problems {
  readonly list: string[] = [];
  constructor(private readonly what: string) {}
  add(p: string): void {
    this.list.push(p);
  }
  unknownKeys(raw: object, allowed: readonly string[]): void {
    for (const key of Object.keys(raw)) {
      if (!allowed.includes(key)) this.add(`unknown option '${key}'`);
    }
  }
  int(raw: Record<string, unknown>, key: string, def: number, min = 0): number {
    const v = raw[key];
    if (v === undefined) return def;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      this.add(`${key} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
      return def;
    }
    return v;
  }
  /** ms, or a duration string as everywhere else in gridbus ('500ms', '30s', '2m', '1h'). */
  duration(raw: Record<string, unknown>, key: string, def: number): number {
    const v = raw[key];
    if (v === undefined) return def;
    if (typeof v === 'string' && /^[0-9]+$/.test(v)) return Number(v);
    try {
      return parseDuration(v, key);
    } catch (err) {
      this.add(`${(err as Error).message}`);
      return def;
    }
  }
  bool(raw: Record<string, unknown>, key: string, def: boolean): boolean {
    const v = raw[key];
    if (v === undefined) return def;
    if (typeof v !== 'boolean') {
      this.add(`${key} must be true or false, got ${JSON.stringify(v)}`);
      return def;
    }
    return v;
  }
  str(raw: Record<string, unknown>, key: string, required: boolean): string | undefined {
    const v = raw[key];
    if (v === undefined || v === null || v === '') {
      if (required) this.add(`${key} is required`);
      return undefined;
    }
    if (typeof v !== 'string') {
      this.add(`${key} must be a string`);
      return undefined;
    }
    return v;
  }
  /** Compiles, turning a CONFIG_INVALID into one more problem. */
  compile<T>(fn: () => T): T | undefined {
    try {
      return fn();
    } catch (err) {
      this.add((err as Error).message);
      return undefined;
    }
  }
  throwIfAny(): void {
    if (this.list.length) {
      throw new GridbusError('CONFIG_INVALID', `${this.what}: ${this.list.join('; ')}`, { details: { problems: this.list } });
    }
  }
}

function resolveConnection(raw: Record<string, unknown>, p: Problems): ResolvedConnectionOptions {
  const host = p.str(raw, 'host', true) ?? '';
  const username = p.str(raw, 'username', true) ?? '';
  const port = p.int(raw, 'port', 22, 1);
  if (port > 65535) p.add(`port must be <= 65535`);
  const password = p.str(raw, 'password', false);
  const privateKeyFile = p.str(raw, 'privateKeyFile', false);
  const privateKey = raw.privateKey;
  if (privateKey !== undefined && typeof privateKey !== 'string' && !Buffer.isBuffer(privateKey)) p.add('privateKey must be a string or a Buffer');
  if (privateKey !== undefined && privateKeyFile) p.add('give privateKey or privateKeyFile, not both');
  if (!password && privateKey === undefined && !privateKeyFile) p.add('one of privateKey, privateKeyFile or password is required');
  let strict = true;
  const shk = raw.strictHostKeyChecking;
  if (shk === false || shk === 'no') strict = false;
  else if (shk !== undefined && shk !== true && shk !== 'yes') p.add(`strictHostKeyChecking must be true/false or 'yes'/'no', got ${JSON.stringify(shk)}`);
  const reconnectDelay = p.int(raw, 'reconnectDelay', 1000);
  const maxReconnectDelay = p.int(raw, 'maxReconnectDelay', 60000);
  if (maxReconnectDelay < reconnectDelay) p.add('maxReconnectDelay must be >= reconnectDelay');
  return {
    host,
    port,
    username,
    password,
    privateKey: privateKey as string | Buffer | undefined,
    privateKeyFile,
    privateKeyPassphrase: p.str(raw, 'privateKeyPassphrase', false),
    knownHostsFile: p.str(raw, 'knownHostsFile', false) ?? join(homedir(), '.ssh', 'known_hosts'),
    knownHosts: p.str(raw, 'knownHosts', false),
    strictHostKeyChecking: strict,
    connectTimeout: p.int(raw, 'connectTimeout', 10000, 1),
    timeout: p.int(raw, 'timeout', 30000, 1),
    serverAliveInterval: p.int(raw, 'serverAliveInterval', 15000),
    serverAliveCountMax: p.int(raw, 'serverAliveCountMax', 3, 1),
    reconnectDelay,
    maxReconnectDelay,
  };
}

function defaultId(c: ResolvedConnectionOptions, directory: string): string {
  return `sftp:${c.username}@${c.host}:${c.port}${directory.startsWith('/') ? '' : '/'}${directory}`;
}

function normaliseDirectory(dir: string | undefined): string {
  if (!dir) return '.';
  return dir.length > 1 ? dir.replace(/\/+$/, '') : dir;
}

export function resolveConsumerOptions(input: SftpConsumerOptions): ResolvedConsumerOptions {
  const raw = (input ?? {}) as unknown as Record<string, unknown>;
  const p = new Problems('sftp consumer options');
  p.unknownKeys(raw, CONSUMER_KEYS);
  const connection = resolveConnection(raw, p);
  const directory = normaliseDirectory(p.str(raw, 'directory', true));
  const readLock = raw.readLock ?? 'changed';
  if (readLock !== 'changed' && readLock !== 'none') p.add(`readLock must be 'changed' or 'none', got ${JSON.stringify(readLock)}`);
  const noop = p.bool(raw, 'noop', false);
  const expr = (key: string, def?: string) => {
    const v = p.str(raw, key, false) ?? def;
    return v === undefined ? undefined : p.compile(() => compileMoveExpression(v, key));
  };
  const pattern = (key: string) => {
    const v = raw[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' && !(v instanceof RegExp)) {
      p.add(`${key} must be a regular expression (string)`);
      return undefined;
    }
    return p.compile(() => compileNamePattern(v, key));
  };
  const doneFileName = p.str(raw, 'doneFileName', false);
  const idempotent = p.bool(raw, 'idempotent', true);
  const deleteAfter = p.bool(raw, 'delete', false);
  if (deleteAfter && raw.move !== undefined) p.add(`delete and move cannot both be set: delete removes the file after success, move keeps it (choose one)`);
  if (deleteAfter && noop) p.add('noop leaves files in place: delete cannot be set with it');
  if (!idempotent && raw.idempotentKey !== undefined) p.add('idempotentKey needs idempotent (the repository remembers the keys): remove idempotentKey or idempotent: false');
  const resolved: ResolvedConsumerOptions = {
    id: p.str(raw, 'id', false) ?? defaultId(connection, directory),
    connection,
    directory,
    delay: p.duration(raw, 'delay', 500),
    initialDelay: p.duration(raw, 'initialDelay', 1000),
    startScheduler: p.bool(raw, 'startScheduler', true),
    readLock: readLock as 'changed' | 'none',
    readLockCheckInterval: p.duration(raw, 'readLockCheckInterval', 1000),
    readLockMinAge: p.duration(raw, 'readLockMinAge', 0),
    readLockMinLength: p.int(raw, 'readLockMinLength', 1),
    doneFileName: doneFileName === undefined ? undefined : p.compile(() => compileDoneFileName(doneFileName)),
    preMove: noop ? undefined : expr('preMove'),
    move: noop || deleteAfter ? undefined : expr('move', '.done/${file:name}'),
    moveFailed: noop ? undefined : expr('moveFailed', '.failed/${file:name}'),
    delete: deleteAfter,
    idempotentKey: idempotent ? p.compile(() => compileIdempotentKey(p.str(raw, 'idempotentKey', false) ?? CONTENT_HASH_KEY)) : undefined,
    noop,
    include: pattern('include'),
    exclude: pattern('exclude'),
    includeHiddenFiles: p.bool(raw, 'includeHiddenFiles', false),
    maxMessagesPerPoll: p.int(raw, 'maxMessagesPerPoll', 0),
    idempotent,
    autoCreate: p.bool(raw, 'autoCreate', true),
    shutdownTimeout: p.duration(raw, 'shutdownTimeout', 30000),
  };
  if (noop && !resolved.idempotent) p.add('noop needs idempotent (else every poll would take the same files again)');
  if (noop && (raw.preMove !== undefined || raw.move !== undefined || raw.moveFailed !== undefined)) {
    p.add('noop leaves files in place: preMove, move and moveFailed cannot be set with it');
  }
  p.throwIfAny();
  return resolved;
}

export function resolveProducerOptions(input: SftpProducerOptions): ResolvedProducerOptions {
  const raw = (input ?? {}) as unknown as Record<string, unknown>;
  const p = new Problems('sftp producer options');
  p.unknownKeys(raw, PRODUCER_KEYS);
  const connection = resolveConnection(raw, p);
  const directory = normaliseDirectory(p.str(raw, 'directory', true));
  const tempPrefix = raw.tempPrefix === undefined ? '.tmp-' : p.str(raw, 'tempPrefix', true) ?? '.tmp-';
  if (tempPrefix.includes('/')) p.add(`tempPrefix must not contain '/'`);
  const doneFileName = p.str(raw, 'doneFileName', false);
  const resolved: ResolvedProducerOptions = {
    id: p.str(raw, 'id', false) ?? `${defaultId(connection, directory)}#producer`,
    connection,
    directory,
    tempPrefix,
    doneFileName: doneFileName === undefined ? undefined : p.compile(() => compileDoneFileName(doneFileName)),
    autoCreate: p.bool(raw, 'autoCreate', true),
  };
  p.throwIfAny();
  return resolved;
}

/** `sftp://user@host:port/dir`, for health and messages (never a secret). */
export function describeEndpoint(c: ResolvedConnectionOptions, directory: string): string {
  return `sftp://${c.username}@${c.host}:${c.port}${directory.startsWith('/') ? '' : '/~/'}${directory === '.' ? '' : directory}`;
}
