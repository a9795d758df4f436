import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { EmbeddedBinaries } from './embedded-binaries';
import { EmbeddedDatabaseError } from './embedded-database-error';
import { PostgresRunAs, firstBlockingFolder, postgresCan } from './postgres-os-user';

/**
 * Where PostgreSQL's data and programs go when the `postgres` OS user cannot
 * reach the folder they belong in (a checkout or VAR_DIR inside a private
 * folder such as /root or a `mktemp -d` one). Persistent state, so not /tmp
 * nor /var/tmp (cleaned by age); one folder per wanted path, so two checkouts
 * never share data.
 */
export const POSTGRES_HOME_BASE = '/var/lib/gridbus';

/** What a link at the wanted path must point to; the `origin` file beside the data names the wanted path for humans. */
const ORIGIN_FILE = 'origin';

export interface PostgresPlace {
  /** The directory postgres really uses (it may not exist yet). */
  dir: string;
  /** True when `dir` is under the base, with a symbolic link at the wanted path recording it. */
  relocated: boolean;
  /** The folder that keeps the postgres user out of the wanted path, when that is why it moved. */
  blockedBy: string | null;
}

export interface PlaceOptions {
  runAs: PostgresRunAs | null;
  /** POSTGRES_HOME_BASE unless a test says otherwise. */
  base?: string;
}

function relocatedDir(wanted: string, base: string): string {
  const id = createHash('sha256').update(wanted).digest('hex').slice(0, 12);
  return path.join(base, id, path.basename(wanted));
}

function linkTarget(file: string): string | null {
  try {
    return path.resolve(path.dirname(file), fs.readlinkSync(file));
  } catch {
    return null;
  }
}

/**
 * The rule, without changing anything: a link at `wanted` is followed (it
 * records an earlier relocation); otherwise `wanted` itself when the postgres
 * user can reach its folder, else its relocated twin under the base.
 */
export function postgresPlaceOf(wanted: string, opts: PlaceOptions): PostgresPlace {
  const abs = path.resolve(wanted);
  const linked = linkTarget(abs);
  if (linked) return { dir: linked, relocated: true, blockedBy: null };
  const blockedBy = firstBlockingFolder(opts.runAs, abs);
  if (!blockedBy) return { dir: abs, relocated: false, blockedBy: null };
  return { dir: relocatedDir(abs, opts.base ?? POSTGRES_HOME_BASE), relocated: true, blockedBy };
}

function mkdirReachable(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.chmodSync(dir, 0o755);
}

function ensureHome(home: string, runAs: PostgresRunAs | null): void {
  mkdirReachable(path.dirname(home));
  mkdirReachable(home);
  const blocked = firstBlockingFolder(runAs, path.join(home, 'x'));
  if (blocked) {
    throw new EmbeddedDatabaseError(
      'unreachable',
      `the postgres OS user cannot reach ${path.dirname(home)} either (${blocked} is private): open the way (chmod o+x ${blocked}), or set EMBEDDED_PG_DIR to a folder it can reach`,
    );
  }
}

/**
 * Applies the rule: afterwards the parent of the returned `dir` exists and
 * the postgres user can pass through it; `dir` itself is the caller's to
 * create (initdb makes a data directory, services.sh a folder for data and
 * log). When relocated, `wanted` becomes a link to `dir`, so the data
 * survives restarts and `ls -l` shows where it is.
 */
export function preparePostgresPlace(wanted: string, opts: PlaceOptions, log: (m: string) => void = () => undefined): PostgresPlace {
  const abs = path.resolve(wanted);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  const place = postgresPlaceOf(abs, opts);
  if (!place.relocated) return place;
  const home = path.dirname(place.dir);
  if (!place.blockedBy) {
    // followed an existing link
    ensureHome(home, opts.runAs);
    return place;
  }
  if (fs.existsSync(abs)) {
    if (fs.statSync(abs).isDirectory() && fs.readdirSync(abs).length === 0) {
      fs.rmdirSync(abs); // left by a start that failed before it had data
    } else {
      throw new EmbeddedDatabaseError(
        'unreachable',
        `${abs} is out of reach of the postgres OS user (${place.blockedBy} is private): ` +
          `open the way (chmod o+x ${place.blockedBy}) or move it (mkdir -p ${home} && mv ${abs} ${place.dir} && ln -s ${place.dir} ${abs})`,
      );
    }
  }
  if (fs.existsSync(home)) {
    // its link is gone (VAR_DIR deleted): that data belongs to keys and passwords that are gone too
    const aside = `${home}.orphaned-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    fs.renameSync(home, aside);
    log(`${home} held data of an earlier ${abs} whose link is gone: moved it to ${aside} (delete it when not needed)`);
  }
  ensureHome(home, opts.runAs);
  fs.writeFileSync(path.join(home, ORIGIN_FILE), `${abs}\n`);
  try {
    fs.symlinkSync(place.dir, abs);
  } catch (err) {
    // a bus starting beside this one linked it first
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || linkTarget(abs) !== place.dir) throw err;
  }
  return place;
}

/**
 * The bin/ folder of a PostgreSQL build the postgres user can run: the
 * package's own, or a copy of its native/ folder under the base (made once
 * per build; copied aside, then renamed, so a concurrent start never sees
 * half of it).
 */
export function postgresBinariesFor(binaries: EmbeddedBinaries, opts: PlaceOptions, log: (m: string) => void = () => undefined): string {
  const own = path.join(binaries.nativeDir, 'bin');
  if (postgresCan(opts.runAs, '-x', path.join(own, 'postgres'))) return own;
  const copy = path.join(opts.base ?? POSTGRES_HOME_BASE, 'pg-native', binaries.id);
  const sameBuild = () => {
    try {
      return fs.statSync(path.join(copy, 'bin', 'postgres')).size === fs.statSync(path.join(own, 'postgres')).size;
    } catch {
      return false;
    }
  };
  if (!sameBuild()) {
    log(`the ${opts.runAs?.name} OS user cannot run ${own}: copying PostgreSQL's programs to ${copy} (once per build)`);
    mkdirReachable(path.dirname(path.dirname(copy)));
    mkdirReachable(path.dirname(copy));
    const tmp = `${copy}.tmp-${process.pid}`;
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.cpSync(binaries.nativeDir, tmp, { recursive: true, verbatimSymlinks: true });
    fs.chmodSync(tmp, 0o755);
    fs.rmSync(copy, { recursive: true, force: true });
    try {
      fs.renameSync(tmp, copy);
    } catch (err) {
      fs.rmSync(tmp, { recursive: true, force: true });
      if (!sameBuild()) throw err;
    }
  }
  const bin = path.join(copy, 'bin');
  if (!postgresCan(opts.runAs, '-x', path.join(bin, 'postgres'))) {
    throw new EmbeddedDatabaseError(
      'binaries',
      `the postgres OS user cannot run ${path.join(bin, 'postgres')} (is ${path.dirname(copy)} mounted noexec?): ` +
        `set DATABASE_URL to a PostgreSQL server, or start gridbus as a non-root user`,
    );
  }
  return bin;
}
