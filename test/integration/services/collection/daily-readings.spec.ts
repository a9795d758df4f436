import { expect } from 'chai';
import { randomBytes } from 'crypto';
import { RunningBus, startBus } from '../../../../bin/bootstrap';
import { loadConfig } from '../../../../config';
import { KafkaProducerAdapter, createTopics, deleteTopics, peekTopic } from '../../../../adapters/kafka';
import { createFreshDatabase, query } from '../../../helpers/db';
import { requireEnv } from '../../../helpers/env';
import { eventually } from '../../../helpers/http';

const flat = (id: string, day: number, r: number) =>
  JSON.stringify({ id, datadate: `202503${String(day).padStart(2, '0')}`, colltime: `2025-03-${String(day + 1).padStart(2, '0')} 00:15:32`, r, r1: r / 4, r2: r / 4, r3: r / 4, r4: r / 4, orgno: '3340101', status: '0' });

const cdc = (id: string, day: number, r: number, op = 'I', table = 'SG186.E_MP_DAY_READ') =>
  JSON.stringify({
    sequence_num: String(day),
    time_stamp: '2025-03-15 00:20:01.123456',
    op_type: op,
    table_name: table,
    record_data: { ID: id, DATA_DATE: `2025-03-${String(day).padStart(2, '0')} 00:00:00`, COLL_TIME: `2025-03-${String(day + 1).padStart(2, '0')} 00:15:32`, R: String(r), R1: '1', R2: '2', R3: '3', R4: '4', ORG_NO: '3340101', STATUS: '0' },
  });

/**
 * Daily readings from the collection system through the Kafka adapter, in
 * both message shapes (flat and change-data-capture envelope), into
 * PostgreSQL, with bad records on the dead-letter topic.
 */
for (const shape of ['collection.day-read-flat', 'collection.day-read-cdc'] as const) {
  describe(`collection - daily readings from Kafka in the ${shape.endsWith('flat') ? 'flat' : 'envelope'} shape`, function () {
    this.timeout(90000);
    const brokers = () => requireEnv('TEST_KAFKA_BROKERS');
    const topic = `it-day-read-${randomBytes(4).toString('hex')}`;
    let db: { url: string; drop(): Promise<void> };
    let bus: RunningBus;
    let producer: KafkaProducerAdapter;
    const encode = shape.endsWith('flat') ? flat : cdc;

    before(async () => {
      await createTopics(brokers(), [topic, `${topic}.DLT`], { partitions: 3 });
      db = await createFreshDatabase();
      producer = new KafkaProducerAdapter({ brokers: brokers() });
      await producer.start();
      bus = await startBus(
        loadConfig({ DATABASE_URL: db.url, SERVICES: 'collection', KAFKA_BROKERS: brokers(), COLLECTION_TOPIC: topic, COLLECTION_SHAPE: shape, COLLECTION_GROUP: `it-${topic}`, LOG_LEVEL: 'error' }),
      );
    });

    after(async () => {
      await bus?.stop();
      await producer?.stop();
      await db?.drop();
      await deleteTopics(brokers(), [topic, `${topic}.DLT`]).catch(() => undefined);
    });

    it('stores each day once, answers daily usage, and sends records that do not parse to the dead-letter topic', async () => {
      const messages: Array<string> = [
        encode('MP-1', 10, 100.5), encode('MP-1', 11, 112.75), encode('MP-1', 12, 130),
        'this is not JSON',
        encode('MP-2', 11, 50), encode('MP-2', 12, 58.25),
        encode('MP-1', 11, 112.75), // the same reading again: no duplicate row
      ];
      if (shape.endsWith('cdc')) messages.push(cdc('MP-3', 12, 1, 'D'), cdc('MP-4', 12, 1, 'I', 'SG186.OTHER_TABLE'));
      for (const m of messages) await producer.produce(topic, m, { key: m.includes('MP-2') ? 'MP-2' : 'MP-1' });
      const rows = await eventually(
        () => query<{ mp_id: string; data_date: string; r_total: string }>(db.url, "SELECT mp_id, to_char(data_date, 'YYYY-MM-DD') AS data_date, r_total::text FROM meter_daily_reading ORDER BY mp_id, data_date"),
        (r) => r.length === 5,
        60000,
      );
      expect(rows.map((r) => `${r.mp_id} ${r.data_date} ${Number(r.r_total)}`)).to.deep.equal([
        'MP-1 2025-03-10 100.5', 'MP-1 2025-03-11 112.75', 'MP-1 2025-03-12 130', 'MP-2 2025-03-11 50', 'MP-2 2025-03-12 58.25',
      ]);
      const usage = (await bus.broker.call('collection.dailyUsage', { meterPointId: 'MP-1', from: '2025-03-11', to: '2025-03-12' })) as Array<{ dataDate: string; usedKwh: string }>;
      expect(usage.map((u) => [u.dataDate, Number(u.usedKwh)])).to.deep.equal([['2025-03-11', 12.25], ['2025-03-12', 17.25]]);
      const dead = await eventually(() => peekTopic(brokers(), `${topic}.DLT`), (d) => d.length === 1, 30000);
      expect(dead[0].headers['x-original-topic']).to.equal(topic);
      expect(dead[0].headers['x-error-code']).to.be.a('string');
      expect(String(dead[0].value)).to.equal('this is not JSON');
      // The adapter's counters are on /metrics (as gauges, refreshed every few seconds).
      await eventually(
        async () => (bus.broker.metrics.list({ includes: ['gridbus.adapter.*'] }) as Array<{ name: string; values: Array<{ value: number }> }>),
        (ms) => ms.some((m) => m.name === 'gridbus.adapter.dead_lettered' && m.values.some((v) => v.value >= 1)),
        10000,
      );
    });
  });
}
