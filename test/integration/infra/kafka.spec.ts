// Proves that the test Kafka broker (scripts/services.sh, TEST_KAFKA_BROKERS)
// is a real broker: a topic made through the admin API, a message produced
// with a delivery report and consumed back by a fresh consumer group.
import { expect } from 'chai';
import { randomUUID } from 'crypto';
import {
  AdminClient,
  IAdminClient,
  KafkaConsumer,
  Message,
  Producer,
  DeliveryReport,
} from 'node-rdkafka';

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set: run \`scripts/services.sh up\` and \`source var/services/env.sh\` (npm test does both)`,
    );
  }
  return value;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe('infra - kafka', function () {
  this.timeout(60_000);

  let brokers: string;
  let admin: IAdminClient | undefined;
  let producer: Producer | undefined;
  let consumer: KafkaConsumer | undefined;
  const topic = `gridbus-infra-${Date.now()}-${randomUUID().slice(0, 8)}`;

  before(async function () {
    brokers = requireEnv('TEST_KAFKA_BROKERS');
    admin = AdminClient.create({ 'metadata.broker.list': brokers, 'client.id': 'gridbus-infra-admin' });
    await new Promise<void>((resolve, reject) =>
      admin!.createTopic({ topic, num_partitions: 1, replication_factor: 1 }, 20_000, (err) =>
        err ? reject(err) : resolve(),
      ),
    );
  });

  after(async function () {
    if (consumer?.isConnected()) {
      await new Promise<void>((resolve) => consumer!.disconnect(() => resolve()));
    }
    if (producer?.isConnected()) {
      await new Promise<void>((resolve) => producer!.disconnect(() => resolve()));
    }
    if (admin) {
      await new Promise<void>((resolve) => admin!.deleteTopic(topic, 10_000, () => resolve()));
      admin.disconnect();
    }
  });

  it('creates a topic that the broker lists in its metadata', async function () {
    producer = new Producer({
      'metadata.broker.list': brokers,
      'client.id': 'gridbus-infra-producer',
      dr_cb: true,
    });
    await new Promise<void>((resolve, reject) =>
      producer!.connect({ timeout: 20_000 }, (err) => (err ? reject(err) : resolve())),
    );
    const metadata = await new Promise<any>((resolve, reject) =>
      producer!.getMetadata({ topic, timeout: 10_000 }, (err, data) => (err ? reject(err) : resolve(data))),
    );
    const found = metadata.topics.find((t: { name: string }) => t.name === topic);
    expect(found, `topic ${topic} in broker metadata`).to.exist;
    expect(found.partitions).to.have.length(1);
    expect(metadata.brokers.map((b: { port: number }) => b.port)).to.include(Number(brokers.split(':')[1]));
  });

  it('produces and consumes a message through the broker with node-rdkafka', async function () {
    if (!producer?.isConnected()) throw new Error('producer not connected (previous test failed)');
    const key = `key-${randomUUID()}`;
    const payload = JSON.stringify({ kind: 'infra-check', id: randomUUID(), text: 'grid 电网 ⚡' });

    producer.setPollInterval(50);
    const delivered = new Promise<DeliveryReport>((resolve, reject) => {
      producer!.once('delivery-report', (err, report) => (err ? reject(err) : resolve(report)));
    });
    producer.produce(topic, null, Buffer.from(payload), key, Date.now(), undefined, [
      { 'x-gridbus-check': Buffer.from('1') },
    ]);
    const report = await withTimeout(delivered, 20_000, 'delivery report');
    expect(report.topic).to.equal(topic);
    expect(report.partition).to.equal(0);
    expect(report.offset).to.be.a('number').and.at.least(0);

    consumer = new KafkaConsumer(
      {
        'metadata.broker.list': brokers,
        'group.id': `gridbus-infra-${randomUUID()}`,
        'client.id': 'gridbus-infra-consumer',
        'enable.auto.commit': false,
      },
      { 'auto.offset.reset': 'earliest' },
    );
    await new Promise<void>((resolve, reject) =>
      consumer!.connect({ timeout: 20_000 }, (err) => (err ? reject(err) : resolve())),
    );
    const received = new Promise<Message>((resolve, reject) => {
      consumer!.on('data', (message) => {
        if (message.key && Buffer.from(message.key).toString() === key) resolve(message);
      });
      consumer!.on('event.error', reject);
    });
    consumer.subscribe([topic]);
    consumer.consume();
    const message = await withTimeout(received, 40_000, `message with key ${key} from ${topic}`);

    expect(message.topic).to.equal(topic);
    expect(message.offset).to.equal(report.offset);
    expect(Buffer.from(message.key as Buffer).toString()).to.equal(key);
    expect(message.value!.toString('utf8')).to.equal(payload);
    const header = (message.headers ?? []).find((h) => 'x-gridbus-check' in h);
    expect(header, 'header x-gridbus-check').to.exist;
    expect(Buffer.from(header!['x-gridbus-check'] as Buffer).toString()).to.equal('1');
  });
});
