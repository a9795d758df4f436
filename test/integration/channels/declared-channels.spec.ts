import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { randomBytes } from 'crypto';
import { RunningBus, startBus } from '../../../bin/bootstrap';
import { loadConfig } from '../../../config';
import { KafkaProducerAdapter, createTopics, deleteTopics, peekTopic } from '../../../adapters/kafka';
import { MappingFiles, readMappingFiles } from '../../../core/mapping';
import { sampleFileName, writeSampleFile } from '../../../simulators/files/reconciliation-files';
import { createFreshDatabase, query } from '../../helpers/db';
import { requireEnv, TEST_JWT_ENV } from '../../helpers/env';
import { eventually } from '../../helpers/http';

/** A partner's file layout that is not ours: comma-separated, yuan, a comment line, other column names. */
const SOUTH_LAYOUT = `
layout: south.settlement-csv
version: 1
format: delimited
encoding: utf-8
delimited: { delimiter: "," }
skip: [{ prefix: "#" }]
records:
  detail:
    fields:
      - { name: txn_no, required: true }
      - { name: household, required: true }
      - { name: period, required: true }
      - { name: yuan, money: { in: yuan }, required: true }
      - { name: settled_at, date: { in: "yyyy-MM-dd HH:mm:ss", out: iso }, required: true }
    map:
      serial: { from: txn_no, required: true }
      accountNo: { from: household, required: true }
      billMonth: { from: period, required: true }
      amountFen: { from: yuan, required: true }
      paidAt: { from: settled_at, required: true }
`;

/** A topic shape that is not ours: nested meter object, slashed dates. */
const SNAPSHOT_SHAPE = `
shape: meters.day-snapshot
version: 1
topic: meter_snapshots
format: flat
derive:
  dataDate: { from: day, date: { in: yyyy/MM/dd, out: yyyy-MM-dd }, required: true }
  collectedAt: { from: taken, date: { in: "yyyy-MM-dd HH:mm:ss", out: iso }, required: true }
  readingTotal: { from: value, type: number, required: true }
map:
  meterPointId: { from: meter.code, type: string, required: true }
  accountNo: { const: null }
  dataDate: dataDate
  readingTotal: readingTotal
  collectedAt: collectedAt
  orgNo: { from: meter.org, type: string, required: true }
`;

const northChannel = (directory = '${NORTH_DROP}') => `
channel: partner-north.payments
version: 1
kind: sftp
sink: reconciliation-records
layout: marketing.reconciliation-fixed
endpoint:
  host: \${NORTH_SFTP_HOST}
  port: \${NORTH_SFTP_PORT}
  username: \${NORTH_SFTP_USER}
  directory: ${directory}
  privateKeyFile: \${PARTNER_KEY_FILE}
  knownHostsFile: \${PARTNER_KNOWN_HOSTS}
options: { include: '.*\\.txt', delay: 200, initialDelay: 100 }
`;

const southChannel = (url = '${SOUTH_DROP_URL}', layout = 'south.settlement-csv') => `
channel: partner-south.settlements
version: 1
kind: sftp
sink: reconciliation-records
layout: ${layout}
endpoint: { url: "${url}", privateKeyFile: "\${PARTNER_KEY_FILE}", knownHostsFile: "\${PARTNER_KNOWN_HOSTS}" }
options: { include: '.*\\.csv', delay: 200, initialDelay: 100 }
`;

const snapshotChannel = (name: string, topic: string, shape: string) => `
channel: ${name}
version: 1
kind: kafka
sink: daily-readings
shape: ${shape}
endpoint: { brokers: "\${KAFKA_BROKERS}", topic: ${topic}, groupId: it-${topic} }
options: { batchSize: 100, session.timeout.ms: 8000, heartbeat.interval.ms: 2000 }
`;

const snapshot = (code: string, day: number, value: number) =>
  JSON.stringify({ meter: { code, org: '4401' }, day: `2025/03/${String(day).padStart(2, '0')}`, taken: `2025-03-${String(day).padStart(2, '0')} 23:59:00`, value: String(value) });

const southCsv = (rows: Array<[string, string, number]>) =>
  `# settlement export\n${rows.map(([txn, household, yuan]) => `${txn},${household},202503,${yuan.toFixed(2)},2025-03-15 10:00:00`).join('\n')}\n`;

/**
 * Channels declared in mappings/channels, not wired in code: two partners on
 * two drops of the test SFTP server with different layouts (ours, and a CSV
 * the test defines), and a topic with a shape the test defines, all with
 * ${VARIABLES} from GRIDBUS_VAR_*; a channel that does not resolve on the
 * node is degraded and consumes nothing until a release fixes it; a release
 * that names a layout that does not exist or a variable a node lacks is refused.
 */
describe('channels - drops and topics declared as definitions, switched with the release', function () {
  this.timeout(120000);
  const brokers = () => requireEnv('TEST_KAFKA_BROKERS');
  const id = `${process.pid}-${randomBytes(3).toString('hex')}`;
  const topic = `it-snap-${id}`;
  const typoTopic = `it-snap-typo-${id}`;
  const nodeId = `chan-${id}`;
  let db: { url: string; drop(): Promise<void> };
  let bus: RunningBus;
  let producer: KafkaProducerAdapter;
  let root: string;
  let mappingsDir: string;
  const dirs = { north: '', south: '', south2: '', west: '' };
  let base: MappingFiles;

  const health = async () => ((await bus.broker.call('health.local')) as { dependencies: Record<string, { status: string; detail?: string }> }).dependencies;
  const publish = (files: MappingFiles) => bus.broker.call('mappings.publish', { files }) as Promise<{ version: number }>;
  const refusal = async (files: MappingFiles): Promise<Error & { code?: string; type?: string }> => {
    try {
      await publish(files);
    } catch (err) {
      return err as Error;
    }
    throw new Error('the release was published');
  };

  before(async () => {
    root = path.join(requireEnv('TEST_SFTP_ROOT'), `channels-${id}`);
    for (const k of Object.keys(dirs) as Array<keyof typeof dirs>) {
      dirs[k] = path.join(root, k);
      fs.mkdirSync(dirs[k], { recursive: true });
    }
    await createTopics(brokers(), [topic, `${topic}.DLT`, typoTopic, `${typoTopic}.DLT`], { partitions: 1 });
    db = await createFreshDatabase();
    producer = new KafkaProducerAdapter({ brokers: brokers() });
    await producer.start();

    const shipped = readMappingFiles(path.resolve(__dirname, '../../../mappings'));
    base = Object.fromEntries(Object.entries(shipped).filter(([f]) => /^(files|topics|codes)\//.test(f)));
    base['files/south-settlement.yaml'] = SOUTH_LAYOUT;
    base['topics/meters-day-snapshot.yaml'] = SNAPSHOT_SHAPE;
    base['channels/north.yaml'] = northChannel();
    base['channels/south.yaml'] = southChannel();
    base['channels/snapshots.yaml'] = snapshotChannel('meters.snapshots', topic, 'meters.day-snapshot');
    // Two channels that do not resolve on this node: a variable it lacks, a shape name (from a variable) with a typo.
    const initial: MappingFiles = {
      ...base,
      'channels/west.yaml': northChannel('${WEST_DROP}').replace('partner-north.payments', 'partner-west.payments'),
      'channels/typo.yaml': snapshotChannel('meters.snapshots-b', typoTopic, '${SNAPSHOT_SHAPE_B}'),
    };
    mappingsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-channels-'));
    for (const [file, text] of Object.entries(initial)) {
      fs.mkdirSync(path.join(mappingsDir, path.dirname(file)), { recursive: true });
      fs.writeFileSync(path.join(mappingsDir, file), text);
    }

    await writeSampleFile('fixed', path.join(dirs.north, sampleFileName('fixed', { seq: 1 })), { count: 40, seed: 7, seq: 1 });
    fs.writeFileSync(path.join(dirs.south, 'south-20250315.csv'), southCsv([['S-1', 'H-100', 12.5], ['S-2', 'H-101', 0.29], ['S-3', 'H-102', 100]]));
    await writeSampleFile('fixed', path.join(dirs.west, sampleFileName('fixed', { seq: 9 })), { count: 5, seed: 9, seq: 9 });
    for (const [code, day, value] of [['M-1', 10, 10.5], ['M-1', 11, 12], ['M-2', 11, 3]] as const) await producer.produce(topic, snapshot(code, day, value), { key: code });
    await producer.produce(typoTopic, snapshot('M-9', 12, 99), { key: 'M-9' });
    await producer.produce(typoTopic, 'not JSON at all', { key: 'M-9' });

    const sftpUrl = (dir: string) => `sftp://${requireEnv('TEST_SFTP_USER')}@${requireEnv('TEST_SFTP_HOST')}:${requireEnv('TEST_SFTP_PORT')}${dir}`;
    bus = await startBus(
      loadConfig({
        ...TEST_JWT_ENV,
        NODE_ID: nodeId,
        DATABASE_URL: db.url,
        SERVICES: 'mapping,reconcile,collection',
        KAFKA_BROKERS: brokers(),
        MAPPINGS_DIR: mappingsDir,
        LOG_LEVEL: 'error',
        GRIDBUS_VAR_NORTH_SFTP_HOST: requireEnv('TEST_SFTP_HOST'),
        GRIDBUS_VAR_NORTH_SFTP_PORT: requireEnv('TEST_SFTP_PORT'),
        GRIDBUS_VAR_NORTH_SFTP_USER: requireEnv('TEST_SFTP_USER'),
        GRIDBUS_VAR_NORTH_DROP: dirs.north,
        GRIDBUS_VAR_SOUTH_DROP_URL: sftpUrl(dirs.south),
        GRIDBUS_VAR_SOUTH_DROP_URL_2: sftpUrl(dirs.south2),
        GRIDBUS_VAR_PARTNER_KEY_FILE: requireEnv('TEST_SFTP_KEY'),
        GRIDBUS_VAR_PARTNER_KNOWN_HOSTS: requireEnv('TEST_SFTP_KNOWN_HOSTS'),
        GRIDBUS_VAR_SNAPSHOT_SHAPE_B: 'meters.day-snapshott',
      }),
    );
  });

  after(async () => {
    await bus?.stop();
    await producer?.stop();
    await db?.drop();
    await deleteTopics(brokers(), [topic, `${topic}.DLT`, typoTopic, `${typoTopic}.DLT`]).catch(() => undefined);
    if (root) fs.rmSync(root, { recursive: true, force: true });
    if (mappingsDir) fs.rmSync(mappingsDir, { recursive: true, force: true });
  });

  it('loads two drops with different layouts and a topic with its own shape, each declared with variables', async () => {
    const files = await eventually(
      () => query<{ name: string; layout: string; records: number }>(db.url, 'SELECT name, layout, records FROM inbound_file ORDER BY name'),
      (r) => r.length === 2,
      30000,
    );
    expect(files).to.deep.equal([
      { name: sampleFileName('fixed', { seq: 1 }), layout: 'marketing.reconciliation-fixed', records: 40 },
      { name: 'south-20250315.csv', layout: 'south.settlement-csv', records: 3 },
    ]);
    const south = await query<{ serial: string; account_no: string; amount_fen: string }>(db.url, "SELECT serial, account_no, amount_fen::text FROM reconciliation_record WHERE serial LIKE 'S-%' ORDER BY serial");
    expect(south.map((r) => [r.serial, r.account_no, Number(r.amount_fen)])).to.deep.equal([['S-1', 'H-100', 1250], ['S-2', 'H-101', 29], ['S-3', 'H-102', 10000]]);
    const readings = await eventually(
      () => query<{ mp_id: string; data_date: string; r_total: string }>(db.url, "SELECT mp_id, to_char(data_date, 'YYYY-MM-DD') AS data_date, r_total::text FROM meter_daily_reading WHERE mp_id IN ('M-1', 'M-2') ORDER BY mp_id, data_date"),
      (r) => r.length === 3,
      30000,
    );
    expect(readings.map((r) => `${r.mp_id} ${r.data_date} ${Number(r.r_total)}`)).to.deep.equal(['M-1 2025-03-10 10.5', 'M-1 2025-03-11 12', 'M-2 2025-03-11 3']);
    const h = await health();
    expect(h['channel partner-north.payments'].status).to.equal('up');
    expect(h['channel partner-south.settlements'].status).to.equal('up');
  });

  it('shows a channel that does not resolve as degraded with the reason, and consumes nothing from it', async () => {
    const h = await health();
    expect(h['channel partner-west.payments'].status).to.equal('degraded');
    expect(h['channel partner-west.payments'].detail).to.contain(`variable WEST_DROP is not set on node ${nodeId}: set GRIDBUS_VAR_WEST_DROP`);
    expect(h['channel meters.snapshots-b'].status).to.equal('degraded');
    expect(h['channel meters.snapshots-b'].detail).to.contain("no shape 'meters.day-snapshott'").and.to.contain("did you mean 'meters.day-snapshot'");
    await new Promise((r) => setTimeout(r, 1500));
    // Nothing moved, nothing loaded, nothing dead-lettered.
    expect(fs.readdirSync(dirs.west)).to.deep.equal([sampleFileName('fixed', { seq: 9 })]);
    expect(await query(db.url, "SELECT 1 FROM meter_daily_reading WHERE mp_id = 'M-9'")).to.have.length(0);
    expect(await peekTopic(brokers(), `${typoTopic}.DLT`)).to.have.length(0);
  });

  it('starts the channels once a release resolves them, without a restart', async () => {
    await publish({
      ...base,
      'channels/west.yaml': northChannel(dirs.west).replace('partner-north.payments', 'partner-west.payments'),
      'channels/typo.yaml': snapshotChannel('meters.snapshots-b', typoTopic, 'meters.day-snapshot'),
    });
    await eventually(() => query(db.url, "SELECT 1 FROM inbound_file WHERE name = $1", [sampleFileName('fixed', { seq: 9 })]), (r) => r.length === 1, 30000);
    await eventually(() => query(db.url, "SELECT 1 FROM meter_daily_reading WHERE mp_id = 'M-9'"), (r) => r.length === 1, 30000);
    const dead = await eventually(() => peekTopic(brokers(), `${typoTopic}.DLT`), (d) => d.length === 1, 30000);
    expect(String(dead[0].value)).to.equal('not JSON at all');
    expect(dead[0].headers).to.include({ 'x-error-code': 'VALIDATION_FAILED', 'x-attempts': '0' });
    expect((await health())['channel partner-west.payments'].status).to.equal('up');
  });

  it('refuses at publish a channel naming a layout nobody declares, or a variable this node lacks, naming the channel and the name', async () => {
    const typo = await refusal({ ...base, 'channels/south.yaml': southChannel(undefined, 'south.settlement-cvs') });
    expect(typo.message).to.contain('channels/south.yaml').and.to.contain("channel 'partner-south.settlements'").and.to.contain("layout 'south.settlement-cvs'");
    const unset = await refusal({ ...base, 'channels/south.yaml': southChannel('sftp://u@${EAST_SFTP_HOST}/in') });
    expect(unset.message).to.contain(`variable EAST_SFTP_HOST is not set on node ${nodeId}: set GRIDBUS_VAR_EAST_SFTP_HOST`).and.to.contain('partner-south.settlements');
    const unknownSink = await refusal({ ...base, 'channels/x.yaml': snapshotChannel('meters.x', topic, 'meters.day-snapshot').replace('daily-readings', 'daily-reading') });
    expect(unknownSink.message).to.contain("unknown sink 'daily-reading'").and.to.contain("did you mean 'daily-readings'");
  });

  it('restarts a channel whose definition changed and stops one that left the release', async () => {
    const next = { ...base, 'channels/south.yaml': southChannel('${SOUTH_DROP_URL_2}') };
    delete next['channels/snapshots.yaml'];
    await publish(next);
    fs.writeFileSync(path.join(dirs.south2, 'south-20250316.csv'), southCsv([['S-9', 'H-109', 1]]));
    await eventually(() => query(db.url, "SELECT 1 FROM reconciliation_record WHERE serial = 'S-9'"), (r) => r.length === 1, 30000);
    const h = await health();
    expect(h['channel partner-south.settlements'].detail).to.contain(dirs.south2);
    expect(h).to.not.have.property('channel meters.snapshots');
    expect(h).to.not.have.property('channel partner-west.payments');
  });
});
