import { AdminClient, CODES, KafkaConsumer, LibrdKafkaError, Producer, TopicPartition, TopicPartitionOffset } from 'node-rdkafka';
import { translateKafkaError } from './kafka-errors';
import { brokerList, RdkafkaValue } from './options';
import { headersToRecord } from './records';

export interface TopicSpec {
  topic: string;
  partitions?: number;
  replicationFactor?: number;
  /** Topic configs, e.g. { 'retention.ms': '604800000' }. */
  config?: Record<string, string>;
}

export interface AdminOptions {
  timeoutMs?: number;
  /** Extra librdkafka properties (security settings). */
  rdkafka?: Record<string, RdkafkaValue>;
}

/**
 * Creates topics (an existing one is left as it is) and waits until every
 * partition has a leader, so producers and consumers can use them at once
 * instead of depending on auto-creation.
 */
export async function createTopics(brokers: string | string[], topics: Array<string | TopicSpec>, options: AdminOptions & { partitions?: number; replicationFactor?: number } = {}): Promise<void> {
  const list = brokerList(brokers);
  const timeoutMs = options.timeoutMs ?? 15000;
  const admin = AdminClient.create({ ...(options.rdkafka ?? {}), 'metadata.broker.list': list } as never);
  const specs = topics.map((t) => (typeof t === 'string' ? { topic: t } : t));
  try {
    for (const spec of specs) {
      await new Promise<void>((resolve, reject) =>
        admin.createTopic(
          {
            topic: spec.topic,
            num_partitions: spec.partitions ?? options.partitions ?? 1,
            replication_factor: spec.replicationFactor ?? options.replicationFactor ?? 1,
            config: spec.config ?? {},
          },
          timeoutMs,
          (err: LibrdKafkaError) => (err && err.code !== CODES.ERRORS.ERR_TOPIC_ALREADY_EXISTS ? reject(translateKafkaError(err, `create topic ${spec.topic}`)) : resolve()),
        ),
      );
    }
  } finally {
    admin.disconnect();
  }
  await waitForLeaders(list, specs.map((s) => s.topic), timeoutMs, options.rdkafka);
}

export async function deleteTopics(brokers: string | string[], topics: string[], options: AdminOptions = {}): Promise<void> {
  const admin = AdminClient.create({ ...(options.rdkafka ?? {}), 'metadata.broker.list': brokerList(brokers) } as never);
  try {
    for (const topic of topics) {
      await new Promise<void>((resolve, reject) =>
        admin.deleteTopic(topic, options.timeoutMs ?? 15000, (err: LibrdKafkaError) =>
          err && err.code !== CODES.ERRORS.ERR_UNKNOWN_TOPIC_OR_PART ? reject(translateKafkaError(err, `delete topic ${topic}`)) : resolve(),
        ),
      );
    }
  } finally {
    admin.disconnect();
  }
}

async function waitForLeaders(brokers: string, topics: string[], timeoutMs: number, rdkafka?: Record<string, RdkafkaValue>): Promise<void> {
  const client = new Producer({ ...(rdkafka ?? {}), 'metadata.broker.list': brokers } as never);
  await new Promise<void>((resolve, reject) => client.connect({ timeout: timeoutMs }, (err) => (err ? reject(translateKafkaError(err, 'connect')) : resolve())));
  const deadline = Date.now() + timeoutMs;
  try {
    for (const topic of topics) {
      for (;;) {
        const ready = await new Promise<boolean>((resolve) =>
          client.getMetadata({ topic, timeout: 2000 }, (err, md) => {
            const t = md?.topics.find((x) => x.name === topic);
            resolve(!err && !!t && t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0));
          }),
        );
        if (ready) break;
        if (Date.now() > deadline) throw translateKafkaError(new Error(`topic ${topic} has no leader after ${timeoutMs} ms`), 'create topic');
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    await new Promise<void>((resolve) => client.disconnect(() => resolve()));
  }
}

/**
 * The offsets a group has committed (next offset to read; a negative offset
 * means none), read with a throw-away client that does not join the group.
 */
export async function fetchCommittedOffsets(brokers: string | string[], groupId: string, partitions: TopicPartition[], options: AdminOptions = {}): Promise<TopicPartitionOffset[]> {
  const client = new KafkaConsumer({ ...(options.rdkafka ?? {}), 'metadata.broker.list': brokerList(brokers), 'group.id': groupId, 'enable.auto.commit': false } as never, {});
  await new Promise<void>((resolve, reject) => client.connect({ timeout: options.timeoutMs ?? 10000 }, (err) => (err ? reject(translateKafkaError(err, 'connect')) : resolve())));
  try {
    return await new Promise<TopicPartitionOffset[]>((resolve, reject) =>
      client.committed(partitions, options.timeoutMs ?? 10000, (err, tps) => (err ? reject(translateKafkaError(err, 'committed offsets')) : resolve(tps))),
    );
  } finally {
    await new Promise<void>((resolve) => client.disconnect(() => resolve()));
  }
}

/** Low and high watermark of each partition of a topic, asked of the brokers. */
export async function fetchWatermarks(brokers: string | string[], topic: string, options: AdminOptions = {}): Promise<Array<{ partition: number; low: number; high: number }>> {
  const client = new Producer({ ...(options.rdkafka ?? {}), 'metadata.broker.list': brokerList(brokers) } as never);
  const timeoutMs = options.timeoutMs ?? 10000;
  await new Promise<void>((resolve, reject) => client.connect({ timeout: timeoutMs }, (err) => (err ? reject(translateKafkaError(err, 'connect')) : resolve())));
  try {
    const md = await new Promise<{ topics: Array<{ name: string; partitions: Array<{ id: number }> }> }>((resolve, reject) =>
      client.getMetadata({ topic, timeout: timeoutMs }, (err, data) => (err ? reject(translateKafkaError(err, 'metadata')) : resolve(data))),
    );
    const partitions = md.topics.find((t) => t.name === topic)?.partitions ?? [];
    const out: Array<{ partition: number; low: number; high: number }> = [];
    for (const p of [...partitions].sort((a, b) => a.id - b.id)) {
      const w = await new Promise<{ lowOffset: number; highOffset: number }>((resolve, reject) =>
        client.queryWatermarkOffsets(topic, p.id, timeoutMs, (err, offsets) => (err ? reject(translateKafkaError(err, 'watermarks')) : resolve(offsets))),
      );
      out.push({ partition: p.id, low: w.lowOffset, high: w.highOffset });
    }
    return out;
  } finally {
    await new Promise<void>((resolve) => client.disconnect(() => resolve()));
  }
}

export interface PeekedRecord {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  timestamp?: number;
}

/**
 * Reads every record a topic holds right now (low to high watermark of each
 * partition) without joining a group or committing: for operators looking
 * into a dead-letter topic, and for tests. Not meant for large topics.
 */
export async function peekTopic(brokers: string | string[], topic: string, options: AdminOptions = {}): Promise<PeekedRecord[]> {
  const timeoutMs = options.timeoutMs ?? 15000;
  const marks = (await fetchWatermarks(brokers, topic, options)).filter((w) => w.high > w.low);
  if (!marks.length) return [];
  const client = new KafkaConsumer(
    { ...(options.rdkafka ?? {}), 'metadata.broker.list': brokerList(brokers), 'group.id': `peek-${process.pid}-${Date.now()}`, 'enable.auto.commit': false } as never,
    {},
  );
  await new Promise<void>((resolve, reject) => client.connect({ timeout: timeoutMs }, (err) => (err ? reject(translateKafkaError(err, 'connect')) : resolve())));
  const out: PeekedRecord[] = [];
  try {
    client.assign(marks.map((w) => ({ topic, partition: w.partition, offset: w.low })));
    client.setDefaultConsumeTimeout(200);
    const remaining = new Map(marks.map((w) => [w.partition, w.high]));
    const deadline = Date.now() + timeoutMs;
    while (remaining.size) {
      if (Date.now() > deadline) throw translateKafkaError(new Error(`peek ${topic}: timed out with ${remaining.size} partition(s) unread`), 'peek');
      const batch = await new Promise<import('node-rdkafka').Message[]>((resolve, reject) => client.consume(500, (err, ms) => (err ? reject(err) : resolve(ms))));
      for (const m of batch) {
        const high = remaining.get(m.partition);
        if (high === undefined || m.offset >= high) continue;
        out.push({
          topic: m.topic,
          partition: m.partition,
          offset: m.offset,
          key: m.key === null || m.key === undefined ? null : m.key.toString(),
          value: m.value,
          headers: headersToRecord(m.headers),
          timestamp: m.timestamp,
        });
        if (m.offset + 1 >= high) remaining.delete(m.partition);
      }
    }
  } finally {
    await new Promise<void>((resolve) => client.disconnect(() => resolve()));
  }
  return out.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}
