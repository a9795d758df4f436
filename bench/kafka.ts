/**
 * Kafka adapter benchmark: how fast records come off a topic, raw and when
 * stored in PostgreSQL. Prints figures, asserts nothing about time.
 *
 *   scripts/services.sh up kafka postgres && source var/services/env.sh
 *   npx ts-node --transpile-only bench/kafka.ts
 *
 * Environment: TEST_KAFKA_BROKERS, TEST_DATABASE_URL (required);
 * BENCH_RECORDS (200000), BENCH_PARTITIONS (6), BENCH_BATCH (5000),
 * BENCH_MAX_IN_FLIGHT (2 × batch × partitions: every partition has its next
 * batch fetched while the current one is stored).
 *
 * Steps, each with a fresh consumer group:
 *   produce   N flat meter-reading records (JSON, ~200 bytes)
 *   (a0)      bare node-rdkafka consume(n) loop, no adapter: the ceiling
 *   (a)       the adapter, raw values, a batch handler that does nothing
 *   (b)       the adapter, JSON parse + map to a row + one multi-row upsert
 *             per batch (INSERT … SELECT FROM json_to_recordset($1) ON
 *             CONFLICT (mp_id, data_date) DO UPDATE …); the rows travel as
 *             one JSON parameter, cheaper to build in Node than 14 arrays
 *   (b')      the same rows, parsed and mapped by PostgreSQL from the raw
 *             values (json_to_recordset over the joined values)
 * Rates are measured from the first record received to the last one done,
 * so the group join (a few seconds) is left out.
 */
import 'reflect-metadata';
import { randomBytes } from 'crypto';
import { performance } from 'perf_hooks';
import { KafkaConsumer, Message } from 'node-rdkafka';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createTopics, deleteTopics, KafkaConsumerAdapter, KafkaProducerAdapter, KafkaRecord } from '../adapters/kafka';
import { openDatabase } from '../core/db';

interface FlatReading {
  id: string;
  datadate: string;
  colltime: string;
  r: string;
  r1: string;
  r2: string;
  r3: string;
  r4: string;
  orgno: string;
  consno: string;
  status: string;
}

const env = (name: string, fallback?: string): string => {
  const v = process.env[name] ?? fallback;
  if (v === undefined) throw new Error(`${name} is not set (scripts/services.sh up kafka postgres; source var/services/env.sh)`);
  return v;
};

const BROKERS = env('TEST_KAFKA_BROKERS');
const DATABASE_URL = env('TEST_DATABASE_URL');
const RECORDS = Number(env('BENCH_RECORDS', '200000'));
const PARTITIONS = Number(env('BENCH_PARTITIONS', '6'));
const BATCH = Number(env('BENCH_BATCH', '5000'));
const MAX_IN_FLIGHT = Number(env('BENCH_MAX_IN_FLIGHT', String(2 * BATCH * PARTITIONS)));
const DAYS = ['2026-11-21', '2026-11-22', '2026-11-23', '2026-11-24'];

function reading(i: number): FlatReading {
  const mp = Math.floor(i / DAYS.length);
  const day = DAYS[i % DAYS.length];
  const base = 1000 + mp * 0.37 + (i % DAYS.length) * 11.5;
  const quarter = (base / 4).toFixed(4);
  return {
    id: `mp${String(mp).padStart(8, '0')}`,
    datadate: day,
    colltime: `${day} 23:5${i % 10}:00`,
    r: base.toFixed(4),
    r1: quarter,
    r2: quarter,
    r3: quarter,
    r4: quarter,
    orgno: `334${String(mp % 100).padStart(2, '0')}`,
    consno: `33${String(mp).padStart(8, '0')}`,
    status: '1',
  };
}

const COLUMNS = ['mp_id', 'data_date', 'cons_no', 'org_no', 'r_total', 'r1', 'r2', 'r3', 'r4', 'status', 'coll_time', 'source_topic', 'source_partition', 'source_offset'];
const TYPES = ['text', 'date', 'text', 'text', 'numeric', 'numeric', 'numeric', 'numeric', 'numeric', 'text', 'timestamptz', 'text', 'int', 'bigint'];
const UPSERT = `
  INSERT INTO meter_daily_reading (${COLUMNS.join(', ')})
  SELECT ${COLUMNS.join(', ')} FROM json_to_recordset($1::json) AS x(${COLUMNS.map((c, i) => `${c} ${TYPES[i]}`).join(', ')})
  ON CONFLICT (mp_id, data_date) DO UPDATE SET
    ${COLUMNS.slice(2).map((c) => `${c} = EXCLUDED.${c}`).join(', ')}, received_at = now()
  WHERE (meter_daily_reading.source_topic, meter_daily_reading.source_partition, meter_daily_reading.source_offset)
        IS DISTINCT FROM (EXCLUDED.source_topic, EXCLUDED.source_partition, EXCLUDED.source_offset)`;

/** The collection system's local time (+08:00) as an instant. */
function collTime(v: string): string {
  return `${v.replace(' ', 'T')}+08:00`;
}

interface Row {
  mp_id: string;
  data_date: string;
  cons_no: string;
  org_no: string;
  r_total: string;
  r1: string;
  r2: string;
  r3: string;
  r4: string;
  status: string;
  coll_time: string;
  source_topic: string;
  source_partition: number;
  source_offset: number;
}

/** Maps a batch, keeps the last reading per (mp_id, data_date) (ON CONFLICT touches a row once per statement), upserts it. */
async function storeBatch(dataSource: DataSource, records: KafkaRecord<FlatReading>[]): Promise<void> {
  const latest = new Map<string, Row>();
  for (const rec of records) {
    const v = rec.value;
    latest.set(`${v.id}|${v.datadate}`, {
      mp_id: v.id,
      data_date: v.datadate,
      cons_no: v.consno,
      org_no: v.orgno,
      r_total: v.r,
      r1: v.r1,
      r2: v.r2,
      r3: v.r3,
      r4: v.r4,
      status: v.status,
      coll_time: collTime(v.colltime),
      source_topic: rec.topic,
      source_partition: rec.partition,
      source_offset: rec.offset,
    });
  }
  await dataSource.query(UPSERT, [JSON.stringify([...latest.values()])]);
}

/**
 * (b') the same rows, but PostgreSQL parses and maps: the raw values are
 * joined into one JSON array (each tagged with its offset), and
 * json_to_recordset() does the parsing and type conversion on the database
 * side. A value that is not JSON makes the statement fail, the batch is
 * split and that record dead-lettered, as in (b).
 */
const RAW_UPSERT = `
  INSERT INTO meter_daily_reading (${COLUMNS.join(', ')})
  SELECT DISTINCT ON (x.id, x.datadate)
         x.id, x.datadate, x.consno, x.orgno, x.r, x.r1, x.r2, x.r3, x.r4, x.status,
         (replace(x.colltime, ' ', 'T') || '+08:00')::timestamptz, $2, $3, x._o
    FROM json_to_recordset($1::json) AS x(_o bigint, id text, datadate date, colltime text, r numeric, r1 numeric, r2 numeric,
                                          r3 numeric, r4 numeric, orgno text, consno text, status text)
   ORDER BY x.id, x.datadate, x._o DESC
  ON CONFLICT (mp_id, data_date) DO UPDATE SET
    ${COLUMNS.slice(2).map((c) => `${c} = EXCLUDED.${c}`).join(', ')}, received_at = now()
  WHERE (meter_daily_reading.source_topic, meter_daily_reading.source_partition, meter_daily_reading.source_offset)
        IS DISTINCT FROM (EXCLUDED.source_topic, EXCLUDED.source_partition, EXCLUDED.source_offset)`;

async function storeRawBatch(dataSource: DataSource, records: KafkaRecord<Buffer>[]): Promise<void> {
  const parts: string[] = [];
  for (const rec of records) {
    const text = rec.raw ? rec.raw.toString('utf8') : 'null';
    const open = text.indexOf('{');
    // {"_o":<offset>, …the record's own fields}; anything else is left for the database to refuse
    parts.push(open < 0 ? text : `{"_o":${rec.offset},${text.slice(open + 1)}`);
  }
  // a unit is one partition's records
  await dataSource.query(RAW_UPSERT, [`[${parts.join(',')}]`, records[0].topic, records[0].partition]);
}

const rate = (n: number, ms: number) => Math.round((n * 1000) / ms);
const fmt = (n: number) => n.toLocaleString('en-US');

async function produceAll(topic: string): Promise<number> {
  const producer = new KafkaProducerAdapter({ brokers: BROKERS, lingerMs: 20, clientId: 'bench' });
  await producer.start();
  const started = Date.now();
  const window = 20000;
  for (let from = 0; from < RECORDS; from += window) {
    const chunk: Promise<unknown>[] = [];
    for (let i = from; i < Math.min(RECORDS, from + window); i++) {
      const r = reading(i);
      chunk.push(producer.produceJson(topic, r, { key: r.id }));
    }
    await Promise.all(chunk);
  }
  const ms = Date.now() - started;
  await producer.stop();
  return ms;
}

/** (a0) node-rdkafka alone, non-flowing consume(n) loop, no commits. */
async function bareConsume(topic: string): Promise<number> {
  const consumer = new KafkaConsumer(
    { 'metadata.broker.list': BROKERS, 'group.id': `bench-bare-${randomBytes(3).toString('hex')}`, 'enable.auto.commit': false, 'fetch.wait.max.ms': 25, 'fetch.queue.backoff.ms': 20 } as never,
    { 'auto.offset.reset': 'earliest' },
  );
  await new Promise<void>((resolve, reject) => consumer.connect({ timeout: 10000 }, (err) => (err ? reject(err) : resolve())));
  consumer.setDefaultConsumeTimeout(100);
  consumer.subscribe([topic]);
  let count = 0;
  let first = 0;
  while (count < RECORDS) {
    const batch = await new Promise<Message[]>((resolve, reject) => consumer.consume(1000, (err, ms) => (err ? reject(err) : resolve(ms))));
    if (batch.length && !first) first = Date.now();
    count += batch.length;
  }
  const ms = Date.now() - first;
  await new Promise<void>((resolve) => consumer.disconnect(() => resolve()));
  return ms;
}

async function adapterRun(
  topic: string,
  label: string,
  handleBatch: (records: KafkaRecord<never>[]) => Promise<void>,
  format: 'json' | 'raw',
): Promise<{ ms: number; stopMs: number; elu: number; consumer: KafkaConsumerAdapter<never> }> {
  let first = 0;
  let done = 0;
  let eluStart: ReturnType<typeof performance.eventLoopUtilization> | undefined;
  const consumer = new KafkaConsumerAdapter<never>(
    {
      brokers: BROKERS,
      groupId: `bench-${label}-${randomBytes(3).toString('hex')}`,
      topics: [topic],
      format,
      batchSize: BATCH,
      maxPollRecords: BATCH,
      maxInFlight: MAX_IN_FLIGHT,
      clientId: `bench-${label}`,
    },
    {
      async handleBatch(records) {
        if (!first) {
          first = Date.now();
          eluStart = performance.eventLoopUtilization();
        }
        await handleBatch(records);
        done += records.length;
      },
    },
  );
  await consumer.start();
  while (done < RECORDS) await new Promise((r) => setTimeout(r, 5));
  const ms = Date.now() - first;
  const elu = performance.eventLoopUtilization(eluStart).utilization;
  const stopStarted = Date.now();
  await consumer.stop();
  return { ms, stopMs: Date.now() - stopStarted, elu, consumer };
}

async function main(): Promise<void> {
  const topic = `bench-mp-day-read-${randomBytes(3).toString('hex')}`;
  const database = `gridbus_bench_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const url = new URL(DATABASE_URL);
  url.pathname = `/${database}`;
  const { dataSource } = await openDatabase(url.toString(), { applicationName: 'gridbus-bench' });
  try {
    console.log(`kafka bench: ${fmt(RECORDS)} records, ${PARTITIONS} partitions, batch ${BATCH}, maxInFlight ${MAX_IN_FLIGHT}`);
    await createTopics(BROKERS, [topic, `${topic}.DLT`], { partitions: PARTITIONS });
    const produceMs = await produceAll(topic);
    console.log(`produce           ${fmt(rate(RECORDS, produceMs)).padStart(9)} records/s  (${produceMs} ms, idempotent, acks=all, awaited delivery reports)`);

    const bareMs = await bareConsume(topic);
    console.log(`(a0) bare consume ${fmt(rate(RECORDS, bareMs)).padStart(9)} records/s  (${bareMs} ms, node-rdkafka consume(1000) loop, nothing else)`);

    const raw = await adapterRun(topic, 'raw', async () => undefined, 'raw');
    const m = raw.consumer.metrics();
    console.log(`(a)  adapter raw  ${fmt(rate(RECORDS, raw.ms)).padStart(9)} records/s  (${raw.ms} ms, no handling; event loop ${(raw.elu * 100).toFixed(0)} % busy; commits ${m.commits}, max in flight ${m.maxInFlightObserved}, pauses ${m.pausedCount}; stop ${raw.stopMs} ms)`);

    const stored = await adapterRun(topic, 'pg', (records) => storeBatch(dataSource, records as unknown as KafkaRecord<FlatReading>[]), 'json');
    const s = stored.consumer.metrics();
    const rows = Number((await dataSource.query('SELECT count(*)::int AS n FROM meter_daily_reading'))[0].n);
    console.log(`(b)  adapter + pg ${fmt(rate(RECORDS, stored.ms)).padStart(9)} records/s  (${stored.ms} ms, parse + map + upsert; event loop ${(stored.elu * 100).toFixed(0)} % busy; ${fmt(rows)} rows; batches ${s.batches}, max in flight ${s.maxInFlightObserved}, pauses ${s.pausedCount}; stop ${stored.stopMs} ms)`);
    if (rows !== RECORDS) console.log(`WARNING: expected ${RECORDS} rows, found ${rows}`);

    await dataSource.query('TRUNCATE meter_daily_reading');
    const pgSide = await adapterRun(topic, 'pgjson', (records) => storeRawBatch(dataSource, records as unknown as KafkaRecord<Buffer>[]), 'raw');
    const p = pgSide.consumer.metrics();
    const rows2 = Number((await dataSource.query('SELECT count(*)::int AS n FROM meter_daily_reading'))[0].n);
    console.log(`(b') adapter + pg ${fmt(rate(RECORDS, pgSide.ms)).padStart(9)} records/s  (${pgSide.ms} ms, raw values to json_to_recordset: PostgreSQL parses + maps; event loop ${(pgSide.elu * 100).toFixed(0)} % busy; ${fmt(rows2)} rows; batches ${p.batches}; stop ${pgSide.stopMs} ms)`);
    if (rows2 !== RECORDS) console.log(`WARNING: expected ${RECORDS} rows, found ${rows2}`);

    const pct = (x: number, y: number) => `${((x / y) * 100).toFixed(0)} %`;
    console.log(`ratio (b)/(a)  ${pct(rate(RECORDS, stored.ms), rate(RECORDS, raw.ms))}    (b)/(a0)  ${pct(rate(RECORDS, stored.ms), rate(RECORDS, bareMs))}`);
    console.log(`ratio (b')/(a) ${pct(rate(RECORDS, pgSide.ms), rate(RECORDS, raw.ms))}    (b')/(a0) ${pct(rate(RECORDS, pgSide.ms), rate(RECORDS, bareMs))}`);
  } finally {
    await dataSource.destroy();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
    await deleteTopics(BROKERS, [topic, `${topic}.DLT`]).catch(() => undefined);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
