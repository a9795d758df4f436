import { GridbusError } from '../../core/errors';

/**
 * Which files a consumer has taken, so that a restart never takes a file
 * twice and never forgets one (Camel's `idempotentRepository`). A record is
 * one file as listed (endpoint id + directory + name + size + mtime); it
 * also carries the file's idempotent key (Camel's `idempotentKey`: the
 * content hash by default). A new file whose idempotent key belongs to a file
 * that was loaded (or is being loaded) is a DUPLICATE: it is recorded with
 * outcome `duplicate`, moved like a done file, and never handed over.
 *
 * Life of a record:
 *
 *   begin()   → in-progress        (taken; `location` says where it sits)
 *               or in-progress + outcome duplicate (its key was loaded already)
 *   decide()  → in-progress + outcome done|failed + target
 *               (the handler has answered; the move is about to happen)
 *   finish()  → done | failed     (the move is complete)
 *   release()   the record is deleted (the file could not be taken after all:
 *               it stays where it is and is tried again by a later poll)
 *
 * An in-progress record without an outcome after a crash or a dropped
 * connection means the handler may or may not have seen the file: it is
 * handed over again (at-least-once). One with an outcome only needs its
 * move finished: it is not handed over again.
 */
export interface FileKey {
  endpointId: string;
  directory: string;
  name: string;
  size: number;
  /** ms since the epoch. */
  mtime: number;
}

export type FileState = 'in-progress' | 'done' | 'failed' | 'duplicate';
export type FileOutcome = 'done' | 'failed' | 'duplicate';

/** What begin() answers. */
export interface BeginResult {
  /** False: recorded already, or its key is held by a file still in progress (tried again next poll). */
  taken: boolean;
  attempt: number;
  /** Set when the file was recorded as a duplicate of this earlier file (its name). */
  duplicateOf?: string;
}

export interface FileRecord extends FileKey {
  state: FileState;
  /** The consumer instance that took it last. */
  owner: string;
  attempts: number;
  /** Where the file sits while in progress (its path, or the preMove target). */
  location: string | null;
  outcome: FileOutcome | null;
  /** Where it is (being) moved once decided; null with noop. */
  targetPath: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  /** Camel's idempotentKey value (`sha256:<hex>` for the content hash); null for rows older than the column. */
  idempotentKey: string | null;
  /** For a duplicate: the name of the file that was loaded with the same key. */
  duplicateOf: string | null;
}

export interface IdempotentRepository {
  /**
   * Of these files of one directory, the keys (see fileKeyString) that a
   * poll must not take: everything recorded, except failed files that were
   * moved to moveFailed and have since been put back (an operator's retry).
   */
  settled(endpointId: string, directory: string, files: Array<Pick<FileKey, 'name' | 'size' | 'mtime'>>): Promise<Set<string>>;
  /**
   * Records the file as taken. `taken: false` when it is recorded already
   * (another poll or node has it) or another file with the same idempotent
   * key is still in progress. When a file with the same idempotent key was
   * done (or decided done), the file is recorded with outcome `duplicate`
   * and `duplicateOf` names that file: it must not be handed over.
   */
  begin(key: FileKey, owner: string, location: string, idempotentKey: string): Promise<BeginResult>;
  /** Takes over an in-progress record left by a crash or a dropped connection. */
  resume(key: FileKey, owner: string, location: string): Promise<{ taken: boolean; attempt: number }>;
  setLocation(key: FileKey, location: string): Promise<void>;
  decide(key: FileKey, outcome: FileOutcome, targetPath: string | null, error?: { code: string; message: string }): Promise<void>;
  finish(key: FileKey): Promise<void>;
  release(key: FileKey): Promise<void>;
  inProgress(endpointId: string, directory: string): Promise<FileRecord[]>;
  get(key: FileKey): Promise<FileRecord | undefined>;
}

/**
 * True when the record stops another file with the same idempotent key from
 * being loaded: it is done, decided done, or still in progress undecided.
 * Failed files and duplicates hold nothing (the same content may come again
 * and be loaded).
 */
export function holdsKey(r: Pick<FileRecord, 'state' | 'outcome'>): boolean {
  return (r.outcome ?? r.state) === 'done' || (r.state === 'in-progress' && r.outcome === null);
}

/** A Set-friendly form of name + size + mtime. */
export function fileKeyString(f: Pick<FileKey, 'name' | 'size' | 'mtime'>): string {
  return `${f.size}:${f.mtime}:${f.name}`;
}

function recordId(k: FileKey): string {
  return JSON.stringify([k.endpointId, k.directory, k.name, k.size, k.mtime]);
}

/**
 * In memory: for unit tests and throw-away setups only (a restart forgets
 * everything, which is what the PostgreSQL repository exists to prevent).
 */
export class MemoryIdempotentRepository implements IdempotentRepository {
  readonly records = new Map<string, FileRecord>();

  async settled(endpointId: string, directory: string, files: Array<Pick<FileKey, 'name' | 'size' | 'mtime'>>): Promise<Set<string>> {
    const out = new Set<string>();
    for (const f of files) {
      const r = this.records.get(recordId({ endpointId, directory, ...f }));
      if (r && !(r.state === 'failed' && r.targetPath)) out.add(fileKeyString(f));
    }
    return out;
  }

  async begin(key: FileKey, owner: string, location: string, idempotentKey: string): Promise<BeginResult> {
    const id = recordId(key);
    const r = this.records.get(id);
    if (r && !(r.state === 'failed' && r.targetPath)) return { taken: false, attempt: r.attempts };
    const holder = [...this.records.entries()].find(
      ([other, o]) => other !== id && o.endpointId === key.endpointId && o.directory === key.directory && o.idempotentKey === idempotentKey && holdsKey(o),
    )?.[1];
    if (holder && holder.outcome === null) return { taken: false, attempt: 0 };
    const attempts = (r?.attempts ?? 0) + 1;
    const duplicateOf = holder ? holder.name : null;
    this.records.set(id, {
      ...key, state: 'in-progress', owner, attempts, location, outcome: holder ? 'duplicate' : null, targetPath: null,
      errorCode: null, errorMessage: null, idempotentKey, duplicateOf,
    });
    return holder ? { taken: true, attempt: attempts, duplicateOf: holder.name } : { taken: true, attempt: attempts };
  }

  async resume(key: FileKey, owner: string, location: string): Promise<{ taken: boolean; attempt: number }> {
    const r = this.records.get(recordId(key));
    if (!r || r.state !== 'in-progress') return { taken: false, attempt: r?.attempts ?? 0 };
    r.owner = owner;
    r.attempts++;
    r.location = location;
    return { taken: true, attempt: r.attempts };
  }

  async setLocation(key: FileKey, location: string): Promise<void> {
    const r = this.records.get(recordId(key));
    if (r) r.location = location;
  }

  async decide(key: FileKey, outcome: FileOutcome, targetPath: string | null, error?: { code: string; message: string }): Promise<void> {
    const r = this.records.get(recordId(key));
    if (!r) return;
    Object.assign(r, { outcome, targetPath, errorCode: error?.code ?? null, errorMessage: error?.message ?? null });
  }

  async finish(key: FileKey): Promise<void> {
    const r = this.records.get(recordId(key));
    if (r && r.outcome) r.state = r.outcome;
  }

  async release(key: FileKey): Promise<void> {
    const id = recordId(key);
    if (this.records.get(id)?.state === 'in-progress') this.records.delete(id);
  }

  async inProgress(endpointId: string, directory: string): Promise<FileRecord[]> {
    return [...this.records.values()].filter((r) => r.endpointId === endpointId && r.directory === directory && r.state === 'in-progress');
  }

  async get(key: FileKey): Promise<FileRecord | undefined> {
    const r = this.records.get(recordId(key));
    return r ? { ...r } : undefined;
  }
}

/**
 * Wraps a repository so that its failures (database down...) are told apart
 * from SFTP failures: BACKEND_UNAVAILABLE with reason REPOSITORY_UNAVAILABLE,
 * never taken for a lost SFTP session.
 */
export function guardRepository(repo: IdempotentRepository): IdempotentRepository {
  const guard = <A extends unknown[], R>(op: string, fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await fn.apply(repo, args);
      } catch (err) {
        if (err instanceof GridbusError) throw err;
        throw new GridbusError('BACKEND_UNAVAILABLE', `idempotent repository: ${op} failed: ${(err as Error)?.message ?? err}`, {
          details: { reason: 'REPOSITORY_UNAVAILABLE', operation: op },
          cause: err,
        });
      }
    };
  return {
    settled: guard('settled', repo.settled),
    begin: guard('begin', repo.begin),
    resume: guard('resume', repo.resume),
    setLocation: guard('setLocation', repo.setLocation),
    decide: guard('decide', repo.decide),
    finish: guard('finish', repo.finish),
    release: guard('release', repo.release),
    inProgress: guard('inProgress', repo.inProgress),
    get: guard('get', repo.get),
  };
}
