import { spawnSync } from 'child_process';
import { expect } from 'chai';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { openDatabase } from '../../../../core/db';
import { CLI } from '../../../helpers/bus-process';
import { createFreshDatabase, query } from '../../../helpers/db';

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
