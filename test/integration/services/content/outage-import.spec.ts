import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { encode } from 'iconv-lite';
import { RunningBus, startBus } from '../../../../bin/bootstrap';
import { loadConfig } from '../../../../config';
import { createFreshDatabase, query } from '../../../helpers/db';
import { requireEnv, TEST_JWT_ENV } from '../../../helpers/env';
import { eventually } from '../../../helpers/http';

type Line = [id: string, areaCode: string, areaName: string, start: string, end: string, kind: string, reason: string, scope: string, issued: string];

/** A file of the layout datacenter.outage-bulletins-delimited: GBK, a header with the count, pipe-delimited bulletins. */
function outageFile(lines: Line[], count = lines.length): Buffer {
  const text = [`H|20261205090000|${count}`, ...lines.map((l) => `D|${l.join('|')}`)].join('\r\n') + '\r\n';
  return encode(text, 'gbk');
}

interface Row {
  bulletin_id: string;
  area_name: string;
  starts_at: Date;
  reason: string;
  source_file: string;
}

/**
 * Outage bulletins end to end: GBK files dropped on the real OpenSSH SFTP
 * server are taken by the channel datacenter.outage-bulletins (shipped
 * definition, GRIDBUS_VAR_OUTAGE_SFTP_URL) when the scheduled job
 * outage-import runs; a bulletin sent again with a later issue replaces the
 * earlier one, an older issue or the same file again changes nothing, and a
 * bad file goes to .failed with a reason file while the others load.
 */
describe('content - outage bulletins imported from the SFTP drop by the job outage-import', function () {
  this.timeout(90000);
  let db: { url: string; drop(): Promise<void> };
  let bus: RunningBus;
  let dir: string;
  let varDir: string;

  const start = () =>
    startBus(
      loadConfig({
        ...TEST_JWT_ENV,
        DATABASE_URL: db.url,
        SERVICES: 'content,scheduler,audit',
        LOG_LEVEL: 'error',
        VAR_DIR: varDir,
        NODE_ID: `outage-${process.pid}`,
        GRIDBUS_VAR_OUTAGE_SFTP_URL: `sftp://${requireEnv('TEST_SFTP_USER')}@${requireEnv('TEST_SFTP_HOST')}:${requireEnv('TEST_SFTP_PORT')}${dir}`,
        GRIDBUS_VAR_OUTAGE_SFTP_KEY_FILE: requireEnv('TEST_SFTP_KEY'),
        GRIDBUS_VAR_OUTAGE_SFTP_KNOWN_HOSTS: requireEnv('TEST_SFTP_KNOWN_HOSTS'),
      }),
    );
  const rows = () => query<Row>(db.url, 'SELECT bulletin_id, area_name, starts_at, reason, source_file FROM outage_bulletin ORDER BY bulletin_id');
  const runJob = async () => {
    const before = await query<{ n: number }>(db.url, `SELECT count(*)::int AS n FROM job_run WHERE job = 'outage-import' AND outcome <> 'running'`);
    await bus.broker.call('scheduler.run', { job: 'outage-import' });
    await eventually(
      () => query<{ n: number }>(db.url, `SELECT count(*)::int AS n FROM job_run WHERE job = 'outage-import' AND outcome <> 'running'`),
      ([r]) => r.n > before[0].n,
      30000,
    );
  };
  const drop = (name: string, body: Buffer) => fs.writeFileSync(path.join(dir, name), body);
  const listing = (sub: string) => (fs.existsSync(path.join(dir, sub)) ? fs.readdirSync(path.join(dir, sub)).sort() : []);

  before(async () => {
    db = await createFreshDatabase();
    varDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-outage-'));
    dir = path.join(requireEnv('TEST_SFTP_ROOT'), `outage-${process.pid}-${Date.now()}`);
    fs.mkdirSync(dir, { recursive: true });
    bus = await start();
  });

  after(async () => {
    await bus?.stop();
    await db?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(varDir, { recursive: true, force: true });
  });

  it('content - the channel waits for the job: nothing is read before outage-import runs, then a GBK file loads with its times in Beijing time', async () => {
    drop('TDGG_20261205_001.txt', outageFile([
      ['TD001', '330102', '上城区', '2026-12-06 08:00:00', '2026-12-06 17:00:00', 'PLANNED', '线路检修', '解放路沿线', '2026-12-05 09:00:00'],
      ['TD002', '330106', '西湖区', '2026-12-05 10:00:00', '2026-12-05 14:00:00', 'FAULT', '电缆故障抢修', '文三路 398 号周边', '2026-12-05 10:05:00'],
    ]));
    await new Promise((r) => setTimeout(r, 1500));
    expect(await rows()).to.have.length(0);
    await runJob();
    const loaded = await rows();
    expect(loaded.map((r) => [r.bulletin_id, r.area_name, r.reason, r.source_file])).to.deep.equal([
      ['TD001', '上城区', '线路检修', 'TDGG_20261205_001.txt'],
      ['TD002', '西湖区', '电缆故障抢修', 'TDGG_20261205_001.txt'],
    ]);
    expect(loaded[0].starts_at.toISOString()).to.equal('2026-12-06T00:00:00.000Z');
    expect(listing('.done')).to.deep.equal(['TDGG_20261205_001.txt']);
  });

  it('content - a later issue of a bulletin replaces it, an older issue does not, and the same content again adds nothing', async () => {
    drop('TDGG_20261205_002.txt', outageFile([
      ['TD001', '330102', '上城区', '2026-12-06 09:00:00', '2026-12-06 16:00:00', 'PLANNED', '线路检修（时间调整）', '解放路沿线', '2026-12-05 11:00:00'],
      ['TD002', '330106', '西湖区', '2026-12-05 10:00:00', '2026-12-05 13:00:00', 'FAULT', '旧的通知', '文三路', '2026-12-05 08:00:00'],
      ['TD003', '330108', '滨江区', '2026-12-07 08:00:00', '2026-12-07 12:00:00', 'PLANNED', '设备检修', '江南大道', '2026-12-05 11:00:00'],
    ]));
    await runJob();
    const loaded = await rows();
    expect(loaded.map((r) => [r.bulletin_id, r.reason, r.source_file])).to.deep.equal([
      ['TD001', '线路检修（时间调整）', 'TDGG_20261205_002.txt'],
      ['TD002', '电缆故障抢修', 'TDGG_20261205_001.txt'],
      ['TD003', '设备检修', 'TDGG_20261205_002.txt'],
    ]);
    expect(loaded[0].starts_at.toISOString()).to.equal('2026-12-06T01:00:00.000Z');

    // the same bulletins under another file name (a re-sent file): nothing changes, nothing is duplicated
    drop('TDGG_20261205_003.txt', fs.readFileSync(path.join(dir, '.done', 'TDGG_20261205_002.txt')));
    await runJob();
    const again = await rows();
    expect(again).to.have.length(3);
    expect(again.map((r) => r.source_file)).to.deep.equal(['TDGG_20261205_002.txt', 'TDGG_20261205_001.txt', 'TDGG_20261205_002.txt']);
  });

  it('content - a bad file goes to .failed with a reason file naming the line, nothing of it is kept, and later files still load', async () => {
    drop('TDGG_20261205_004.txt', outageFile([
      ['TD010', '330105', '拱墅区', '2026-12-08 08:00:00', '2026-12-08 12:00:00', 'PLANNED', '检修', '湖墅南路', '2026-12-05 12:00:00'],
      ['TD011', '330105', '拱墅区', '2026-12-08 12:00:00', '2026-12-08 08:00:00', 'PLANNED', '检修', '湖墅南路', '2026-12-05 12:00:00'],
    ]));
    drop('TDGG_20261205_005.txt', outageFile([['TD020', '330110', '余杭区', '2026-12-09 08:00:00', '2026-12-09 12:00:00', 'OTHER', '检修', '', '2026-12-05 12:00:00']]));
    drop('TDGG_20261205_006.txt', outageFile([['TD030', '330110', '余杭区', '2026-12-09 08:00:00', '2026-12-09 12:00:00', 'PLANNED', '检修', '', '2026-12-05 12:00:00']], 2));
    drop('TDGG_20261205_007.txt', outageFile([['TD040', '330110', '余杭区', '2026-12-10 08:00:00', '2026-12-10 12:00:00', 'PLANNED', '检修', '良渚街道', '2026-12-05 12:00:00']]));
    await runJob();
    expect(listing('.failed')).to.deep.equal([
      'TDGG_20261205_004.txt', 'TDGG_20261205_004.txt.reason.txt',
      'TDGG_20261205_005.txt', 'TDGG_20261205_005.txt.reason.txt',
      'TDGG_20261205_006.txt', 'TDGG_20261205_006.txt.reason.txt',
    ]);
    const reason = (name: string) => fs.readFileSync(path.join(dir, '.failed', `${name}.reason.txt`), 'utf8');
    expect(reason('TDGG_20261205_004.txt')).to.contain('BACKEND_BAD_RESPONSE').and.to.contain('line 3').and.to.contain('TD011 ends');
    expect(reason('TDGG_20261205_005.txt')).to.contain('line 2').and.to.contain('kind');
    expect(reason('TDGG_20261205_006.txt')).to.match(/count|total/i);
    expect((await rows()).map((r) => r.bulletin_id)).to.deep.equal(['TD001', 'TD002', 'TD003', 'TD040']);
  });
});
