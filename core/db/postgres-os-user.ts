import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { EmbeddedDatabaseError } from './embedded-database-error';

/** The OS account PostgreSQL runs as when the bus runs as root (PostgreSQL refuses to run as root). */
export const POSTGRES_OS_USER = 'postgres';

export interface PostgresRunAs {
  name: string;
  uid: number;
  gid: number;
}

function lookUp(name: string): PostgresRunAs | null {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim());
    const gid = Number(execFileSync('id', ['-g', name], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { name, uid, gid } : null;
  } catch {
    return null;
  }
}

/**
 * Who runs initdb and postgres: null for "this process's own user", or, as
 * root, the `postgres` OS user, created (a system account without a shell or
 * home) when missing, as the Debian package would. With `create: false` a
 * missing account is reported as null too (nothing can run as it yet).
 */
export function postgresRunAs(opts: { create?: boolean } = {}): PostgresRunAs | null {
  if (process.getuid?.() !== 0) return null;
  const found = lookUp(POSTGRES_OS_USER);
  if (found || opts.create === false) return found;
  const args = ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', POSTGRES_OS_USER];
  const made = spawnSync('useradd', args, { encoding: 'utf8' });
  // a bus starting beside this one may have created it in the meantime
  const after = lookUp(POSTGRES_OS_USER);
  if (after) return after;
  const why = made.error ? made.error.message : (made.stderr || `useradd exited ${made.status}`).trim();
  throw new EmbeddedDatabaseError(
    'os-user',
    `PostgreSQL refuses to run as root and the OS user '${POSTGRES_OS_USER}' is missing and could not be created (${why}): ` +
      `create it (useradd --system --user-group ${POSTGRES_OS_USER}), start gridbus as a non-root user, or set DATABASE_URL`,
  );
}

/**
 * `test <flag> <file>` run exactly as postgres will be (same uid and gid):
 * the honest answer to "can it reach this", ACLs and group bits included.
 */
export function postgresCan(runAs: PostgresRunAs | null, flag: '-x' | '-w' | '-r' | '-e', file: string): boolean {
  if (!runAs) return true;
  return spawnSync('test', [flag, file], { uid: runAs.uid, gid: runAs.gid, stdio: 'ignore' }).status === 0;
}

/**
 * The outermost folder on the way to `file` that the postgres user cannot
 * pass through, if any. Folders that do not exist yet are not counted.
 */
export function firstBlockingFolder(runAs: PostgresRunAs | null, file: string): string | null {
  if (!runAs) return null;
  const folders: string[] = [];
  for (let dir = path.dirname(path.resolve(file)); ; dir = path.dirname(dir)) {
    folders.unshift(dir);
    if (dir === path.dirname(dir)) break;
  }
  for (const dir of folders) {
    if (!fs.existsSync(dir)) return null;
    if (!postgresCan(runAs, '-x', dir)) return dir;
  }
  return null;
}
