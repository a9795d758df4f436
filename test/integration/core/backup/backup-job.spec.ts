import { expect } from 'chai';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { ServiceBroker } from 'moleculer';
import { DataSource } from 'typeorm';
import { restore } from '../../../../core/backup';
import { openDatabase } from '../../../../core/db';
import { JobRunner } from '../../../../scheduler/job-runner';
import { JobStore } from '../../../../scheduler/job-store';
import { JOB_KINDS } from '../../../../scheduler/jobs';
import { JobRegistry } from '../../../../scheduler/registry';
import { createFreshDatabase, query } from '../../../helpers/db';
import { requireEnv } from '../../../helpers/env';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('scheduler - the backup job on real PostgreSQL', function () {
  this.timeout(60000);
  let db: { url: string; drop(): Promise<void> };
  let ds: DataSource;
  let store: JobStore;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-backup-job-'));
  const key = randomBytes(32).toString('hex');

  before(async () => {
    db = await createFreshDatabase();
    ds = (await openDatabase(db.url)).dataSource;
    store = new JobStore(ds);
    await store.seed(JOB_KINDS);
  });
  after(async () => {
    await ds?.destroy();
    await db?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const runner = (backup: Record<string, unknown>) => {
    const config = { database: { url: db.url }, natsUrl: null, varDir: dir, backup: { sftpUrl: null, keepDaily: 1, keepMonthly: 0, ...backup } } as never;
    return new JobRunner(store, new JobRegistry(JOB_KINDS), 'node-b', { dataSource: ds, config, broker: {} as ServiceBroker }, quiet);
  };

  it('is a registered job (nightly by default) that writes an archive to VAR_DIR/backups, keeps retention there, and the archive restores', async () => {
    const [row] = await query<{ cron: string }>(db.url, `SELECT cron FROM job_schedule WHERE job = 'backup'`);
    expect(row.cron).to.equal('15 2 * * *');
    const backups = path.join(dir, 'backups');
    fs.mkdirSync(backups, { recursive: true });
    fs.writeFileSync(path.join(backups, 'gridbus-20200101T000000Z.gbk'), 'old');
    const result = await runner({ key }).runInstant('backup', new Date(), 'manual');
    expect(result, result?.error ?? '').to.deep.include({ outcome: 'ok' });
    expect(result!.counts).to.include({ deleted: 1 });
    expect(result!.counts!.tables).to.be.greaterThan(10);
    const files = fs.readdirSync(backups);
    expect(files).to.have.length(1);
    expect(files[0]).to.match(/^gridbus-\d{8}T\d{6}Z\.gbk$/);
    const target = await createFreshDatabase();
    try {
      const report = await restore(fs.readFileSync(path.join(backups, files[0])), Buffer.from(key, 'hex'), target.url);
      expect(report.ok).to.equal(true);
    } finally {
      await target.drop();
    }
  });

  it('fails its run naming BACKUP_KEY on a configured database without one (no archive written)', async () => {
    const before = fs.readdirSync(path.join(dir, 'backups'));
    const result = await runner({ key: null }).runInstant('backup', new Date(), 'manual');
    expect(result!.outcome).to.equal('failed');
    expect(result!.error).to.match(/BACKUP_KEY/);
    expect(fs.readdirSync(path.join(dir, 'backups'))).to.deep.equal(before);
  });

  it('fails its run naming BACKUP_SFTP_URL and the cause when the drop refuses the upload, keeping the archive in VAR_DIR/backups', async () => {
    const notADir = path.join(requireEnv('TEST_SFTP_ROOT'), `file-${randomBytes(4).toString('hex')}`);
    fs.writeFileSync(notADir, 'a file, not a directory');
    try {
      const result = await runner({
        key,
        sftpUrl: `sftp://${requireEnv('TEST_SFTP_USER')}:hunter2pw@${requireEnv('TEST_SFTP_HOST')}:${requireEnv('TEST_SFTP_PORT')}${notADir}`,
        sftpKeyFile: requireEnv('TEST_SFTP_KEY'),
        sftpKnownHosts: requireEnv('TEST_SFTP_KNOWN_HOSTS'),
      }).runInstant('backup', new Date(), 'manual');
      expect(result!.outcome).to.equal('failed');
      expect(result!.error).to.match(/^BACKUP_SFTP_URL sftp:\/\/\w+:\*\*\*@.* refused the upload: .*already exists as a file; the archive is kept at /);
      expect(result!.error).to.not.contain('hunter2pw');
      const kept = /the archive is kept at (\S+\.gbk)$/.exec(result!.error!)![1];
      expect(path.dirname(kept)).to.equal(path.join(dir, 'backups'));
      const [run] = await query<{ outcome: string; error: string }>(db.url, `SELECT outcome, error FROM job_run WHERE job = 'backup' ORDER BY id DESC LIMIT 1`);
      expect(run).to.deep.equal({ outcome: 'failed', error: result!.error });
      const target = await createFreshDatabase();
      try {
        expect((await restore(fs.readFileSync(kept), Buffer.from(key, 'hex'), target.url)).ok).to.equal(true);
      } finally {
        await target.drop();
      }
    } finally {
      fs.rmSync(notADir, { force: true });
    }
  });
});
