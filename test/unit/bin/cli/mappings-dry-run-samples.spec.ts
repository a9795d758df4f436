import { expect } from 'chai';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as iconv from 'iconv-lite';
import * as os from 'os';
import * as path from 'path';
import { CLI, REPO_ROOT } from '../../../helpers/bus-process';

// A partner nobody here wrote: GBK, comma-separated, a comment line, a Chinese column header, a `#合计,count,sum` trailer.
const LAYOUT = `layout: partnerx.collected-payments
version: 1
format: delimited
encoding: gbk
delimited: { delimiter: "," }
skip:
  - { prefix: "# " }
  - { prefix: "户号" }
records:
  detail:
    fields:
      - { name: userNo, required: true }
      - { name: serialNo, required: true }
      - { name: amount, money: { in: yuan }, required: true }
      - { name: paidTime, date: { in: "yyyy/MM/dd HH:mm", out: iso }, required: true }
      - { name: period, required: true }
    map:
      serial: { from: serialNo, required: true }
      accountNo: { from: userNo, required: true }
      billMonth: { from: period, required: true }
      amountFen: { from: amount, required: true }
      paidAt: { from: paidTime, required: true }
  trailer:
    select: { column: 0, equals: "#合计" }
    fields:
      - { name: label }
      - { name: count, type: integer, required: true }
      - { name: sum, money: { in: yuan }, required: true }
totals:
  count: trailer.count
  sums: { amount: trailer.sum }
`;

// A change-data-capture envelope unlike ours (Debezium style): payload.after, op c/u/d, nested ids, epoch millis.
const SHAPE = `shape: partnery.meter-read-cdc
version: 1
topic: partnery.meter.reads
format: envelope
envelope:
  recordPath: payload.after
  operationPath: payload.op
  tablePath: payload.source.table
  select: { table: meter_day_read, operations: [c, u] }
derive:
  dataDate: { from: read_day, date: { in: yyyyMMdd, out: yyyy-MM-dd }, required: true }
  collectedAt: { from: taken_at, date: { in: epochMillis, out: iso }, required: true }
  readingTotal: { from: total_kwh, type: number, required: true }
  readings: { list: [t1, t2, t3, t4], type: number }
map:
  meterPointId: { from: mp.id, type: string, required: true }
  accountNo: { from: mp.cons, type: string, required: true }
  dataDate: dataDate
  readingTotal: readingTotal
  readings: readings
  collectedAt: collectedAt
  orgNo: { from: mp.org, type: string, required: true }
`;

const gbk = (lines: string[]) => iconv.encode(`${lines.join('\n')}\n`, 'gbk');
const HEAD = ['# 某公司代收明细 导出于 2025-03-15', '户号,流水号,金额,缴费时间,账期'];

describe('bin/cli - mappings dry-run of a file layout and a topic shape (local, no bus)', function () {
  this.timeout(30000);
  let dir: string;
  let set: string;

  const gridbus = (args: string[], env: Record<string, string> = {}) => {
    const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: dir, ...env }, encoding: 'utf8' });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const sample = (name: string, content: Buffer | string) => {
    fs.writeFileSync(path.join(dir, name), content);
    return path.join(dir, name);
  };

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-dry-run-'));
    set = path.join(dir, 'partner-set');
    fs.mkdirSync(path.join(set, 'files'), { recursive: true });
    fs.mkdirSync(path.join(set, 'topics'), { recursive: true });
    fs.writeFileSync(path.join(set, 'files', 'partnerx-collected.yaml'), LAYOUT);
    fs.writeFileSync(path.join(set, 'topics', 'partnery-meter-cdc.yaml'), SHAPE);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('shows each line as read and its canonical record, and the totals check ok', () => {
    const file = sample('good.csv', gbk([...HEAD, '3300000001,SN0001,12.34,2025/03/15 09:30,202503', '3300000002,SN0002,0.29,2025/03/15 10:01,202503', '#合计,2,12.63']));
    const r = gridbus(['mappings', 'dry-run', '--dir', set, '--layout', 'partnerx.collected-payments', '--file', file]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain('line 3 detail');
    expect(r.stdout).to.contain('read:      {"userNo":"3300000001","serialNo":"SN0001","amount":1234,"paidTime":"2025-03-15T09:30:00+08:00","period":"202503"}');
    expect(r.stdout).to.contain('canonical: {"serial":"SN0001","accountNo":"3300000001","billMonth":"202503","amountFen":1234,"paidAt":"2025-03-15T09:30:00+08:00"}');
    expect(r.stdout).to.contain('line 5 trailer');
    expect(r.stdout).to.contain('"label":"#合计"');
    expect(r.stdout).to.contain('totals ok: count 2 = trailer.count 2, amount 1263 = trailer.sum 1263');
    expect(r.stderr).to.contain(`mappings: ${set} (from --dir)`);
  });

  it('lists every refused line with its code and reason, and the totals that do not add up', () => {
    const file = sample('bad.csv', gbk([...HEAD, '3300000001,SN0001,12.34,2025/03/15 09:30,202503', '3300000003,SN0003,abc,2025/03/15 10:02,202503', '3300000004,SN0004,1.00', '#合计,3,20.00']));
    const r = gridbus(['mappings', 'dry-run', '--dir', set, '--layout', 'partnerx.collected-payments', '--file', file]);
    expect(r.code).to.equal(1);
    expect(r.stdout).to.contain('line 4 ✗ BACKEND_BAD_RESPONSE (bad-record): amount: "abc" is not an amount in yuan');
    expect(r.stdout).to.contain('line 5 ✗ BACKEND_BAD_RESPONSE (bad-record): the line has 3 columns, a detail line has 5');
    expect(r.stdout).to.match(/totals ✗ amount: 1234 read, trailer.sum says 2000/);
  });

  it('says the totals mismatch of a file whose lines all read', () => {
    const file = sample('short.csv', gbk([...HEAD, '3300000001,SN0001,12.34,2025/03/15 09:30,202503', '#合计,1,12.00']));
    const r = gridbus(['--json', 'mappings', 'dry-run', '--dir', set, '--layout', 'partnerx.collected-payments', '--file', file].slice(1));
    const json = gridbus(['mappings', 'dry-run', '--json', '--dir', set, '--layout', 'partnerx.collected-payments', '--file', file]);
    expect(r.code).to.equal(1);
    expect(r.stdout).to.contain('totals ✗ short.csv: line 4: totals do not match: sum of amount is 1234, trailer.sum says 1200');
    const answer = JSON.parse(json.stdout);
    expect(answer.totals).to.deep.include({ ok: false });
    expect(answer.totals.checks).to.deep.equal([{ name: 'amount', against: 'trailer.sum', expected: 1200, actual: 1234, verified: true }]);
  });

  it('--encoding reads the sample in another encoding than the layout declares', () => {
    const file = sample('utf8.csv', Buffer.from(`${[...HEAD, '3300000001,SN0001,12.34,2025/03/15 09:30,202503', '#合计,1,12.34'].join('\n')}\n`));
    const asGbk = gridbus(['mappings', 'dry-run', '--dir', set, '--layout', 'partnerx.collected-payments', '--file', file]);
    expect(asGbk.code).to.equal(1);
    expect(asGbk.stdout).to.match(/bad-encoding/);
    const asUtf8 = gridbus(['mappings', 'dry-run', '--dir', set, '--layout', 'partnerx.collected-payments', '--file', file, '--encoding', 'utf-8']);
    expect(asUtf8.code, asUtf8.stdout).to.equal(0);
    expect(asUtf8.stdout).to.contain('(utf-8)');
  });

  it('decodes CDC messages with the draft shape: the canonical record, a skip and why, or why it is refused', () => {
    const messages = sample(
      'messages.jsonl',
      [
        '{"payload":{"op":"c","source":{"table":"meter_day_read"},"after":{"mp":{"id":"MP-77","org":"4401","cons":"3300000001"},"read_day":"20250314","taken_at":1741969532000,"total_kwh":"812.5","t1":"100.1","t2":200,"t3":null,"t4":"300"}}}',
        '{"payload":{"op":"d","source":{"table":"meter_day_read"},"before":{"mp":{"id":"MP-77"}}}}',
        'not json at all',
        '{"payload":{"op":"u","source":{"table":"meter_day_read"},"after":{"mp":{"id":"MP-78","cons":"3300000002"},"read_day":"20250314","taken_at":1741969532000,"total_kwh":"1"}}}',
      ].join('\n'),
    );
    const r = gridbus(['mappings', 'dry-run', '--dir', set, '--shape', 'partnery.meter-read-cdc', '--message', messages]);
    expect(r.code).to.equal(1);
    expect(r.stdout).to.contain('message at line 1: 1 canonical record(s) (operation c, table meter_day_read)');
    expect(r.stdout).to.contain('{"meterPointId":"MP-77","accountNo":"3300000001","dataDate":"2025-03-14","readingTotal":812.5,"readings":[100.1,200,null,300],"collectedAt":"2025-03-15T00:25:32+08:00","orgNo":"4401"}');
    expect(r.stdout).to.contain('message at line 2: skipped: operation d is not selected');
    expect(r.stdout).to.match(/message at line 3 ✗ \w+ \(bad-json\): .*the message is not JSON/);
    expect(r.stdout).to.match(/message at line 4 ✗ \w+ \(bad-field\): .*orgNo: is required but missing/);
  });

  it('decodes one pretty-printed JSON message', () => {
    const one = sample('one.json', JSON.stringify({ payload: { op: 'u', source: { table: 'METER_DAY_READ' }, after: { mp: { id: 7, org: '4401', cons: 3300000003 }, read_day: '20250301', taken_at: 1740787200000, total_kwh: 3 } } }, null, 2));
    const r = gridbus(['mappings', 'dry-run', '--shape', 'partnery.meter-read-cdc', '--message', one, '--dir', set, '--json']);
    expect(r.code, r.stderr).to.equal(0);
    const answer = JSON.parse(r.stdout);
    expect(answer.results).to.have.length(1);
    expect(answer.results[0].records[0]).to.include({ meterPointId: '7', dataDate: '2025-03-01', orgNo: '4401' });
  });

  it('names the layouts the draft has when the name is wrong', () => {
    const file = sample('x.csv', 'x\n');
    const r = gridbus(['mappings', 'dry-run', '--dir', set, '--layout', 'partnerx.collected-payment', '--file', file]);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain("the draft set has no file layout 'partnerx.collected-payment'; it has: partnerx.collected-payments");
  });

  it('reads MAPPINGS_DIR when --dir is not given, and says so; --json works first, in the middle and last', () => {
    const fromEnv = gridbus(['mappings', 'validate'], { MAPPINGS_DIR: set });
    expect(fromEnv.code, fromEnv.stdout + fromEnv.stderr).to.equal(0);
    expect(fromEnv.stderr).to.contain(`mappings: ${set} (from MAPPINGS_DIR)`);
    expect(fromEnv.stdout).to.contain('1 file layout(s), 1 topic shape(s)');
    // without MAPPINGS_DIR: ./mappings of the working directory (here an empty one: no such directory)
    const none = gridbus(['mappings', 'validate']);
    expect(none.code).to.equal(1);
    expect(none.stderr).to.contain(`no such directory: ${path.join(fs.realpathSync(dir), 'mappings')}`);
    for (const args of [['--json', 'validate'], ['validate', '--json'], ['validate', '--json', '--dir', set]]) {
      const r = gridbus(['mappings', ...args], { MAPPINGS_DIR: set });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).to.equal(args[0] === '--json' ? 2 : 0);
      if (args[0] !== '--json') expect(JSON.parse(r.stdout)).to.deep.include({ valid: true, fileLayouts: ['partnerx.collected-payments'], topicShapes: ['partnery.meter-read-cdc'] });
    }
    const mid = gridbus(['mappings', 'dry-run', '--layout', 'partnerx.collected-payments', '--json', '--file', path.join(dir, 'good.csv')], { MAPPINGS_DIR: set });
    expect(JSON.parse(mid.stdout).ok).to.equal(true);
  });

  it('the repository set still validates from its own directory', () => {
    const r = spawnSync(process.execPath, [CLI, 'mappings', 'validate', '--json'], { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '', HOME: dir }, encoding: 'utf8' });
    expect(r.stderr).to.contain(`mappings: ${path.join(REPO_ROOT, 'mappings')}`);
  });
});
