import { randomUUID } from 'crypto';
import { hostname } from 'os';
import { posix } from 'path';
import { Readable } from 'stream';
import { GridbusError } from '../../core/errors';
import { Adapter, AdapterHealth } from '../adapter';
import { freeName } from './copy-name';
import { FileExpression, nameFilter, resolveTarget } from './file-expression';
import { BeginResult, FileKey, FileOutcome, FileRecord, IdempotentRepository, fileKeyString, guardRepository } from './idempotent-repository';
import { Clock, ListedFile, ReadLockStrategy, createReadLock, systemClock } from './read-lock';
import { RemoteFiles } from './remote-files';
import { SftpConnection, SocketFactory } from './sftp-connection';
import { failureOf, translateSftpError } from './sftp-errors';
import { ResolvedConsumerOptions, SftpConsumerOptions, SftpLogger, consoleLogger, describeEndpoint, resolveConsumerOptions } from './sftp-options';

/** What the handler learns about the file besides its content. */
export interface SftpFileMetadata {
  name: string;
  size: number;
  mtime: Date;
  /** Where the content is read from now (the preMove target when preMove is set). */
  path: string;
  /** The consumer's directory, where the file was found. */
  directory: string;
  /** 1 the first time; more when handed over again after a crash or dropped connection. */
  attempt: number;
  endpointId: string;
  /** The file's idempotent key (`sha256:<hex>` with the default `content-hash`); absent with idempotent: false. */
  idempotentKey?: string;
}

/**
 * Receives one file as a stream (never a whole Buffer). Resolving means the
 * file was handled: it is moved to `move`. Rejecting means it failed: it is
 * moved to `moveFailed` with a reason file naming the error code (a
 * GridbusError's code; INTERNAL for anything else). The handler must read
 * the stream to its end or stop caring about it; the consumer closes it.
 */
export type SftpFileHandler = (body: Readable, file: SftpFileMetadata) => Promise<void>;

/** Plain counters; the lead wires them to Moleculer metrics. */
export interface SftpConsumerMetrics {
  polls: number;
  filesProcessed: number;
  filesFailed: number;
  /** Files not handed over because their idempotent key was loaded already. */
  filesDuplicate: number;
  /** Sum of the sizes of files handled successfully. */
  bytesProcessed: number;
  /** Files handed over again after a crash or a dropped connection. */
  filesResumed: number;
  /** Sessions opened after the first one. */
  reconnects: number;
  /** Start of the last poll, ms since epoch. */
  lastPollAt: number | null;
  lastPollDurationMs: number | null;
  lastPollError: string | null;
  connected: boolean;
}

export interface SftpPollResult {
  /** A session was available for this poll. */
  connected: boolean;
  /** Names handled successfully (moved to `move`), in order. */
  processed: string[];
  /** Names whose handler failed (moved to `moveFailed`). */
  failed: string[];
  /** Names not handed over: their idempotent key was loaded already (moved like done files). */
  duplicates: string[];
  /** Names handed over again after a crash or dropped connection (also in processed/failed). */
  resumed: string[];
  /** The connection was lost during the poll; the file being handled is handed over again next session. */
  interrupted: boolean;
  error?: GridbusError;
}

export interface SftpConsumerDeps {
  handler: SftpFileHandler;
  /** Required unless `idempotent: false`. */
  repository?: IdempotentRepository;
  logger?: SftpLogger;
  /** How the TCP connection is opened; the default sets TCP_NODELAY. */
  socketFactory?: SocketFactory;
  /** For tests of the read lock. */
  clock?: Clock;
}

/** Reason files may quote customer data: owner read-write, group read, others nothing. */
const REASON_FILE_MODE = 0o640;

type Handed = { ok: true } | { ok: false; error: unknown; interrupted: boolean };
type FileResult = FileOutcome | 'skipped' | 'interrupted' | 'pending';

/**
 * Polls one directory (Camel's file/SFTP consumer semantics, see
 * docs/adapters/sftp.md). Polls never overlap; files are handled one at a
 * time, oldest first.
 */
export class SftpConsumer implements Adapter {
  readonly kind = 'sftp' as const;
  readonly id: string;
  readonly options: ResolvedConsumerOptions;
  readonly endpoint: string;
  private readonly connection: SftpConnection;
  private readonly files: RemoteFiles;
  private readonly readLock: ReadLockStrategy;
  private readonly handler: SftpFileHandler;
  private readonly repository?: IdempotentRepository;
  private readonly rawRepository?: IdempotentRepository;
  /** Set when a poll broke off in the middle of a file for a reason other than the session: the next poll reconciles fully. */
  private reconcileAll = false;
  private readonly logger: SftpLogger;
  private readonly clock: Clock;
  /** This instance, in the repository's `owner` column. */
  private readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly accept: (name: string) => boolean;
  private running = false;
  private stopping = false;
  private timer: NodeJS.Timeout | null = null;
  private current: Promise<SftpPollResult> | null = null;
  private session = 0;
  private readonly counters: Omit<SftpConsumerMetrics, 'connected'> = {
    polls: 0,
    filesProcessed: 0,
    filesFailed: 0,
    filesDuplicate: 0,
    bytesProcessed: 0,
    filesResumed: 0,
    reconnects: 0,
    lastPollAt: null,
    lastPollDurationMs: null,
    lastPollError: null,
  };

  constructor(options: SftpConsumerOptions, deps: SftpConsumerDeps) {
    this.options = resolveConsumerOptions(options);
    if (typeof deps?.handler !== 'function') throw new GridbusError('CONFIG_INVALID', 'sftp consumer: a handler function is required');
    if (this.options.idempotent && !deps.repository) {
      throw new GridbusError('CONFIG_INVALID', 'sftp consumer: idempotent is on (the default) but no repository was given (PostgresIdempotentRepository), or set idempotent: false');
    }
    this.id = this.options.id;
    this.endpoint = describeEndpoint(this.options.connection, this.options.directory);
    this.handler = deps.handler;
    this.rawRepository = this.options.idempotent ? deps.repository : undefined;
    this.repository = this.rawRepository ? guardRepository(this.rawRepository) : undefined;
    this.logger = deps.logger ?? consoleLogger;
    this.clock = deps.clock ?? systemClock;
    this.connection = new SftpConnection(this.options.connection, this.endpoint, this.logger, deps.socketFactory);
    this.files = new RemoteFiles(this.connection);
    this.readLock = createReadLock(
      this.options.readLock,
      { checkInterval: this.options.readLockCheckInterval, minAge: this.options.readLockMinAge, minLength: this.options.readLockMinLength },
      this.clock,
    );
    this.accept = nameFilter(this.options.include, this.options.exclude);
  }

  /** Checks the repository, tries a first connection (a down server is not fatal: health says so) and starts the timer. */
  async start(): Promise<void> {
    if (this.running) return;
    const repo = this.rawRepository as (IdempotentRepository & { verify?: () => Promise<void> }) | undefined;
    if (repo?.verify) await repo.verify();
    this.running = true;
    this.stopping = false;
    this.connection.reopen();
    await this.connection.ensure().catch(() => undefined);
    if (this.options.startScheduler) this.schedule(this.options.initialDelay);
  }

  /** Stops the timer, lets the file being handled finish (up to shutdownTimeout), then closes the session. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.current) {
      let t: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        this.current.then(() => false, () => false),
        new Promise<boolean>((r) => {
          t = setTimeout(() => r(true), this.options.shutdownTimeout);
          t.unref();
        }),
      ]);
      clearTimeout(t);
      if (timedOut) this.logger.warn(`${this.endpoint}: stop: the file being handled did not finish within ${this.options.shutdownTimeout} ms; it will be handed over again at the next start`);
    }
    await this.connection.close();
  }

  async health(): Promise<AdapterHealth> {
    const s = this.connection.state();
    if (!this.running) return { status: 'down', detail: `${this.endpoint}: stopped` };
    if (!s.connected) {
      const next = s.nextAttemptAt ? `; next attempt in ${Math.max(0, s.nextAttemptAt - Date.now())} ms` : '';
      return { status: 'down', detail: `${this.endpoint}: not connected: ${s.lastError?.message ?? 'no connection yet'}${next}` };
    }
    if (this.counters.lastPollError) return { status: 'degraded', detail: `${this.endpoint}: last poll failed: ${this.counters.lastPollError}` };
    return { status: 'up', detail: this.endpoint };
  }

  metrics(): SftpConsumerMetrics {
    return { ...this.counters, connected: this.connection.connected };
  }

  /**
   * One poll now (the timer calls this too). While a poll runs, a second
   * call gets the running one.
   */
  poll(): Promise<SftpPollResult> {
    if (!this.current) {
      this.current = this.runPoll().finally(() => {
        this.current = null;
      });
    }
    return this.current;
  }

  private schedule(ms: number): void {
    if (!this.running || !this.options.startScheduler) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.poll()
        .catch((err) => this.logger.error(`${this.endpoint}: poll failed unexpectedly: ${(err as Error).message}`))
        .finally(() => this.schedule(this.options.delay));
    }, ms);
    this.timer.unref();
  }

  private async runPoll(): Promise<SftpPollResult> {
    const result: SftpPollResult = { connected: false, processed: [], failed: [], duplicates: [], resumed: [], interrupted: false };
    const started = Date.now();
    this.counters.polls++;
    this.counters.lastPollAt = started;
    let full = false;
    try {
      if (this.stopping) throw new GridbusError('BACKEND_UNAVAILABLE', `${this.endpoint}: stopped`, { details: { reason: 'NOT_CONNECTED' } });
      await this.connection.ensure();
      result.connected = true;
      const generation = this.connection.state().generation;
      const newSession = generation !== this.session;
      if (newSession) {
        if (this.session !== 0) this.counters.reconnects++;
        this.session = generation;
        this.files.forgetDirectories();
        if (this.options.autoCreate) await this.files.ensureDir(this.options.directory);
      }
      full = newSession || this.reconcileAll;
      this.reconcileAll = false;
      await this.reconcile(full, result);
      if (!result.interrupted) await this.scan(result);
      this.counters.lastPollError = result.error ? result.error.message : null;
    } catch (err) {
      const typed = translateSftpError(err, 'poll', this.endpoint);
      result.error = typed;
      const reason = (typed.data as { reason?: string } | undefined)?.reason;
      // a full reconcile that did not get through is tried again next poll
      if (full) this.reconcileAll = true;
      if (reason === 'REPOSITORY_UNAVAILABLE') {
        // a file may be in progress without its outcome recorded: look again next poll
        this.reconcileAll = true;
        result.interrupted = true;
      } else if (this.isConnectionLoss(typed)) result.interrupted = result.connected;
      this.counters.lastPollError = typed.message;
      // while backing off every poll would say the same: debug only
      if (result.connected || this.connection.state().failures <= 1) this.logger.warn(`${this.endpoint}: poll: ${typed.message}`);
      else this.logger.debug(`${this.endpoint}: poll: ${typed.message}`);
    } finally {
      this.counters.lastPollDurationMs = Date.now() - started;
    }
    return result;
  }

  // ------------------------------------------------------------ scanning

  private async listFiles(): Promise<Array<ListedFile & { type: string }>> {
    return (await this.files.list(this.options.directory)).filter((e) => e.type === '-');
  }

  /** The files of one listing that may be taken, ignoring the idempotent repository and the read lock. */
  private candidates(entries: Array<ListedFile & { type: string }>): ListedFile[] {
    const o = this.options;
    const names = new Set(entries.map((e) => e.name));
    const now = this.clock.now();
    return entries
      .filter((e) => o.includeHiddenFiles || !e.name.startsWith('.'))
      .filter((e) => !o.doneFileName?.isDoneFile(e.name))
      .filter((e) => this.accept(e.name))
      .filter((e) => !o.doneFileName || names.has(o.doneFileName.evaluate({ name: e.name, mtime: e.mtime, now })))
      .map(({ name, size, mtime }) => ({ name, size, mtime }));
  }

  private async scan(result: SftpPollResult): Promise<void> {
    let files = this.candidates(await this.listFiles());
    if (this.repository && files.length) {
      const settled = await this.repository.settled(this.id, this.options.directory, files);
      files = files.filter((f) => !settled.has(fileKeyString(f)));
    }
    files.sort((a, b) => a.mtime - b.mtime || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const acquired = await this.readLock.acquire(files, async () => this.candidates(await this.listFiles()));
    let taken = 0;
    for (const file of acquired) {
      if (this.stopping) break;
      if (this.options.maxMessagesPerPoll > 0 && taken >= this.options.maxMessagesPerPoll) break;
      const outcome = await this.processFile(file, result);
      if (outcome !== 'skipped') taken++;
      if (outcome === 'interrupted') {
        result.interrupted = true;
        break;
      }
    }
  }

  // ------------------------------------------------------------ one file

  private keyOf(f: ListedFile): FileKey {
    return { endpointId: this.id, directory: this.options.directory, name: f.name, size: f.size, mtime: f.mtime };
  }

  private sourceOf(name: string): string {
    return posix.join(this.options.directory, name);
  }

  private target(expr: FileExpression, f: ListedFile): string {
    return resolveTarget(this.options.directory, expr.evaluate({ name: f.name, mtime: f.mtime, now: Date.now() }));
  }

  private doneFileOf(f: ListedFile): string | null {
    const d = this.options.doneFileName;
    return d ? this.sourceOf(d.evaluate({ name: f.name, mtime: f.mtime, now: Date.now() })) : null;
  }

  /** Where a data file's done file goes: beside the file's target, named after the target (so it stays unique with it). */
  private doneTargetOf(target: string, f: ListedFile): string {
    const d = this.options.doneFileName!;
    return posix.join(posix.dirname(target), d.evaluate({ name: posix.basename(target), mtime: f.mtime, now: Date.now() }));
  }

  /**
   * The move target for an outcome, never an existing file (an earlier copy
   * of the same name gets a `~<stamp>` copy name instead); null with noop,
   * and for done/duplicate files with `delete`.
   */
  private async targetFor(outcome: FileOutcome, f: ListedFile, location: string): Promise<string | null> {
    const expr = outcome === 'failed' ? this.options.moveFailed : this.options.move;
    if (!expr) return null;
    const wanted = this.target(expr, f);
    if (wanted === location) return wanted;
    return freeName(wanted, async (p) => !!(await this.files.stat(p)), Date.now());
  }

  /** `sha256:<hex>` of the content (read once more before it is handed over), or the idempotentKey expression's value. */
  private async idempotentKeyOf(f: ListedFile, path: string): Promise<string> {
    const k = this.options.idempotentKey!;
    if (k.kind === 'content-hash') return `sha256:${await this.files.sha256(path)}`;
    return k.expression.evaluate({ name: f.name, mtime: f.mtime, size: f.size, now: Date.now() });
  }

  /** The content was loaded already: never handed over, moved like a done file (or deleted with `delete`), logged. */
  private async settleDuplicate(f: ListedFile, key: FileKey, duplicateOf: string, idempotentKey: string, attempt: number, result: SftpPollResult): Promise<FileResult> {
    const location = this.sourceOf(f.name);
    const target = await this.targetFor('duplicate', f, location);
    await this.repository!.decide(key, 'duplicate', target);
    this.logger.warn(`${this.endpoint}: ${f.name} is a duplicate of ${duplicateOf} (same idempotent key ${idempotentKey}): not loaded again; ${target ? `moved to ${target}` : this.options.delete ? 'deleted' : 'left in place'}`);
    return this.complete({ key, location, target, outcome: 'duplicate', attempt, file: f }, result);
  }

  /**
   * Takes one file: records it, preMoves it, hands it over, records the
   * outcome, moves it, finishes the record. `resumeFrom` is where an
   * interrupted file was found again.
   */
  private async processFile(f: ListedFile, result: SftpPollResult, resumed?: { from: string; idempotentKey: string | null }): Promise<FileResult> {
    const resumeFrom = resumed?.from;
    const key = this.keyOf(f);
    const source = this.sourceOf(f.name);
    let location = resumeFrom ?? source;
    let attempt = 1;
    let idempotentKey: string | undefined;
    if (this.repository) {
      try {
        idempotentKey = resumed?.idempotentKey ?? (await this.idempotentKeyOf(f, location));
      } catch (err) {
        const typed = translateSftpError(err, `idempotent key of ${f.name}`, this.endpoint);
        if (this.isConnectionLoss(typed)) return 'interrupted';
        this.logger.warn(`${this.endpoint}: ${f.name}: cannot compute its idempotent key (${typed.message}); tried again at the next poll`);
        return 'skipped';
      }
      const r = resumeFrom ? await this.repository.resume(key, this.owner, location) : await this.repository.begin(key, this.owner, source, idempotentKey);
      if (!r.taken) return 'skipped';
      attempt = r.attempt;
      const duplicateOf = (r as BeginResult).duplicateOf;
      if (duplicateOf) return this.settleDuplicate(f, key, duplicateOf, idempotentKey, attempt, result);
    }
    if (this.options.preMove && location === source) {
      const pre = this.target(this.options.preMove, f);
      await this.repository?.setLocation(key, pre);
      try {
        await this.files.move(source, pre);
      } catch (err) {
        return this.takeFailed(key, err, source, pre);
      }
      location = pre;
    }

    const handed = await this.handOver(location, {
      name: f.name,
      size: f.size,
      mtime: new Date(f.mtime),
      path: location,
      directory: this.options.directory,
      attempt,
      endpointId: this.id,
      idempotentKey,
    });
    if (!handed.ok && handed.interrupted) {
      this.logger.warn(`${this.endpoint}: ${f.name}: connection lost while it was being handled; it will be handed over again (attempt ${attempt + 1})`);
      return 'interrupted';
    }
    if (resumeFrom) result.resumed.push(f.name);
    const outcome: FileOutcome = handed.ok ? 'done' : 'failed';
    const failure = handed.ok ? undefined : failureOf(handed.error);
    const target = await this.targetFor(outcome, f, location);
    await this.repository?.decide(key, outcome, target, failure);
    if (failure) this.logger.warn(`${this.endpoint}: ${f.name} failed (${failure.code}): ${failure.message}`);
    return this.complete({ key, location, target, outcome, failure, attempt, file: f }, result);
  }

  private async handOver(path: string, meta: SftpFileMetadata): Promise<Handed> {
    let stream: Readable;
    try {
      const client = await this.connection.ensure();
      stream = client.createReadStream(path) as unknown as Readable;
    } catch (err) {
      return { ok: false, error: err, interrupted: this.isConnectionLoss(err) };
    }
    let streamError: unknown;
    // without a listener a read error would crash the process if the handler attached none
    stream.on('error', (e) => {
      streamError = streamError ?? e;
    });
    let ok = false;
    let handlerError: unknown;
    try {
      await this.handler(stream, meta);
      ok = true;
    } catch (err) {
      handlerError = err;
    } finally {
      if (!stream.destroyed) stream.destroy();
    }
    // a read that failed because the session died: not the file's fault
    if ((streamError && this.isConnectionLoss(streamError)) || (!ok && !this.connection.connected)) {
      return { ok: false, error: streamError ?? handlerError, interrupted: true };
    }
    if (ok && streamError) return { ok: false, error: translateSftpError(streamError, `read ${path}`, this.endpoint), interrupted: false };
    return ok ? { ok: true } : { ok: false, error: handlerError, interrupted: false };
  }

  private async complete(
    c: { key: FileKey; location: string; target: string | null; outcome: FileOutcome; failure?: { code: string; message: string }; attempt: number; file: ListedFile },
    result: SftpPollResult,
  ): Promise<FileResult> {
    try {
      if (c.outcome === 'failed' && c.target) {
        // a retried file failing again gets a fresh reason, never the stale one; not world-readable
        await this.files.writeReplacing(`${c.target}.reason.txt`, this.reasonText(c), REASON_FILE_MODE);
      }
      if (c.target && c.target !== c.location) await this.files.move(c.location, c.target);
      else if (!c.target && this.options.delete && c.outcome !== 'failed') await this.files.removeIfPresent(c.location);
      // the done file leaves with its data file (moved beside it, or deleted with it); noop keeps both
      const done = this.doneFileOf(c.file);
      if (done && !this.options.noop) {
        if (c.target) await this.files.moveIfPresent(done, this.doneTargetOf(c.target, c.file));
        else await this.files.removeIfPresent(done);
      }
      await this.repository?.finish(c.key);
    } catch (err) {
      const typed = translateSftpError(err, `complete ${c.file.name}`, this.endpoint);
      if (this.isConnectionLoss(typed)) return 'interrupted';
      // the outcome is recorded: the next poll retries the move, never the handler
      this.logger.error(`${this.endpoint}: ${c.file.name}: handled (${c.outcome}) but not completed (move to ${c.target} / record): ${typed.message}; completed at the next poll`);
      result.error = typed;
      return 'pending';
    }
    if (c.outcome === 'done') {
      this.counters.filesProcessed++;
      this.counters.bytesProcessed += c.file.size;
      result.processed.push(c.file.name);
    } else if (c.outcome === 'duplicate') {
      this.counters.filesDuplicate++;
      result.duplicates.push(c.file.name);
    } else {
      this.counters.filesFailed++;
      result.failed.push(c.file.name);
    }
    return c.outcome;
  }

  private reasonText(c: { key: FileKey; failure?: { code: string; message: string }; attempt: number }): string {
    return [
      `code: ${c.failure?.code ?? 'INTERNAL'}`,
      `message: ${(c.failure?.message ?? '').replace(/\r?\n/g, ' ')}`,
      `file: ${this.sourceOf(c.key.name)}`,
      `size: ${c.key.size}`,
      `mtime: ${new Date(c.key.mtime).toISOString()}`,
      `endpoint: ${this.id}`,
      `attempt: ${c.attempt}`,
      `failedAt: ${new Date().toISOString()}`,
      '',
    ].join('\n');
  }

  /** preMove refused: the file was not taken after all. */
  private async takeFailed(key: FileKey, err: unknown, source: string, pre: string): Promise<FileResult> {
    const typed = translateSftpError(err, `preMove ${key.name}`, this.endpoint);
    if (this.isConnectionLoss(typed)) return 'interrupted'; // the record knows both places: reconciled next session
    const [atSource, atPre] = await Promise.all([this.files.stat(source), this.files.stat(pre)]);
    if (atPre && !atSource) return 'interrupted'; // it did move: let the next session hand it over
    await this.repository?.release(key);
    if (atSource) this.logger.error(`${this.endpoint}: ${key.name}: cannot be moved to ${pre}: ${typed.message}; tried again at the next poll`);
    else this.logger.info(`${this.endpoint}: ${key.name}: gone before it could be taken (another consumer?)`);
    return 'skipped';
  }

  // ------------------------------------------------------------ after a crash or a dropped connection

  /**
   * Finishes what the repository says is unfinished for this endpoint:
   * decided files whose move did not complete (every poll), and, at the
   * first poll of a session, files that were being handled when the process
   * died or the connection dropped: they are handed over again.
   */
  private async reconcile(newSession: boolean, result: SftpPollResult): Promise<void> {
    if (!this.repository) return;
    const rows = await this.repository.inProgress(this.id, this.options.directory);
    for (const row of rows) {
      if (this.stopping) return;
      if (row.outcome) {
        if ((await this.finishPending(row, result)) === 'interrupted') {
          result.interrupted = true;
          return;
        }
      } else if (newSession) {
        if ((await this.resume(row, result)) === 'interrupted') {
          result.interrupted = true;
          return;
        }
      }
    }
  }

  /** Where an in-progress file is now: its recorded location, or still its source path. */
  private async locate(row: FileRecord): Promise<string | undefined> {
    const places = [...new Set([row.location, this.sourceOf(row.name)].filter((p): p is string => !!p))];
    for (const p of places) {
      const s = await this.files.stat(p);
      if (s?.isFile && s.size === row.size) return p;
    }
    return undefined;
  }

  private async finishPending(row: FileRecord, result: SftpPollResult): Promise<FileResult> {
    const file = { name: row.name, size: row.size, mtime: row.mtime };
    if (row.outcome === 'duplicate' && !row.targetPath && this.options.move) {
      // recorded as a duplicate but stopped before its target was chosen
      const where = (await this.locate(row)) ?? this.sourceOf(row.name);
      row.targetPath = await this.targetFor('duplicate', file, where);
      await this.repository!.decide(this.keyOf(file), 'duplicate', row.targetPath);
    }
    const failure = row.errorCode ? { code: row.errorCode, message: row.errorMessage ?? '' } : undefined;
    if (row.targetPath && (await this.files.stat(row.targetPath))) {
      // moved already; only the bookkeeping was missing
      return this.complete({ key: this.keyOf(file), location: row.targetPath, target: row.targetPath, outcome: row.outcome!, failure, attempt: row.attempts, file }, result);
    }
    const where = await this.locate(row);
    if (!where && row.targetPath) {
      this.logger.warn(`${this.endpoint}: ${row.name}: decided ${row.outcome} but found neither at ${row.location} nor at ${row.targetPath}; recorded as ${row.outcome}`);
      await this.repository!.finish(this.keyOf(file));
      return row.outcome!;
    }
    return this.complete({ key: this.keyOf(file), location: where ?? this.sourceOf(row.name), target: row.targetPath, outcome: row.outcome!, failure, attempt: row.attempts, file }, result);
  }

  private async resume(row: FileRecord, result: SftpPollResult): Promise<FileResult> {
    const file = { name: row.name, size: row.size, mtime: row.mtime };
    const where = await this.locate(row);
    if (!where) {
      this.logger.warn(`${this.endpoint}: ${row.name} was in progress but is no longer at ${row.location ?? this.sourceOf(row.name)}; record released`);
      await this.repository!.release(this.keyOf(file));
      return 'skipped';
    }
    this.counters.filesResumed++;
    this.logger.info(`${this.endpoint}: ${row.name} was in progress (attempt ${row.attempts}) when the last session ended: handing it over again from ${where}`);
    return this.processFile(file, result, { from: where, idempotentKey: row.idempotentKey });
  }

  private isConnectionLoss(err: unknown): boolean {
    if (!this.connection.connected) return true;
    const typed = translateSftpError(err, 'check', this.endpoint);
    const reason = (typed.data as { reason?: string } | undefined)?.reason;
    if (reason === 'NOT_CONNECTED' || typed.errorCode === 'BACKEND_TIMEOUT') {
      // the session is gone even if ssh2 has not said so yet
      this.connection.drop(typed);
      return true;
    }
    return false;
  }
}
