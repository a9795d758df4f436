import { expect } from 'chai';
import * as fs from 'fs';
import * as path from 'path';
import { RunningBus, startBus } from '../../../../bin/bootstrap';
import { loadConfig } from '../../../../config';
import { sampleFileName, sampleTotals, writeSampleFile } from '../../../../simulators/files/reconciliation-files';
import { createFreshDatabase, query } from '../../../helpers/db';
import { requireEnv } from '../../../helpers/env';
import { eventually } from '../../../helpers/http';

/**
 * The reconciliation channel end to end: files dropped on the real OpenSSH
 * SFTP server are taken by the SFTP adapter, checked and loaded by the
 * layout of the active mapping release; a file whose totals are wrong goes to
 * .failed with a reason beside it, and the good files around it are loaded
 * exactly once, also across a restart.
 */
describe('reconcile - reconciliation files from the SFTP drop into PostgreSQL', function () {
  this.timeout(60000);
  let db: { url: string; drop(): Promise<void> };
  let bus: RunningBus;
  let dir: string;
  const remoteDir = () => dir;

  const start = async () =>
    startBus(
      loadConfig({
        DATABASE_URL: db.url,
        SERVICES: 'reconcile',
        LOG_LEVEL: 'error',
        RECON_SFTP_URL: `sftp://${requireEnv('TEST_SFTP_USER')}@${requireEnv('TEST_SFTP_HOST')}:${requireEnv('TEST_SFTP_PORT')}${remoteDir()}`,
        RECON_SFTP_KEY_FILE: requireEnv('TEST_SFTP_KEY'),
        RECON_SFTP_KNOWN_HOSTS: requireEnv('TEST_SFTP_KNOWN_HOSTS'),
        RECON_POLL_MS: '200',
      }),
    );

  before(async () => {
    db = await createFreshDatabase();
    dir = path.join(requireEnv('TEST_SFTP_ROOT'), `recon-${process.pid}-${Date.now()}`);
    fs.mkdirSync(dir, { recursive: true });
    await writeSampleFile('fixed', path.join(dir, sampleFileName('fixed', { seq: 1 })), { count: 3000, seed: 21, seq: 1 });
    await writeSampleFile('fixed', path.join(dir, sampleFileName('fixed', { seq: 2 })), { count: 1000, seed: 22, seq: 2, faults: { wrongTotal: true } });
    await writeSampleFile('fixed', path.join(dir, sampleFileName('fixed', { seq: 3 })), { count: 2000, seed: 23, seq: 3 });
    bus = await start();
  });

  after(async () => {
    await bus?.stop();
    await db?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('loads the good files, and moves the file with wrong totals to .failed with a reason file', async () => {
    const done = path.join(dir, '.done');
    const failed = path.join(dir, '.failed');
    await eventually(
      async () => [fs.existsSync(done) ? fs.readdirSync(done) : [], fs.existsSync(failed) ? fs.readdirSync(failed) : []],
      ([d, f]) => d.length === 2 && f.length === 2,
      30000,
    );
    expect(fs.readdirSync(done).sort()).to.deep.equal([sampleFileName('fixed', { seq: 1 }), sampleFileName('fixed', { seq: 3 })].sort());
    const bad = sampleFileName('fixed', { seq: 2 });
    const reason = fs.readFileSync(path.join(failed, `${bad}.reason.txt`), 'utf8');
    expect(reason).to.contain('BACKEND_BAD_RESPONSE');
    expect(reason).to.match(/total|sum/i);
    const files = await query<{ name: string; records: number }>(db.url, 'SELECT name, records FROM inbound_file ORDER BY name');
    expect(files).to.deep.equal([
      { name: sampleFileName('fixed', { seq: 1 }), records: 3000 },
      { name: sampleFileName('fixed', { seq: 3 }), records: 2000 },
    ]);
    const [sum] = await query<{ n: number; fen: string }>(db.url, 'SELECT count(*)::int AS n, sum(amount_fen)::text AS fen FROM reconciliation_record');
    expect(sum.n).to.equal(5000);
    expect(Number(sum.fen)).to.equal(sampleTotals({ count: 3000, seed: 21 }).sumFen + sampleTotals({ count: 2000, seed: 23 }).sumFen);
  });

  it('does not load anything twice after a restart, and lists the files for operators', async () => {
    await bus.stop();
    bus = await start();
    await bus.broker.call('reconcile.pollFiles');
    await bus.broker.call('reconcile.pollFiles');
    const [sum] = await query<{ n: number }>(db.url, 'SELECT count(*)::int AS n FROM reconciliation_record');
    expect(sum.n).to.equal(5000);
    const listed = (await bus.broker.call('reconcile.files')) as Array<{ name: string; records: number }>;
    expect(listed.map((f) => f.records).sort()).to.deep.equal([2000, 3000]);
  });
});
