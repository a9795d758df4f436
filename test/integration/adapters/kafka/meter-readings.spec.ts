import { expect } from 'chai';
import { randomBytes } from 'crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createTopics, deleteTopics, KafkaConsumerAdapter, KafkaProducerAdapter, KafkaRecord, peekTopic } from '../../../../adapters/kafka';
import { openDatabase } from '../../../../core/db';
import { GridbusError } from '../../../../core/errors';
import { requireEnv } from '../../../helpers/env';

/** The flat daily-freeze shape seen on the collection system's topic. */
interface FlatReading {
  id: string;
  datadate: string;
  colltime?: string;
  r?: string | number | null;
  r1?: string | number | null;
  r2?: string | number | null;
  r3?: string | number | null;
  r4?: string | number | null;
  orgno?: string;
  consno?: string;
  status?: string;
}

const COLUMNS = ['mp_id', 'data_date', 'cons_no', 'org_no', 'r_total', 'r1', 'r2', 'r3', 'r4', 'status', 'coll_time', 'source_topic', 'source_partition', 'source_offset'] as const;
const TYPES = ['text', 'date', 'text', 'text', 'numeric', 'numeric', 'numeric', 'numeric', 'numeric', 'text', 'timestamptz', 'text', 'int', 'bigint'];

/** One multi-row statement per batch: unnest() of one array per column, so the batch size is not limited by the 65535 parameters. */
const UPSERT = `
  INSERT INTO meter_daily_reading (${COLUMNS.join(', ')})
  SELECT * FROM unnest(${TYPES.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})
  ON CONFLICT (mp_id, data_date) DO UPDATE SET
    ${COLUMNS.slice(2)
      .map((c) => `${c} = EXCLUDED.${c}`)
      .join(', ')},
    received_at = now()
  WHERE (meter_daily_reading.source_topic, meter_daily_reading.source_partition, meter_daily_reading.source_offset)
        IS DISTINCT FROM (EXCLUDED.source_topic, EXCLUDED.source_partition, EXCLUDED.source_offset)`;

function num(v: string | number | null | undefined): string | null {
  return v === undefined || v === null || v === '' ? null : String(v);
}

function toRow(rec: KafkaRecord<FlatReading>): unknown[] {
  const v = rec.value;
  if (!v || typeof v !== 'object' || !v.id || !v.datadate) {
    throw new GridbusError('VALIDATION_FAILED', 'reading without id or datadate');
  }
  return [v.id, v.datadate, v.consno ?? null, v.orgno ?? null, num(v.r), num(v.r1), num(v.r2), num(v.r3), num(v.r4), v.status ?? null, v.colltime ?? null, rec.topic, rec.partition, rec.offset];
}

/** Batch handler: map, keep the last reading per (mp_id, data_date) (ON CONFLICT may touch a row once per statement), upsert. */
function meterReadingWriter(dataSource: DataSource) {
  return {
    batchSizes: [] as number[],
    async handleBatch(records: KafkaRecord<FlatReading>[]): Promise<void> {
      const latest = new Map<string, unknown[]>();
      for (const rec of records) {
        const row = toRow(rec);
        latest.set(`${row[0]}|${row[1]}`, row);
      }
      const rows = [...latest.values()];
      const columns = COLUMNS.map((_c, i) => rows.map((r) => r[i]));
      this.batchSizes.push(records.length);
      try {
        await dataSource.query(UPSERT, columns);
      } catch (err) {
        const code = String((err as { code?: unknown }).code ?? '');
        // data exceptions (22xxx) and constraint violations (23xxx) will not pass on a retry
        if (/^2[23]/.test(code)) throw new GridbusError('VALIDATION_FAILED', `reading rejected by the database: ${(err as Error).message}`, { details: { sqlState: code } });
        throw err;
      }
    },
  };
}

function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

async function waitFor(what: string, condition: () => boolean, timeoutMs = 30000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('adapters/kafka - batch handler storing meter readings in PostgreSQL', function () {
  this.timeout(90000);
  let brokers: string;
  let dataSource: DataSource;
  let producer: KafkaProducerAdapter;
  let admin: Client;
  const database = `gridbus_kafka_${randomBytes(4).toString('hex')}`;
  const topics: string[] = [];

  before(async () => {
    brokers = requireEnv('TEST_KAFKA_BROKERS');
    // a throw-away database: every migration runs here, whatever the shared one has seen
    const adminUrl = requireEnv('TEST_DATABASE_URL');
    admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    const url = new URL(adminUrl);
    url.pathname = `/${database}`;
    ({ dataSource } = await openDatabase(url.toString()));
    producer = new KafkaProducerAdapter({ brokers });
    await producer.start();
  });

  after(async () => {
    await producer?.stop();
    await dataSource?.destroy();
    if (admin) {
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.end();
    }
    if (topics.length) await deleteTopics(brokers, topics).catch(() => undefined);
  });

  it('stores each (mp_id, data_date) once with multi-row upserts; a re-delivery changes nothing; bad records go to the DLT', async () => {
    const topic = unique('e_mp_day_read');
    topics.push(topic, `${topic}.DLT`);
    await createTopics(brokers, [topic, `${topic}.DLT`], { partitions: 3 });
    const mp = unique('mp');

    const readings: FlatReading[] = [];
    for (let m = 0; m < 20; m++) {
      for (const [d, day] of ['2026-11-22', '2026-11-23', '2026-11-24'].entries()) {
        const base = 10000 + m * 100 + d * 7.25;
        readings.push({
          id: `${mp}-${m}`,
          datadate: day,
          colltime: `${day}T23:59:00+08:00`,
          r: (base + 0.1234).toFixed(4),
          r1: (base / 4).toFixed(4),
          r2: (base / 4).toFixed(4),
          r3: (base / 4).toFixed(4),
          r4: (base / 4 + 0.1234).toFixed(4),
          orgno: '33401',
          consno: `33000${m}`,
          status: '1',
        });
      }
    }
    // a precise value to check numeric(14,4) keeps it exactly
    readings[0].r = '12345.6789';
    for (const r of readings) await producer.produceJson(topic, r, { key: r.id });
    // a record that is not JSON, and one the database refuses, amid good ones of the same partition
    await producer.produce(topic, '{"id": "broken', { key: `${mp}-3` });
    await producer.produceJson(topic, { id: `${mp}-bad`, datadate: '2026-11-24', r: 'not-a-number' }, { key: `${mp}-3` });
    // the collection system re-sends a few readings unchanged (mp-3 among them: same partition as the bad ones)
    for (const r of readings.slice(9, 14)) await producer.produceJson(topic, r, { key: r.id });
    const total = readings.length + 5 + 2;

    const count = async () => Number((await dataSource.query('SELECT count(*)::int AS n FROM meter_daily_reading WHERE mp_id LIKE $1', [`${mp}-%`]))[0].n);
    const snapshot = async () =>
      dataSource.query(
        `SELECT mp_id, data_date::text, cons_no, org_no, r_total::text, r1::text, r2::text, r3::text, r4::text, status, coll_time, source_topic, source_partition, source_offset
           FROM meter_daily_reading WHERE mp_id LIKE $1 ORDER BY mp_id, data_date`,
        [`${mp}-%`],
      );

    const writer = meterReadingWriter(dataSource);
    const first = new KafkaConsumerAdapter<FlatReading>(
      { brokers, groupId: unique('g-meter'), topics: [topic], batchSize: 25, maxInFlight: 200, commitIntervalMs: 0 },
      writer,
    );
    await first.start();
    try {
      await waitFor('every record handled or dead-lettered', () => first.metrics().handled + first.metrics().deadLettered === total);
    } finally {
      await first.stop();
    }
    expect(first.metrics()).to.deep.include({ handled: total - 2, deadLettered: 2, malformed: 1 });
    expect(first.metrics().batchSplits).to.be.at.least(1);
    expect(Math.max(...writer.batchSizes)).to.be.greaterThan(1);
    expect(await count()).to.equal(60);
    const stored = await snapshot();
    const precise = stored.find((r: { mp_id: string; data_date: string }) => r.mp_id === `${mp}-0` && r.data_date === '2026-11-22');
    expect(precise.r_total).to.equal('12345.6789');
    expect(precise.coll_time.toISOString()).to.equal('2026-11-22T15:59:00.000Z');

    const dead = await peekTopic(brokers, `${topic}.DLT`);
    expect(dead.map((d) => d.headers['x-error-code'])).to.deep.equal(['VALIDATION_FAILED', 'VALIDATION_FAILED']);
    const bad = dead.find((d) => d.value?.toString().includes('not-a-number'))!;
    expect(bad.headers['x-attempts']).to.equal('1');
    expect(bad.headers['x-error-message']).to.match(/rejected by the database/);

    // a full re-delivery (a new group reads the topic again): same rows, same values
    const again = new KafkaConsumerAdapter<FlatReading>({ brokers, groupId: unique('g-meter-again'), topics: [topic], batchSize: 50, commitIntervalMs: 0 }, meterReadingWriter(dataSource));
    await again.start();
    try {
      await waitFor('the re-delivery', () => again.metrics().handled + again.metrics().deadLettered === total);
    } finally {
      await again.stop();
    }
    expect(await count()).to.equal(60);
    expect(await snapshot()).to.deep.equal(stored);
  });
});
