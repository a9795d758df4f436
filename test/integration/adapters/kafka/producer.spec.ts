import { expect } from 'chai';
import { randomBytes } from 'crypto';
import { createTopics, deleteTopics, fetchWatermarks, KafkaProducerAdapter, peekTopic } from '../../../../adapters/kafka';
import { GridbusError } from '../../../../core/errors';
import { requireEnv } from '../../../helpers/env';

function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

describe('adapters/kafka - producer on a real broker', function () {
  this.timeout(60000);
  let brokers: string;
  const topics: string[] = [];

  before(() => {
    brokers = requireEnv('TEST_KAFKA_BROKERS');
  });

  after(async () => {
    if (topics.length) await deleteTopics(brokers, topics).catch(() => undefined);
  });

  async function topic(partitions = 3): Promise<string> {
    const name = unique('kafka-prod');
    topics.push(name);
    await createTopics(brokers, [name], { partitions });
    return name;
  }

  it('delivery reports - produce() resolves with partition and offset once acknowledged; headers and keys arrive', async () => {
    const t = await topic();
    const producer = new KafkaProducerAdapter({ brokers });
    await producer.start();
    try {
      const deliveries = await Promise.all(
        [...Array(300).keys()].map((i) => producer.produceJson(t, { i }, { key: `k${i % 7}`, headers: { 'x-seq': String(i) } })),
      );
      // per partition, offsets are dense and unique: nothing lost, nothing written twice
      for (let p = 0; p < 3; p++) {
        const offsets = deliveries.filter((d) => d.partition === p).map((d) => d.offset).sort((a, b) => a - b);
        expect(offsets).to.deep.equal([...offsets.keys()]);
      }
      // the same key always lands on the same partition
      const byKey = new Map<string, Set<number>>();
      deliveries.forEach((d, i) => byKey.set(`k${i % 7}`, (byKey.get(`k${i % 7}`) ?? new Set()).add(d.partition)));
      for (const parts of byKey.values()) expect(parts.size).to.equal(1);

      const marks = await fetchWatermarks(brokers, t);
      expect(marks.reduce((n, w) => n + w.high, 0)).to.equal(300);
      const stored = await peekTopic(brokers, t);
      const first = stored.find((r) => r.headers['x-seq'] === '0')!;
      expect(first.key).to.equal('k0');
      expect(JSON.parse(first.value!.toString())).to.deep.equal({ i: 0 });
      expect(producer.metrics()).to.deep.include({ produced: 300, delivered: 300, deliveryErrors: 0, pending: 0 });
    } finally {
      await producer.stop();
    }
  });

  it('idempotence - the broker assigned the producer an id (enable.idempotence, acks=all)', async () => {
    const t = await topic(1);
    const producer = new KafkaProducerAdapter({ brokers, rdkafka: { 'statistics.interval.ms': 200 } });
    const stats: Array<{ eos?: { idemp_state?: string; producer_id?: number } }> = [];
    producer.events.on('stats', (s) => stats.push(s));
    await producer.start();
    try {
      await producer.produce(t, 'one');
      const deadline = Date.now() + 10000;
      while (!stats.some((s) => s.eos?.idemp_state === 'Assigned') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const eos = stats.map((s) => s.eos).find((e) => e?.idemp_state === 'Assigned');
      expect(eos, 'an idempotent producer id').to.not.equal(undefined);
      expect(eos!.producer_id).to.be.at.least(0);
    } finally {
      await producer.stop();
    }
  });

  it('refuses what cannot be delivered with a typed error, and rdkafka settings that would weaken the guarantees', async () => {
    const t = await topic(1);
    const producer = new KafkaProducerAdapter({ brokers });
    await producer.start();
    try {
      const err = await producer.produce(t, Buffer.alloc(2 * 1024 * 1024)).catch((e) => e);
      expect(err).to.be.instanceOf(GridbusError);
      expect((err as GridbusError).errorCode).to.equal('CONFIG_INVALID');
    } finally {
      await producer.stop();
    }
    expect(() => new KafkaProducerAdapter({ brokers, rdkafka: { 'enable.idempotence': false } })).to.throw(/cannot be overridden/);
    const stopped = await producer.produce(t, 'late').catch((e) => e);
    expect((stopped as GridbusError).errorCode).to.equal('SERVICE_UNAVAILABLE');
  });

  it('stop() flushes: messages handed over just before stop are delivered', async () => {
    const t = await topic(1);
    const producer = new KafkaProducerAdapter({ brokers, lingerMs: 200 });
    await producer.start();
    const pending = [...Array(50).keys()].map((i) => producer.produce(t, `m${i}`));
    await producer.stop();
    const results = await Promise.allSettled(pending);
    expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(50);
    expect((await fetchWatermarks(brokers, t))[0].high).to.equal(50);
  });

  it('health - up with broker metadata; down with the error when the cluster cannot be reached', async () => {
    const producer = new KafkaProducerAdapter({ brokers });
    expect((await producer.health()).status).to.equal('down');
    await producer.start();
    const up = await producer.health();
    expect(up.status).to.equal('up');
    expect(up.detail).to.match(/1 broker/);
    await producer.stop();

    const nowhere = new KafkaProducerAdapter({ brokers: '127.0.0.1:1', connectTimeoutMs: 1500 });
    const err = await nowhere.start().catch((e) => e);
    expect(err).to.be.instanceOf(GridbusError);
    expect(['BACKEND_UNAVAILABLE', 'BACKEND_TIMEOUT']).to.include((err as GridbusError).errorCode);
    const down = await nowhere.health();
    expect(down.status).to.equal('down');
    expect(down.detail).to.contain('127.0.0.1:1');
    await nowhere.stop();
  });
});
