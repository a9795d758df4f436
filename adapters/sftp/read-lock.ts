/**
 * Read-lock strategies (Camel's `readLock` option): which of the files seen
 * in one poll are safe to read now. A file that is not safe yet is simply
 * left for a later poll: nothing is recorded for it, so it is never lost and
 * never marked as tried.
 */

/** What one listing says about a file. */
export interface ListedFile {
  name: string;
  size: number;
  /** Modification time, ms since the epoch (SFTP v3 gives whole seconds). */
  mtime: number;
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref()),
};

export interface ReadLockStrategy {
  readonly name: 'none' | 'changed';
  /**
   * Returns the candidates (in their order) that may be read now.
   * `relist` lists the directory again (one READDIR), for strategies that
   * compare two observations.
   */
  acquire<F extends ListedFile>(candidates: F[], relist: () => Promise<ListedFile[]>): Promise<F[]>;
  /** Forgets what was remembered (after a reconnect, or on stop). */
  reset(): void;
}

/**
 * `readLock=none`: every listed file is taken at once (the writer must use a
 * temp name or done file), except files younger than `minAge` (mtime), so
 * that readLockMinAge also guards a drop whose partner pauses mid-upload.
 */
export class NoReadLock implements ReadLockStrategy {
  readonly name = 'none' as const;
  constructor(private readonly minAge = 0, private readonly clock: Clock = systemClock) {}
  async acquire<F extends ListedFile>(candidates: F[]): Promise<F[]> {
    if (this.minAge <= 0) return candidates;
    const now = this.clock.now();
    return candidates.filter((f) => now - f.mtime >= this.minAge);
  }
  reset(): void {}
}

export interface ChangedReadLockOptions {
  /** ms between the two observations that must agree. */
  checkInterval: number;
  /** A file younger than this (now - mtime, ms) is left for later; 0 = no minimum. */
  minAge: number;
  /** A file shorter than this (bytes) is left for later; Camel's default is 1 (empty files wait). */
  minLength: number;
}

interface Observation {
  size: number;
  mtime: number;
  /** When this size+mtime was first seen. */
  since: number;
}

/**
 * `readLock=changed`: a file is taken once its size and modification time
 * are the same in two observations at least `checkInterval` apart, it is at
 * least `minLength` bytes long and at least `minAge` old.
 *
 * Unlike Camel, which waits file by file, one poll waits at most once for
 * all its candidates (list, wait `checkInterval`, list again), and what was
 * seen in earlier polls counts: a file that has not changed since the last
 * poll is taken without waiting.
 *
 * Caveat: SFTP v3 reports mtime in whole seconds, so a writer that pauses
 * longer than `checkInterval` without writing looks finished. Give writers
 * that pause a longer interval, or make them use a done file.
 */
export class ChangedReadLock implements ReadLockStrategy {
  readonly name = 'changed' as const;
  private readonly seen = new Map<string, Observation>();

  constructor(private readonly options: ChangedReadLockOptions, private readonly clock: Clock = systemClock) {}

  async acquire<F extends ListedFile>(candidates: F[], relist: () => Promise<ListedFile[]>): Promise<F[]> {
    const now = this.clock.now();
    const ready = new Set<F>();
    const waiting: F[] = [];
    for (const file of candidates) {
      const obs = this.observe(file, now);
      if (now - obs.since >= this.options.checkInterval) {
        if (this.acceptable(file, now)) ready.add(file);
      } else if (this.couldBecomeAcceptable(file, now)) {
        waiting.push(file);
      }
    }
    // forget files that are gone (bounded memory)
    const names = new Set(candidates.map((f) => f.name));
    for (const name of [...this.seen.keys()]) if (!names.has(name)) this.seen.delete(name);

    if (waiting.length > 0) {
      await this.clock.sleep(this.options.checkInterval);
      const again = new Map((await relist()).map((f) => [f.name, f]));
      const later = this.clock.now();
      for (const file of waiting) {
        const now2 = again.get(file.name);
        if (!now2) {
          this.seen.delete(file.name);
          continue;
        }
        if (now2.size === file.size && now2.mtime === file.mtime) {
          if (this.acceptable(file, later)) ready.add(file);
        } else {
          this.seen.set(file.name, { size: now2.size, mtime: now2.mtime, since: later });
        }
      }
    }
    return candidates.filter((f) => ready.has(f));
  }

  reset(): void {
    this.seen.clear();
  }

  private observe(file: ListedFile, now: number): Observation {
    const prev = this.seen.get(file.name);
    if (prev && prev.size === file.size && prev.mtime === file.mtime) return prev;
    const obs = { size: file.size, mtime: file.mtime, since: now };
    this.seen.set(file.name, obs);
    return obs;
  }

  private acceptable(file: ListedFile, now: number): boolean {
    return file.size >= this.options.minLength && now - file.mtime >= this.options.minAge;
  }

  /** Waiting in this poll is pointless when the file is too young for the whole interval anyway. */
  private couldBecomeAcceptable(file: ListedFile, now: number): boolean {
    return file.size >= this.options.minLength && now + this.options.checkInterval - file.mtime >= this.options.minAge;
  }
}

export function createReadLock(
  kind: 'none' | 'changed',
  options: ChangedReadLockOptions,
  clock: Clock = systemClock,
): ReadLockStrategy {
  return kind === 'changed' ? new ChangedReadLock(options, clock) : new NoReadLock(options.minAge, clock);
}
