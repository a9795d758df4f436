import { KAFKA_CONSUMER_SETTINGS, KafkaConsumerAdapter, KafkaConsumerOptions } from '../../../adapters/kafka';
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
    const given = withoutEmpty(channel.options);
    // Kafka's own names (session.timeout.ms, fetch.min.bytes, group.instance.id…) are the consumer's checked `settings`
    const settings = Object.fromEntries(Object.entries(given).filter(([key]) => key in KAFKA_CONSUMER_SETTINGS));
    const options: Record<string, unknown> = Object.fromEntries(Object.entries(given).filter(([key]) => !(key in KAFKA_CONSUMER_SETTINGS)));
    if (Object.keys(settings).length) options.settings = { ...(options.settings as object | undefined), ...settings };
    for (const key of Object.keys(options)) {
      if (key in OWNED) throw new GridbusError('CONFIG_INVALID', `channel ${channel.name}: options.${key} is set by the channel: use ${OWNED[key as keyof typeof OWNED]}`);
    }
    const ep = channel.endpoint as { brokers: string; groupId: string; topic?: string };
    const topic = ep.topic || deps.shape().topic;
    const consumer = new KafkaConsumerAdapter<Array<Record<string, unknown>>>(
      { ...options, brokers: String(ep.brokers), groupId: String(ep.groupId), topics: [String(topic)], format: 'raw' } as KafkaConsumerOptions,
      {
        // before any attempt: not JSON or not the shape goes to the DLT at once (VALIDATION_FAILED,
        // attempts 0, logged); skipped changes are committed; a shape not resolvable yet makes the partition wait
        decode(r) {
          let shape;
          try {
            shape = deps.shape();
          } catch (err) {
            throw new GridbusError('SERVICE_UNAVAILABLE', `channel ${channel.name}: ${(err as Error).message}`, { cause: err });
          }
          const decoded = shape.decode(r.raw);
          return decoded.action === 'records' ? decoded.records : undefined;
        },
        async handleBatch(records) {
          const batch: ReceivedRecord[] = [];
          for (const r of records) for (const record of r.value) batch.push({ record, topic: r.topic, partition: r.partition, offset: Number(r.offset) });
          await sink.write(deps.dataSource, batch);
        },
      },
      { logger: deps.logger },
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
