import { spawnSync } from 'child_process';
import { expect } from 'chai';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { openDatabase } from '../../../../core/db';
import { CLI } from '../../../helpers/bus-process';
import { createFreshDatabase, query } from '../../../helpers/db';
import { requireEnv } from '../../../helpers/env';

describe('gridbus backup run | restore (the CLI, real PostgreSQL)', function () {
  this.timeout(120_000);
  const dbs: { url: string; drop(): Promise<void> }[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-backup-'));
  const key = randomBytes(32).toString('hex');
  after(async () => {
    for (const d of dbs) await d.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const fresh = async () => {
    const d = await createFreshDatabase();
    dbs.push(d);
    return d.url;
  };
  const cli = (env: Record<string, string>, ...args: string[]) =>
    spawnSync(process.execPath, [CLI, 'backup', ...args], { env: { PATH: process.env.PATH, VAR_DIR: path.join(dir, 'var'), ...env }, encoding: 'utf8', timeout: 60_000 });

  it('backs up DATABASE_URL to a file and restores it into an empty database, with progress per table on stderr', async () => {
    const source = await fresh();
    const { dataSource } = await openDatabase(source);
    await dataSource.query(
      `INSERT INTO message_log (operation, mapping_version, outcome, duration_ms, canonical_request) SELECT 'op' || g, 'v1', 'ok', g, '{"line":"a\\nb"}' FROM generate_series(1, 50) g`,
    );
    await dataSource.destroy();
    const file = path.join(dir, 'b.gbk');
    const run = cli({ DATABASE_URL: source, BACKUP_KEY: key }, 'run', '--to', file);
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout.trim()).to.equal(file);
    expect(run.stderr).to.match(/backup: exported schema_migrations: \d+ bytes/);
    expect((fs.statSync(file).mode & 0o777).toString(8)).to.equal('600');

    const target = await fresh();
    const restored = cli({ BACKUP_KEY: key }, 'restore', '--from', file, '--to', target);
    expect(restored.status, restored.stderr).to.equal(0);
    expect(restored.stdout).to.match(/every row count and checksum matches/);
    expect(restored.stderr).to.match(/backup: checked schema_migrations: \d+ rows in the archive, \d+ restored, checksum matches/);
    expect(restored.stderr).to.match(/backup: checked message_log: 50 rows in the archive, 50 restored, checksum matches/);
    const [b] = await query<{ n: number }>(target, 'SELECT count(*)::int AS n FROM message_log');
    expect(b.n).to.equal(50);

    // damaged: refused with the code, exit 1, nothing written
    const damaged = fs.readFileSync(file);
    damaged[damaged.length >> 1] ^= 1;
    fs.writeFileSync(path.join(dir, 'bad.gbk'), damaged);
    const empty = await fresh();
    const refused = cli({ BACKUP_KEY: key }, 'restore', '--from', path.join(dir, 'bad.gbk'), '--to', empty);
    expect(refused.status).to.equal(1);
    expect(refused.stderr).to.match(/BACKUP_INVALID: backup archive refused: the authentication tag does not match/);
    const [t] = await query<{ n: number }>(empty, `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'`);
    expect(t.n).to.equal(0);
  });

  it('refuses a backup on a configured database without BACKUP_KEY, naming it (exit 2)', async () => {
    const r = cli({ DATABASE_URL: await fresh() }, 'run', '--to', path.join(dir, 'x.gbk'));
    expect(r.status).to.equal(2);
    expect(r.stderr).to.match(/BACKUP_KEY/);
    expect(fs.existsSync(path.join(dir, 'x.gbk'))).to.equal(false);
  });
});

describe('gridbus backup run to the SFTP drop (real OpenSSH SFTP)', function () {
  this.timeout(120_000);
  it('uploads the archive to BACKUP_SFTP_URL, then applies retention there, leaving other files alone', async () => {
    const root = requireEnv('TEST_SFTP_ROOT');
    const sub = `backup-${randomBytes(4).toString('hex')}`;
    const drop = path.join(root, sub);
    fs.mkdirSync(drop, { recursive: true });
    const old = ['gridbus-20200101T010000Z.gbk', 'gridbus-20200102T010000Z.gbk', 'gridbus-20200102T000000Z.gbk'];
    for (const n of [...old, 'notes.txt']) fs.writeFileSync(path.join(drop, n), 'x');
    const db = await createFreshDatabase();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-backup-'));
    try {
      const { dataSource } = await openDatabase(db.url);
      await dataSource.destroy();
      const key = randomBytes(32).toString('hex');
      const env = {
        PATH: process.env.PATH!,
        VAR_DIR: dir,
        DATABASE_URL: db.url,
        BACKUP_KEY: key,
        BACKUP_SFTP_URL: `sftp://${requireEnv('TEST_SFTP_USER')}@${requireEnv('TEST_SFTP_HOST')}:${requireEnv('TEST_SFTP_PORT')}${drop}`,
        BACKUP_SFTP_KEY_FILE: requireEnv('TEST_SFTP_KEY'),
        BACKUP_SFTP_KNOWN_HOSTS: requireEnv('TEST_SFTP_KNOWN_HOSTS'),
        BACKUP_KEEP_DAILY: '2',
        BACKUP_KEEP_MONTHLY: '0',
      };
      const r = spawnSync(process.execPath, [CLI, 'backup', 'run'], { env, encoding: 'utf8', timeout: 60_000 });
      expect(r.status, r.stderr).to.equal(0);
      const uploaded = path.basename(r.stdout.trim());
      expect(uploaded).to.match(/^gridbus-\d{8}T\d{6}Z\.gbk$/);
      expect(r.stderr).to.match(/retention removed gridbus-20200101T010000Z\.gbk, gridbus-20200102T000000Z\.gbk\n/);
      expect(fs.readdirSync(drop).sort()).to.deep.equal(['gridbus-20200102T010000Z.gbk', uploaded, 'notes.txt'].sort());

      // what is on the drop restores
      const target = await createFreshDatabase();
      try {
        const back = spawnSync(process.execPath, [CLI, 'backup', 'restore', '--from', path.join(drop, uploaded), '--to', target.url], { env: { PATH: env.PATH, BACKUP_KEY: key }, encoding: 'utf8', timeout: 60_000 });
        expect(back.status, back.stderr).to.equal(0);
      } finally {
        await target.drop();
      }
    } finally {
      await db.drop();
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(drop, { recursive: true, force: true });
    }
  });

  it('exits 1 naming BACKUP_SFTP_URL (password masked) and the cause when the drop refuses, keeping the archive in VAR_DIR/backups', async () => {
    const notADir = path.join(requireEnv('TEST_SFTP_ROOT'), `file-${randomBytes(4).toString('hex')}`);
    fs.writeFileSync(notADir, 'a file, not a directory');
    const db = await createFreshDatabase();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-backup-'));
    try {
      await (await openDatabase(db.url)).dataSource.destroy(); // migrated
      const key = randomBytes(32).toString('hex');
      const env = {
        PATH: process.env.PATH!,
        VAR_DIR: dir,
        DATABASE_URL: db.url,
        BACKUP_KEY: key,
        BACKUP_SFTP_URL: `sftp://${requireEnv('TEST_SFTP_USER')}:hunter2pw@${requireEnv('TEST_SFTP_HOST')}:${requireEnv('TEST_SFTP_PORT')}${notADir}`,
        BACKUP_SFTP_KEY_FILE: requireEnv('TEST_SFTP_KEY'),
        BACKUP_SFTP_KNOWN_HOSTS: requireEnv('TEST_SFTP_KNOWN_HOSTS'),
      };
      const r = spawnSync(process.execPath, [CLI, 'backup', 'run'], { env, encoding: 'utf8', timeout: 60_000 });
      expect(r.status, r.stderr).to.equal(1);
      expect(r.stdout).to.equal('');
      expect(r.stderr).to.match(/BACKUP_UPLOAD_FAILED: BACKUP_SFTP_URL sftp:\/\/\w+:\*\*\*@.* refused the upload: .*already exists as a file; the archive is kept at /);
      expect(r.stderr).to.not.contain('hunter2pw');
      expect(r.stderr).to.not.match(/^\s+at /m); // a clear error, not a stack trace
      const kept = fs.readdirSync(path.join(dir, 'backups'));
      expect(kept).to.have.length(1);
      expect(r.stderr).to.contain(path.join(dir, 'backups', kept[0]));
      expect(fs.readFileSync(notADir, 'utf8')).to.equal('a file, not a directory');
    } finally {
      await db.drop();
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(notADir, { force: true });
    }
  });
});
