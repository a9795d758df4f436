import { expect } from 'chai';
import Ajv from 'ajv';
import { KafkaConsumer } from 'node-rdkafka';
import { consumerConfig, KAFKA_CONSUMER_SETTINGS_SCHEMA, resolveConsumerOptions } from '../../../../adapters/kafka';
import { deadLetterLogLine, withoutValues } from '../../../../adapters/kafka/dead-letter';
import { GridbusError } from '../../../../core/errors';

const base = { brokers: '127.0.0.1:9092', groupId: 'g', topics: ['t'] };

function problems(extra: Record<string, unknown>): string[] {
  try {
    resolveConsumerOptions({ ...base, ...extra } as never);
  } catch (err) {
    expect(err).to.be.instanceOf(GridbusError);
    expect((err as GridbusError).errorCode).to.equal('CONFIG_INVALID');
    return (err as GridbusError).data.problems as string[];
  }
  return [];
}

describe('adapters/kafka - consumer settings under Kafka names', () => {
  it('defaults session.timeout.ms to 10 s (a crashed member holds its partitions that long) and passes settings to the client config', () => {
    expect(consumerConfig(resolveConsumerOptions(base))['session.timeout.ms']).to.equal(10000);
    const o = resolveConsumerOptions({
      ...base,
      settings: {
        'session.timeout.ms': '7000',
        'heartbeat.interval.ms': 2000,
        'max.poll.interval.ms': 60000,
        'fetch.min.bytes': 1024,
        'group.instance.id': 'gridbus-node-1',
        'auto.offset.reset': 'LATEST',
        'security.protocol': 'SASL_SSL',
        'sasl.mechanisms': 'scram-sha-512',
      },
    });
    const config = consumerConfig(o);
    expect(config).to.include({
      'session.timeout.ms': 7000,
      'heartbeat.interval.ms': 2000,
      'max.poll.interval.ms': 60000,
      'fetch.min.bytes': 1024,
      'group.instance.id': 'gridbus-node-1',
      'security.protocol': 'sasl_ssl',
      'sasl.mechanisms': 'SCRAM-SHA-512',
      'enable.auto.commit': false,
    });
    expect(config).not.to.have.property('auto.offset.reset');
    expect(o.autoOffsetReset).to.equal('latest');
  });

  it('librdkafka itself accepts the resolved config (read back from the client)', () => {
    const config = consumerConfig(resolveConsumerOptions({ ...base, settings: { 'session.timeout.ms': 6000, 'heartbeat.interval.ms': 1500, 'fetch.max.bytes': 2000000 } }));
    const client = new KafkaConsumer(config as never, {});
    expect(client.globalConfig).to.include({ 'session.timeout.ms': 6000, 'heartbeat.interval.ms': 1500, 'fetch.max.bytes': 2000000 });
  });

  it('refuses bad settings, every one at once, saying what to write', () => {
    const list = problems({
      settings: { 'session.timeout': 5000, 'session.timeout.ms': 3000, 'fetch.min.bytes': 'lots', 'group.instance.id': 'a b', 'partition.assignment.strategy': 'sticky' },
    });
    expect(list).to.have.length(5);
    expect(list[0]).to.match(/unknown Kafka setting 'session.timeout'.*known: session\.timeout\.ms/);
    expect(list[1]).to.equal("settings 'session.timeout.ms' must be between 6000 and 1800000 (got 3000): brokers refuse less than their group.min.session.timeout.ms (6000 by default)");
    expect(list[2]).to.match(/'fetch.min.bytes' must be a whole number of bytes \(got "lots"\)/);
    expect(list[3]).to.match(/'group.instance.id' must be letters, digits/);
    expect(list[4]).to.match(/must be one of range \| roundrobin \| cooperative-sticky/);
    expect(problems({ settings: { 'heartbeat.interval.ms': 10000 } })).to.deep.equal([
      'heartbeat.interval.ms (10000) must be below session.timeout.ms (10000); write about a third of it, e.g. 3333',
    ]);
    expect(problems({ settings: { 'max.poll.interval.ms': 8000 } })).to.deep.equal(['max.poll.interval.ms (8000) must not be below session.timeout.ms (10000)']);
    expect(problems({ sessionTimeoutMs: 20000, settings: { 'session.timeout.ms': 30000 } })[0]).to.match(/differ: write only one/);
    expect(problems({ joinGraceMs: -1 })).to.deep.equal(['joinGraceMs must be an integer >= 0 (got -1)']);
  });

  it('its JSON schema (for channel definitions) takes what the checks take', () => {
    const validate = new Ajv({ strict: false }).compile(KAFKA_CONSUMER_SETTINGS_SCHEMA);
    expect(validate({ 'session.timeout.ms': 10000, 'fetch.min.bytes': '1024', 'group.instance.id': 'gridbus-1' })).to.equal(true);
    expect(validate({ 'session.timeout.msx': 1 })).to.equal(false);
  });
});

describe('adapters/kafka - dead-letter log line', () => {
  it('names topic, partition, offset, code, attempts and the reason, without the data values', () => {
    const line = deadLetterLogLine({
      topic: 'canal_meter',
      partition: 2,
      offset: 41,
      code: 'VALIDATION_FAILED',
      attempts: 0,
      deadLetterTopic: 'canal_meter.DLT',
      deadLetterOffset: 7,
      message: 'canal_meter (metering.canal): meterPointId: "3300000012345" is not in code table orgs; name: \'张三\'',
    });
    expect(line).to.equal('dead-lettered canal_meter[2]@41 to canal_meter.DLT@7: VALIDATION_FAILED, attempts 0: canal_meter (metering.canal): meterPointId: "…" is not in code table orgs; name: \'…\'');
    expect(withoutValues('duplicate key value violates unique constraint "pk" Key (cons_no)=(3300012345) already exists; mobile 13812345678')).to.equal(
      'duplicate key value violates unique constraint "…" Key (cons_no)=(…) already exists; mobile #',
    );
  });
});
