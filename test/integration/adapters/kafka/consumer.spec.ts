import { expect } from 'chai';
import { randomBytes } from 'crypto';
import {
  createTopics,
  deleteTopics,
  Delivery,
  fetchCommittedOffsets,
  fetchWatermarks,
  KafkaConsumerAdapter,
  KafkaConsumerOptions,
  KafkaHandler,
  KafkaProducerAdapter,
  KafkaRecord,
  peekTopic,
} from '../../../../adapters/kafka';
import { GridbusError } from '../../../../core/errors';
import { requireEnv } from '../../../helpers/env';

interface Item {
  id: string;
}

function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

async function waitFor(what: string, condition: () => boolean, timeoutMs = 20000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('adapters/kafka - consumer on a real broker', function () {
  this.timeout(90000);
  let brokers: string;
  let producer: KafkaProducerAdapter;
  const topics: string[] = [];
  const consumers: KafkaConsumerAdapter<Item>[] = [];

  before(async () => {
    brokers = requireEnv('TEST_KAFKA_BROKERS');
    producer = new KafkaProducerAdapter({ brokers });
    await producer.start();
  });

  after(async () => {
    await Promise.all(consumers.map((c) => c.stop().catch(() => undefined)));
    await producer?.stop();
    if (topics.length) await deleteTopics(brokers, topics).catch(() => undefined);
  });

  async function topicWithDlt(prefix: string, partitions = 3): Promise<string> {
    const topic = unique(prefix);
    topics.push(topic, `${topic}.DLT`);
    await createTopics(brokers, [topic, `${topic}.DLT`], { partitions });
    return topic;
  }

  function consumer(topic: string, groupId: string, handler: KafkaHandler<Item>, extra: Partial<KafkaConsumerOptions> = {}): KafkaConsumerAdapter<Item> {
    const c = new KafkaConsumerAdapter<Item>({ brokers, groupId, topics: [topic], commitIntervalMs: 0, drainTimeoutMs: 5000, ...extra }, handler);
    consumers.push(c);
    return c;
  }

  async function produceItems(topic: string, ids: string[], partition?: number): Promise<Map<string, Delivery>> {
    const deliveries = await Promise.all(ids.map((id) => producer.produceJson(topic, { id }, { key: id, partition })));
    return new Map(ids.map((id, i) => [id, deliveries[i]]));
  }

  async function committed(topic: string, groupId: string, partitions = 3): Promise<number[]> {
    const offsets = await fetchCommittedOffsets(brokers, groupId, [...Array(partitions).keys()].map((partition) => ({ topic, partition })));
    return offsets.sort((a, b) => a.partition - b.partition).map((o) => o.offset);
  }

  async function highWatermarks(topic: string): Promise<number[]> {
    return (await fetchWatermarks(brokers, topic)).map((w) => w.high);
  }

  it('at-least-once - a transient failure is retried and its offset committed only after success', async () => {
    const topic = await topicWithDlt('kafka-alo');
    const groupId = unique('g-alo');
    const ids = [...Array(30).keys()].map((i) => `r${i}`);
    const deliveries = await produceItems(topic, ids);
    const failing = deliveries.get('r7') as Delivery;

    const attempts = new Map<string, number>();
    const handledOrder = new Map<number, number[]>();
    let failedOnce = false;
    const c = consumer(
      topic,
      groupId,
      {
        async handle(record: KafkaRecord<Item>) {
          const n = (attempts.get(record.value.id) ?? 0) + 1;
          attempts.set(record.value.id, n);
          if (record.value.id === 'r7' && n === 1) {
            failedOnce = true;
            throw new GridbusError('BACKEND_UNAVAILABLE', 'transient');
          }
          handledOrder.set(record.partition, [...(handledOrder.get(record.partition) ?? []), record.offset]);
        },
      },
      { retry: { maxAttempts: 3, backoffMs: 2500 } },
    );
    await c.start();

    await waitFor('the first failure', () => failedOnce);
    await sleep(800); // the other partitions finish and commit meanwhile
    const during = await committed(topic, groupId);
    // nothing at or after the failing record is committed while it waits for its retry
    expect(during[failing.partition]).to.be.at.most(failing.offset);

    await waitFor('all records', () => c.metrics().handled === 30);
    await c.stop();

    expect(attempts.get('r7')).to.equal(2);
    for (const id of ids) expect(attempts.get(id), id).to.equal(id === 'r7' ? 2 : 1);
    for (const offsets of handledOrder.values()) expect(offsets).to.deep.equal([...offsets].sort((a, b) => a - b));
    expect(await committed(topic, groupId)).to.deep.equal(await highWatermarks(topic));
    expect(c.metrics()).to.deep.include({ retries: 1, deadLettered: 0, inFlight: 0 });
  });

  it('at-least-once - after a restart in the same group nothing handled comes again, nothing unhandled is skipped', async () => {
    const topic = await topicWithDlt('kafka-restart');
    const groupId = unique('g-restart');
    const first = [...Array(40).keys()].map((i) => `a${i}`);
    await produceItems(topic, first);

    const handledA = new Set<string>();
    const stuck: Array<(err: Error) => void> = [];
    const a = consumer(
      topic,
      groupId,
      {
        async handle(record) {
          if (handledA.size >= 15) {
            // from here on the handler never finishes before the stop
            await new Promise<void>((_resolve, reject) => stuck.push(reject));
          }
          handledA.add(record.value.id);
        },
      },
      { drainTimeoutMs: 300 },
    );
    await a.start();
    await waitFor('15 handled by the first member', () => handledA.size >= 15 && stuck.length > 0);
    await sleep(200);
    await a.stop();
    for (const reject of stuck) reject(new Error('released after stop'));

    const second = [...Array(10).keys()].map((i) => `b${i}`);
    await produceItems(topic, second);
    const handledB: string[] = [];
    const b = consumer(topic, groupId, {
      async handle(record) {
        handledB.push(record.value.id);
      },
    });
    await b.start();
    await waitFor('the rest', () => handledA.size + handledB.length >= 50);
    await sleep(1000); // anything re-delivered would show up now
    await b.stop();

    expect(handledA.size).to.equal(15);
    expect(handledB.filter((id) => handledA.has(id)), 're-delivered').to.deep.equal([]);
    expect(new Set(handledB).size).to.equal(handledB.length);
    expect([...handledA, ...handledB].sort()).to.deep.equal([...first, ...second].sort());
    expect(await committed(topic, groupId)).to.deep.equal(await highWatermarks(topic));
  });

  it('dead letters - a poison record goes to <topic>.DLT with its headers; the good ones around it are handled once', async () => {
    const topic = await topicWithDlt('kafka-dlt');
    const groupId = unique('g-dlt');
    // one partition, so "before" and "after" are well defined
    await produceItems(topic, ['g1', 'g2', 'g3', 'g4', 'g5'], 0);
    await producer.produce(topic, 'this is {not json', { key: 'poison', partition: 0, headers: { trace: 'abc' } });
    await produceItems(topic, ['g6', 'g7', 'reject-me', 'g8', 'flaky', 'g9', 'g10'], 0);

    const handled: string[] = [];
    const c = consumer(
      topic,
      groupId,
      {
        async handle(record) {
          if (record.value.id === 'reject-me') throw new GridbusError('VALIDATION_FAILED', 'field x is missing');
          if (record.value.id === 'flaky') throw new GridbusError('BACKEND_TIMEOUT', 'no answer');
          handled.push(record.value.id);
        },
      },
      { retry: { maxAttempts: 3, backoffMs: 50 } },
    );
    const notices: unknown[] = [];
    c.events.on('dead-lettered', (n) => notices.push(n));
    const started = Date.now();
    await c.start();
    await waitFor('good and bad records', () => c.metrics().handled === 10 && c.metrics().deadLettered === 3);
    await c.stop();

    expect(handled).to.deep.equal(['g1', 'g2', 'g3', 'g4', 'g5', 'g6', 'g7', 'g8', 'g9', 'g10']);
    expect(c.metrics()).to.deep.include({ malformed: 1, deadLettered: 3, retries: 2 });
    expect(notices).to.have.length(3);

    const dead = await peekTopic(brokers, `${topic}.DLT`);
    expect(dead.map((d) => d.key)).to.have.members(['poison', 'reject-me', 'flaky']);
    const poison = dead.find((d) => d.key === 'poison')!;
    expect(poison.value?.toString()).to.equal('this is {not json');
    expect(poison.headers).to.deep.include({
      trace: 'abc',
      'x-original-topic': topic,
      'x-original-partition': '0',
      'x-original-offset': '5',
      'x-error-code': 'VALIDATION_FAILED',
      'x-attempts': '0',
      'x-consumer-group': groupId,
    });
    expect(poison.headers['x-error-message']).to.match(/not JSON/);
    const failedAt = Date.parse(poison.headers['x-failed-at']);
    expect(failedAt).to.be.within(started - 1000, Date.now());
    const rejected = dead.find((d) => d.key === 'reject-me')!;
    expect(rejected.headers).to.deep.include({ 'x-original-offset': '8', 'x-error-code': 'VALIDATION_FAILED', 'x-error-message': 'field x is missing', 'x-attempts': '1' });
    expect(JSON.parse(rejected.value!.toString())).to.deep.equal({ id: 'reject-me' });
    const flaky = dead.find((d) => d.key === 'flaky')!;
    expect(flaky.headers).to.deep.include({ 'x-original-offset': '10', 'x-error-code': 'BACKEND_TIMEOUT', 'x-attempts': '3' });

    // committed past the dead-lettered records: a new member of the group gets nothing again
    expect((await committed(topic, groupId))[0]).to.equal(13);
    const again: string[] = [];
    const d = consumer(topic, groupId, {
      async handle(record) {
        again.push(record.value.id);
      },
    });
    await d.start();
    await waitFor('an assignment', () => d.metrics().assignedPartitions > 0);
    await sleep(1000);
    await d.stop();
    expect(again).to.deep.equal([]);
  });

  it('backpressure - in-flight never exceeds maxInFlight; partitions pause and resume; everything is handled', async () => {
    const topic = await topicWithDlt('kafka-bp');
    const ids = [...Array(150).keys()].map((i) => `s${i}`);
    await produceItems(topic, ids);

    const handled = new Set<string>();
    let sampledMax = 0;
    let c!: KafkaConsumerAdapter<Item>;
    c = consumer(
      topic,
      unique('g-bp'),
      {
        async handle(record) {
          sampledMax = Math.max(sampledMax, c.metrics().inFlight);
          await sleep(15);
          handled.add(record.value.id);
        },
      },
      { maxInFlight: 10, resumeAt: 4, maxPollRecords: 500 },
    );
    const flow: string[] = [];
    c.events.on('paused', () => flow.push('paused'));
    c.events.on('resumed', () => flow.push('resumed'));
    await c.start();
    await waitFor('all records', () => handled.size === 150, 30000);
    const m = c.metrics();
    await c.stop();

    expect(sampledMax).to.be.at.most(10);
    // three partitions share the bound (3 each): the room was used, never exceeded
    expect(m.maxInFlightObserved).to.be.within(9, 10);
    expect(m.pausedCount).to.be.greaterThan(0);
    expect(m.resumedCount).to.be.greaterThan(0);
    expect(flow[0]).to.equal('paused');
    expect(flow).to.include('resumed');
    expect(m.handled).to.equal(150);
    expect(m.consumed).to.equal(150);
  });

  for (const strategy of ['range', 'cooperative-sticky']) {
    it(`rebalance (${strategy}) - a second member joins mid-stream: each record is handled once, all offsets committed`, async () => {
      const topic = await topicWithDlt(`kafka-rb-${strategy}`, 4);
      const groupId = unique('g-rb');
      const ids = [...Array(300).keys()].map((i) => `m${i}`);
      await produceItems(topic, ids);

      const counts = new Map<string, number>();
      let rebalancing = () => false;
      const handler: KafkaHandler<Item> = {
        async handle(record) {
          // the first member makes a little progress, then goes on only once the group rebalances
          const gateUntil = Date.now() + 15000;
          while (counts.size >= 20 && !rebalancing() && Date.now() < gateUntil) await sleep(5);
          await sleep(20);
          counts.set(record.value.id, (counts.get(record.value.id) ?? 0) + 1);
        },
      };
      const options = { maxInFlight: 20, rdkafka: { 'partition.assignment.strategy': strategy } };
      const a = consumer(topic, groupId, handler, options);
      const b = consumer(topic, groupId, handler, options);
      rebalancing = () => a.metrics().rebalances > 1;
      await a.start();
      await waitFor('some progress', () => counts.size >= 20);
      await b.start();
      await waitFor('all records', () => counts.size === 300, 40000);
      await sleep(500);
      expect(b.metrics().handled, 'the second member took part').to.be.greaterThan(0);
      expect(a.metrics().rebalances).to.be.greaterThan(1);
      await Promise.all([a.stop(), b.stop()]);

      const twice = [...counts.entries()].filter(([, n]) => n > 1);
      expect(twice, 'handled more than once').to.deep.equal([]);
      expect(await committed(topic, groupId, 4)).to.deep.equal(await highWatermarks(topic));
    });
  }

  it('health - up with assignment and lag while running, down once stopped', async () => {
    const topic = await topicWithDlt('kafka-health', 1);
    const c = consumer(topic, unique('g-health'), { handle: async () => undefined });
    expect((await c.health()).status).to.equal('down');
    await c.start();
    await waitFor('an assignment', () => c.metrics().assignedPartitions === 1);
    const up = await c.health();
    expect(up.status).to.equal('up');
    expect(up.detail).to.match(/1 partition\(s\) assigned, 0 in flight/);
    await c.stop();
    expect((await c.health()).status).to.equal('down');
  });
});
