import { expect } from 'chai';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Client } from 'pg';
import { EmbeddedDatabase, startEmbeddedPostgres } from '../../../../core/db';
import { EmbeddedDatabaseError } from '../../../../core/db/embedded-database-error';
import { startPostgresServer } from '../../../../core/db/postgres-process';
import { removeBusState } from '../../../helpers/bus-process';
import { freePort } from '../../../helpers/ports';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('embedded postgres - runs apart from the terminal and stops even when it went first', function () {
  this.timeout(60000);
  let work: string;
  let db: EmbeddedDatabase | null = null;

  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-epg-'));
  });

  afterEach(async () => {
    await db?.stop();
    db = null;
    removeBusState(work);
  });

  it('runs postgres in a process group of its own, so a Ctrl-C to the bus group does not reach it', async () => {
    db = await startEmbeddedPostgres({ dir: path.join(work, 'pg'), port: await freePort(), log: () => undefined });
    const pid = Number(fs.readFileSync(path.join(db.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const groupOf = (p: number) => Number(execFileSync('ps', ['-o', 'pgid=', '-p', String(p)]).toString().trim());
    expect(groupOf(pid)).to.equal(pid);
    expect(groupOf(pid)).to.not.equal(groupOf(process.pid));
  });

  it('stop() returns at once when postgres already exited (it used to wait forever)', async () => {
    db = await startEmbeddedPostgres({ dir: path.join(work, 'pg'), port: await freePort(), log: () => undefined });
    const pid = Number(fs.readFileSync(path.join(db.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    process.kill(pid, 'SIGINT');
    for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    expect(alive(pid)).to.equal(false);
    const started = Date.now();
    await db.stop();
    expect(Date.now() - started).to.be.below(2000);
  });

  it('the database password is generated beside the data (0600); data set up with the old constant password gets a generated one at its next start', async () => {
    const dir = path.join(work, 'pg');
    const port = await freePort();
    db = await startEmbeddedPostgres({ dir, port, log: () => undefined });
    const passwordFile = path.join(`${dir}.credentials`, 'password');
    expect(fs.statSync(passwordFile).mode & 0o777).to.equal(0o600);
    expect(db.url).to.not.contain(':gridbus@');
    // make it look like data from before: the old constant password, no password file
    const admin = new Client({ connectionString: db.url });
    await admin.connect();
    await admin.query("ALTER ROLE gridbus PASSWORD 'gridbus'");
    await admin.end();
    await db.stop();
    fs.rmSync(`${dir}.credentials`, { recursive: true });

    const logged: string[] = [];
    db = await startEmbeddedPostgres({ dir, port, log: (m) => logged.push(m) });
    expect(logged.join('\n')).to.match(/its password is now a generated one/);
    const fresh = new Client({ connectionString: db.url });
    await fresh.connect();
    await fresh.end();
    const legacy = new Client({ host: '127.0.0.1', port, user: 'gridbus', password: 'gridbus', database: 'gridbus' });
    legacy.on('error', () => undefined);
    const refused = await legacy.connect().then(() => null, (err: Error) => err);
    expect(refused, 'the old constant password still logs in').to.not.equal(null);
  });

  it('a postgres program that cannot be run is a typed error naming the fix, never an unhandled error event', async () => {
    const logFile = path.join(work, 'pg.log');
    const start = startPostgresServer({ binDir: path.join(work, 'no-such-bin'), dataDir: path.join(work, 'data'), port: await freePort(), runAs: null, logFile, onUnexpectedExit: () => undefined });
    const err = await start.then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(EmbeddedDatabaseError);
    expect((err as EmbeddedDatabaseError).reason).to.equal('binaries');
    expect((err as Error).message).to.match(/could not run .*no-such-bin\/postgres .*\(ENOENT\): reinstall with npm ci, or set DATABASE_URL/);
  });
});
