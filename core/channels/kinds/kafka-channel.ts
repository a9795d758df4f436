import { KafkaConsumerAdapter, KafkaConsumerOptions } from '../../../adapters/kafka';
import { GridbusError } from '../../errors';
import { ChannelKind, ReceivedRecord, RecordSink } from '../contract';
import { withoutEmpty } from './options';

/** Set by the channel itself: options may not change them. */
const OWNED = { brokers: 'endpoint.brokers', groupId: 'endpoint.groupId', topics: 'endpoint.topic', format: '(raw: the topic shape decodes)' } as const;

/**
 * A topic: the Kafka consumer (at-least-once, dead-letter topic) hands
 * batches of raw messages; each is decoded with the topic shape of the active
 * release and the canonical records go to the sink in one write per batch.
 */
export const KAFKA_CHANNEL: ChannelKind = {
  kind: 'kafka',
  sinkInput: 'records',
  reads: 'shape',
  create(channel, deps) {
    const sink = channel.sink as RecordSink;
    const options = withoutEmpty(channel.options);
    for (const key of Object.keys(options)) {
      if (key in OWNED) throw new GridbusError('CONFIG_INVALID', `channel ${channel.name}: options.${key} is set by the channel: use ${OWNED[key as keyof typeof OWNED]}`);
    }
    const ep = channel.endpoint as { brokers: string; groupId: string; topic?: string };
    const topic = ep.topic || deps.shape().topic;
    const consumer = new KafkaConsumerAdapter<Buffer>(
      { ...options, brokers: String(ep.brokers), groupId: String(ep.groupId), topics: [String(topic)], format: 'raw' } as KafkaConsumerOptions,
      {
        async handleBatch(records) {
          const shape = deps.shape();
          const batch: ReceivedRecord[] = [];
          for (const r of records) {
            const decoded = shape.decode(r.raw);
            if (decoded.action !== 'records') continue;
            for (const record of decoded.records) batch.push({ record, topic: r.topic, partition: r.partition, offset: Number(r.offset) });
          }
          await sink.write(deps.dataSource, batch);
        },
      },
    );
    return {
      adapterId: consumer.id,
      start: () => consumer.start(),
      stop: () => consumer.stop(),
      health: () => consumer.health(),
      metrics: () => consumer.metrics(),
    };
  },
};
