import { posix } from 'path';
import { Readable, Writable } from 'stream';
import { pipeline } from 'stream/promises';
import { GridbusError } from '../../core/errors';
import { Adapter, AdapterHealth } from '../adapter';
import { RemoteFiles } from './remote-files';
import { SftpConnection, SocketFactory } from './sftp-connection';
import { translateSftpError } from './sftp-errors';
import { ResolvedProducerOptions, SftpLogger, SftpProducerOptions, consoleLogger, describeEndpoint, resolveProducerOptions } from './sftp-options';

export interface SftpProducerMetrics {
  filesWritten: number;
  bytesWritten: number;
  failures: number;
  lastWriteAt: number | null;
  connected: boolean;
}

export interface SftpPutResult {
  /** Final path of the file. */
  path: string;
  bytes: number;
  /** Path of the done file, when doneFileName is set. */
  doneFile?: string;
}

export interface SftpProducerDeps {
  logger?: SftpLogger;
  socketFactory?: SocketFactory;
}

/**
 * Writes files into one directory so that a reader never sees a partial
 * file under its final name: the content goes to `<tempPrefix><name>` and is
 * renamed (posix-rename, atomic, replacing an older file of that name) only
 * once every byte is on the server; then the done file, if configured.
 */
export class SftpProducer implements Adapter {
  readonly kind = 'sftp' as const;
  readonly id: string;
  readonly options: ResolvedProducerOptions;
  readonly endpoint: string;
  private readonly connection: SftpConnection;
  private readonly files: RemoteFiles;
  private readonly logger: SftpLogger;
  private running = false;
  private lastError: string | null = null;
  private readonly counters: Omit<SftpProducerMetrics, 'connected'> = { filesWritten: 0, bytesWritten: 0, failures: 0, lastWriteAt: null };

  constructor(options: SftpProducerOptions, deps: SftpProducerDeps = {}) {
    this.options = resolveProducerOptions(options);
    this.id = this.options.id;
    this.endpoint = describeEndpoint(this.options.connection, this.options.directory);
    this.logger = deps.logger ?? consoleLogger;
    this.connection = new SftpConnection(this.options.connection, this.endpoint, this.logger, deps.socketFactory);
    this.files = new RemoteFiles(this.connection);
  }

  /** Tries a first connection; a down server is not fatal (health says so, put() retries). */
  async start(): Promise<void> {
    this.running = true;
    this.connection.reopen();
    await this.connection.ensure().catch(() => undefined);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.connection.close();
  }

  async health(): Promise<AdapterHealth> {
    const s = this.connection.state();
    if (!this.running) return { status: 'down', detail: `${this.endpoint}: stopped` };
    if (!s.connected) return { status: 'down', detail: `${this.endpoint}: not connected: ${s.lastError?.message ?? 'no connection yet'}` };
    if (this.lastError) return { status: 'degraded', detail: `${this.endpoint}: last write failed: ${this.lastError}` };
    return { status: 'up', detail: this.endpoint };
  }

  metrics(): SftpProducerMetrics {
    return { ...this.counters, connected: this.connection.connected };
  }

  /**
   * Writes `name` (a plain file name) from a stream or a Buffer. A stream is
   * piped with backpressure, never buffered whole. On failure the temporary
   * file is removed (best effort) and the error is a GridbusError
   * (BACKEND_UNAVAILABLE / BACKEND_TIMEOUT / BACKEND_BAD_RESPONSE; the
   * body's own error as INTERNAL).
   */
  async put(name: string, body: Readable | Buffer): Promise<SftpPutResult> {
    if (typeof name !== 'string' || !name || name.includes('/') || name === '.' || name === '..') {
      throw new GridbusError('VALIDATION_FAILED', `sftp put: '${name}' is not a plain file name`, { details: { name } });
    }
    if (!Buffer.isBuffer(body) && !(body instanceof Readable)) {
      throw new GridbusError('VALIDATION_FAILED', 'sftp put: the body must be a Readable or a Buffer');
    }
    const dir = this.options.directory;
    const finalPath = posix.join(dir, name);
    const tempPath = posix.join(dir, `${this.options.tempPrefix}${name}`);
    let bytes = 0;
    try {
      if (this.options.autoCreate) await this.files.ensureDir(dir);
      bytes = await this.writeStream(tempPath, Buffer.isBuffer(body) ? bufferStream(body) : body);
      await this.files.move(tempPath, finalPath);
      let doneFile: string | undefined;
      if (this.options.doneFileName) {
        doneFile = posix.join(dir, this.options.doneFileName.evaluate({ name, mtime: Date.now(), now: Date.now() }));
        await this.files.writeSmall(doneFile, '');
      }
      this.counters.filesWritten++;
      this.counters.bytesWritten += bytes;
      this.counters.lastWriteAt = Date.now();
      this.lastError = null;
      return { path: finalPath, bytes, doneFile };
    } catch (err) {
      const typed = err instanceof BodyError ? err.typed : translateSftpError(err, `put ${finalPath}`, this.endpoint);
      this.counters.failures++;
      this.lastError = typed.message;
      if (this.connection.connected) await this.files.remove(tempPath).catch(() => undefined);
      throw typed;
    }
  }

  /** Pipes `source` into a new remote file; resolves with the byte count once the server has closed the file. */
  private async writeStream(path: string, source: Readable): Promise<number> {
    const client = await this.connection.ensure();
    const out = client.createWriteStream(path) as unknown as Writable & { isClosed?: boolean; bytesWritten?: number };
    // 'close' comes after the server acknowledged the CLOSE of the handle
    const closed = new Promise<void>((resolve, reject) => {
      out.once('close', () => resolve());
      out.once('error', reject);
    });
    closed.catch(() => undefined);
    let sourceFailed: unknown;
    source.once('error', (e) => (sourceFailed = e));
    try {
      await pipeline(source, out);
      if (!out.isClosed) await closed;
    } catch (err) {
      out.destroy();
      if (sourceFailed) {
        throw new BodyError(new GridbusError('INTERNAL', `sftp put ${path}: the body stream failed: ${(sourceFailed as Error).message}`, { cause: sourceFailed }));
      }
      throw err;
    }
    return out.bytesWritten ?? 0;
  }
}

/** A Buffer as a byte stream of 64 KiB chunks (one huge write request would hold the whole buffer twice). */
function bufferStream(buf: Buffer): Readable {
  return Readable.from(
    (function* () {
      for (let i = 0; i < buf.length; i += 65536) yield buf.subarray(i, i + 65536);
    })(),
    { objectMode: false },
  );
}

class BodyError extends Error {
  constructor(readonly typed: GridbusError) {
    super(typed.message);
  }
}
