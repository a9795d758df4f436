import { GridbusError } from '../../core/errors';
import { checkConsumerTimings, KafkaConsumerSettings, resolveConsumerSettings } from './consumer-settings';

/** A librdkafka property value, as node-rdkafka accepts it. */
export type RdkafkaValue = string | number | boolean;

/** What every Kafka client of the adapter needs to reach the cluster. */
export interface KafkaClientOptions {
  /** Bootstrap brokers, `host:port`, as a list or a comma-separated string. */
  brokers: string | string[];
  /** `client.id` sent to the brokers (shows in broker logs and quotas). */
  clientId?: string;
  /**
   * Extra librdkafka properties (security.protocol, sasl.*, ssl.*, fetch
   * tuning...). Applied after the adapter's defaults; the properties the
   * adapter's guarantees depend on (see OWNED_CONSUMER_KEYS / OWNED_PRODUCER_KEYS)
   * cannot be overridden.
   */
  rdkafka?: Record<string, RdkafkaValue>;
  /** Time allowed for the first connection and metadata request (default 10000). */
  connectTimeoutMs?: number;
}

export interface KafkaProducerOptions extends KafkaClientOptions {
  /** librdkafka `message.timeout.ms`: a produce() rejects after this (default 30000). */
  deliveryTimeoutMs?: number;
  /** librdkafka `linger.ms` (default 5). */
  lingerMs?: number;
  /** How long stop() waits for queued messages to be delivered (default 10000). */
  flushTimeoutMs?: number;
  /** How often delivery reports are polled (default 50). */
  pollIntervalMs?: number;
}

export interface RetryOptions {
  /**
   * Attempts per record (or batch) for retryable failures, the first one
   * included (default 3); then the record is dead-lettered. 0 = retry
   * without end: the partition waits (and backpressure pauses the consumer)
   * until the cause is gone, nothing goes to the DLT for a retryable error.
   */
  maxAttempts?: number;
  /** Backoff before the second attempt; doubles each time (default 200). */
  backoffMs?: number;
  /** Upper bound of the backoff (default 10000). */
  maxBackoffMs?: number;
  /** Whether an error that carries no `retryable` flag is retried (default true). */
  retryUnknownErrors?: boolean;
}

export interface KafkaConsumerOptions extends KafkaClientOptions {
  /** Consumer group (`group.id`). */
  groupId: string;
  topics: string[];
  /** Where a group without a committed offset starts (default 'earliest': nothing is skipped). */
  autoOffsetReset?: 'earliest' | 'latest';
  /** How record values are given to the handler (default 'json'; 'raw' gives the Buffer). */
  format?: 'json' | 'raw';
  /** Upper bound of records taken from Kafka and not yet done (default 1000). */
  maxInFlight?: number;
  /** In-flight count at or below which paused partitions resume (default maxInFlight / 2). */
  resumeAt?: number;
  /** Most records one poll returns (default 500, never more than the free in-flight room). */
  maxPollRecords?: number;
  /** Most records given to one handleBatch() call (default 500). */
  batchSize?: number;
  /** How often handled offsets are committed; 0 = right after each completion (default 1000). */
  commitIntervalMs?: number;
  /** How long a poll waits for records (default 100). */
  pollTimeoutMs?: number;
  /** How long a revocation or stop() waits for running handlers (default 30000). */
  drainTimeoutMs?: number;
  retry?: RetryOptions;
  /** Dead-letter topic for a source topic (default `<topic>.DLT`). */
  deadLetterTopic?: string | ((topic: string) => string);
  /** Producer settings for the dead-letter producer (brokers and rdkafka are inherited). */
  deadLetterProducer?: Omit<KafkaProducerOptions, 'brokers'>;
  /** librdkafka `session.timeout.ms` (default 10000); the same as settings['session.timeout.ms']. */
  sessionTimeoutMs?: number;
  /** librdkafka `max.poll.interval.ms` (default 300000); the same as settings['max.poll.interval.ms']. */
  maxPollIntervalMs?: number;
  /**
   * Client settings under Kafka's own names, checked (see consumer-settings.ts):
   * `session.timeout.ms`, `heartbeat.interval.ms`, `max.poll.interval.ms`,
   * `fetch.min.bytes`, `group.instance.id`, `security.protocol`, `sasl.*`…
   * What a channel definition passes.
   */
  settings?: KafkaConsumerSettings;
  /**
   * How long after subscribing (or losing every partition in a rebalance)
   * health stays `up` without an assignment; then `degraded` ("joining group")
   * until the broker assigns (default 5000).
   */
  joinGraceMs?: number;
}

export interface ResolvedRetry {
  maxAttempts: number;
  backoffMs: number;
  maxBackoffMs: number;
  retryUnknownErrors: boolean;
}

export interface ResolvedConsumerOptions {
  brokers: string;
  clientId: string;
  groupId: string;
  topics: string[];
  autoOffsetReset: 'earliest' | 'latest';
  format: 'json' | 'raw';
  maxInFlight: number;
  resumeAt: number;
  maxPollRecords: number;
  batchSize: number;
  commitIntervalMs: number;
  pollTimeoutMs: number;
  drainTimeoutMs: number;
  connectTimeoutMs: number;
  retry: ResolvedRetry;
  deadLetterTopic: (topic: string) => string;
  rdkafka: Record<string, RdkafkaValue>;
  sessionTimeoutMs: number;
  maxPollIntervalMs: number;
  /** The checked Kafka-named settings, as librdkafka properties. */
  settings: Record<string, RdkafkaValue>;
  joinGraceMs: number;
}

export interface ResolvedProducerOptions {
  brokers: string;
  clientId: string;
  deliveryTimeoutMs: number;
  lingerMs: number;
  flushTimeoutMs: number;
  pollIntervalMs: number;
  connectTimeoutMs: number;
  rdkafka: Record<string, RdkafkaValue>;
}

/** Properties the consumer's at-least-once guarantee depends on. */
export const OWNED_CONSUMER_KEYS = [
  'metadata.broker.list',
  'bootstrap.servers',
  'group.id',
  'enable.auto.commit',
  'enable.auto.offset.store',
  'rebalance_cb',
  'offset_commit_cb',
] as const;

/** Properties the producer's delivery guarantee depends on. */
export const OWNED_PRODUCER_KEYS = ['metadata.broker.list', 'bootstrap.servers', 'dr_cb', 'dr_msg_cb', 'enable.idempotence', 'acks', 'request.required.acks'] as const;

const CLIENT_KEYS = ['brokers', 'clientId', 'rdkafka', 'connectTimeoutMs'];
const PRODUCER_KEYS = [...CLIENT_KEYS, 'deliveryTimeoutMs', 'lingerMs', 'flushTimeoutMs', 'pollIntervalMs'];
const CONSUMER_KEYS = [
  ...CLIENT_KEYS,
  'groupId',
  'topics',
  'autoOffsetReset',
  'format',
  'maxInFlight',
  'resumeAt',
  'maxPollRecords',
  'batchSize',
  'commitIntervalMs',
  'pollTimeoutMs',
  'drainTimeoutMs',
  'retry',
  'deadLetterTopic',
  'deadLetterProducer',
  'sessionTimeoutMs',
  'maxPollIntervalMs',
  'settings',
  'joinGraceMs',
];
const RETRY_KEYS = ['maxAttempts', 'backoffMs', 'maxBackoffMs', 'retryUnknownErrors'];

/** Collects every problem of a set of options, so that all are reported at once. */
class Problems {
  readonly list: string[] = [];

  add(problem: string): void {
    this.list.push(problem);
  }

  unknown(options: object | undefined, known: string[], prefix = ''): void {
    for (const key of Object.keys(options ?? {})) {
      if (!known.includes(key)) this.add(`unknown option '${prefix}${key}'`);
    }
  }

  int(name: string, value: number | undefined, fallback: number, min = 1): number {
    const v = value ?? fallback;
    if (!Number.isInteger(v) || v < min) {
      this.add(`${name} must be an integer >= ${min} (got ${String(value)})`);
      return fallback;
    }
    return v;
  }

  throwIfAny(what: string): void {
    if (this.list.length) throw new GridbusError('CONFIG_INVALID', `${what}: ${this.list.join('; ')}`, { details: { problems: this.list } });
  }
}

function brokersOf(brokers: string | string[] | undefined, p: Problems): string {
  const list = (Array.isArray(brokers) ? brokers : typeof brokers === 'string' ? brokers.split(',') : [])
    .map((b) => String(b).trim())
    .filter(Boolean);
  if (!list.length) p.add('brokers is required');
  for (const b of list) if (!/^[^\s:/]+:\d+$/.test(b)) p.add(`broker '${b}' is not host:port`);
  return list.join(',');
}

/** `host:port,host:port` from a list or a comma-separated string; CONFIG_INVALID when empty or malformed. */
export function brokerList(brokers: string | string[]): string {
  const p = new Problems();
  const list = brokersOf(brokers, p);
  p.throwIfAny('kafka');
  return list;
}

function ownedKeys(rdkafka: Record<string, RdkafkaValue> | undefined, owned: readonly string[], p: Problems): Record<string, RdkafkaValue> {
  const extra = { ...(rdkafka ?? {}) };
  for (const key of Object.keys(extra)) {
    if (owned.includes(key)) p.add(`rdkafka property '${key}' is set by the adapter and cannot be overridden`);
  }
  return extra;
}

export function resolveConsumerOptions(o: KafkaConsumerOptions): ResolvedConsumerOptions {
  const p = new Problems();
  p.unknown(o, CONSUMER_KEYS);
  p.unknown(o.retry, RETRY_KEYS, 'retry.');
  if (!o.groupId || typeof o.groupId !== 'string') p.add('groupId is required');
  const topics = Array.isArray(o.topics) ? o.topics : [];
  if (!topics.length || topics.some((t) => typeof t !== 'string' || !t)) p.add('topics must be a non-empty list of topic names');
  if (o.autoOffsetReset !== undefined && !['earliest', 'latest'].includes(o.autoOffsetReset)) p.add(`autoOffsetReset must be 'earliest' or 'latest'`);
  if (o.format !== undefined && !['json', 'raw'].includes(o.format)) p.add(`format must be 'json' or 'raw'`);
  const maxInFlight = p.int('maxInFlight', o.maxInFlight, 1000);
  const resumeAt = p.int('resumeAt', o.resumeAt, Math.floor(maxInFlight / 2), 0);
  if (resumeAt >= maxInFlight) p.add(`resumeAt (${resumeAt}) must be below maxInFlight (${maxInFlight})`);
  const dlt = o.deadLetterTopic ?? ((topic: string) => `${topic}.DLT`);
  const deadLetterTopic = typeof dlt === 'string' ? () => dlt : dlt;
  for (const t of topics) {
    if (typeof t === 'string' && deadLetterTopic(t) === t) p.add(`the dead-letter topic of '${t}' is the topic itself`);
  }
  const backoffMs = p.int('retry.backoffMs', o.retry?.backoffMs, 200, 0);
  const settings = resolveConsumerSettings(o.settings, p.list);
  const sessionTimeoutMs = fromSetting(p, settings, 'session.timeout.ms', 'sessionTimeoutMs', o.sessionTimeoutMs, 10000);
  const maxPollIntervalMs = fromSetting(p, settings, 'max.poll.interval.ms', 'maxPollIntervalMs', o.maxPollIntervalMs, 300000);
  const reset = settings['auto.offset.reset'] as 'earliest' | 'latest' | undefined;
  if (reset !== undefined && o.autoOffsetReset !== undefined && reset !== o.autoOffsetReset) {
    p.add(`autoOffsetReset ('${o.autoOffsetReset}') and settings 'auto.offset.reset' ('${reset}') differ: write only one`);
  }
  const resolved: ResolvedConsumerOptions = {
    brokers: brokersOf(o.brokers, p),
    clientId: o.clientId ?? 'gridbus',
    groupId: o.groupId,
    topics: [...topics],
    autoOffsetReset: reset ?? o.autoOffsetReset ?? 'earliest',
    format: o.format ?? 'json',
    maxInFlight,
    resumeAt,
    maxPollRecords: p.int('maxPollRecords', o.maxPollRecords, 500),
    batchSize: p.int('batchSize', o.batchSize, 500),
    commitIntervalMs: p.int('commitIntervalMs', o.commitIntervalMs, 1000, 0),
    pollTimeoutMs: p.int('pollTimeoutMs', o.pollTimeoutMs, 100),
    drainTimeoutMs: p.int('drainTimeoutMs', o.drainTimeoutMs, 30000, 0),
    connectTimeoutMs: p.int('connectTimeoutMs', o.connectTimeoutMs, 10000),
    retry: {
      maxAttempts: p.int('retry.maxAttempts', o.retry?.maxAttempts, 3, 0),
      backoffMs,
      maxBackoffMs: p.int('retry.maxBackoffMs', o.retry?.maxBackoffMs, Math.max(10000, backoffMs), backoffMs),
      retryUnknownErrors: o.retry?.retryUnknownErrors ?? true,
    },
    deadLetterTopic,
    rdkafka: ownedKeys(o.rdkafka, OWNED_CONSUMER_KEYS, p),
    sessionTimeoutMs,
    maxPollIntervalMs,
    settings,
    joinGraceMs: p.int('joinGraceMs', o.joinGraceMs, 5000, 0),
  };
  checkConsumerTimings({ ...settings, 'session.timeout.ms': sessionTimeoutMs, 'max.poll.interval.ms': maxPollIntervalMs }, p.list);
  if (o.deadLetterProducer) p.unknown(o.deadLetterProducer, PRODUCER_KEYS.filter((k) => k !== 'brokers'), 'deadLetterProducer.');
  p.throwIfAny(`kafka consumer ${o.groupId ?? ''}`.trim());
  return resolved;
}

/** A timing given either as a camelCase option or as a Kafka-named setting (not both, unless equal). */
function fromSetting(p: Problems, settings: Record<string, RdkafkaValue>, name: string, option: string, value: number | undefined, fallback: number): number {
  const setting = settings[name] as number | undefined;
  if (setting !== undefined && value !== undefined && setting !== value) p.add(`${option} (${value}) and settings '${name}' (${setting}) differ: write only one`);
  return setting ?? p.int(option, value, fallback);
}

export function resolveProducerOptions(o: KafkaProducerOptions): ResolvedProducerOptions {
  const p = new Problems();
  p.unknown(o, PRODUCER_KEYS);
  const resolved: ResolvedProducerOptions = {
    brokers: brokersOf(o.brokers, p),
    clientId: o.clientId ?? 'gridbus',
    deliveryTimeoutMs: p.int('deliveryTimeoutMs', o.deliveryTimeoutMs, 30000),
    lingerMs: p.int('lingerMs', o.lingerMs, 5, 0),
    flushTimeoutMs: p.int('flushTimeoutMs', o.flushTimeoutMs, 10000, 0),
    pollIntervalMs: p.int('pollIntervalMs', o.pollIntervalMs, 50),
    connectTimeoutMs: p.int('connectTimeoutMs', o.connectTimeoutMs, 10000),
    rdkafka: ownedKeys(o.rdkafka, OWNED_PRODUCER_KEYS, p),
  };
  p.throwIfAny('kafka producer');
  return resolved;
}

/** librdkafka global config of the consumer: manual commits only, our own rebalance handling. */
export function consumerConfig(o: ResolvedConsumerOptions): Record<string, RdkafkaValue> {
  return {
    'client.id': o.clientId,
    'session.timeout.ms': o.sessionTimeoutMs,
    'max.poll.interval.ms': o.maxPollIntervalMs,
    // Backpressure pauses make librdkafka drop what it prefetched for a
    // partition; after the resume it fetches again only once the fetch
    // outstanding on that broker returns (a long poll of fetch.wait.max.ms
    // at the log end) and once its queue-full backoff has passed. librdkafka's
    // 500 ms and 1000 ms made every pause cost up to a second of idle time;
    // 25 ms / 20 ms keep it short (the price: up to 40 empty fetches/s per
    // broker while there is nothing to read). Both can be set in `rdkafka`.
    'fetch.wait.max.ms': 25,
    'fetch.queue.backoff.ms': 20,
    ...o.rdkafka,
    ...withoutTopicSettings(o.settings),
    'metadata.broker.list': o.brokers,
    'group.id': o.groupId,
    // at-least-once: nothing is committed except the offsets we hand over explicitly
    'enable.auto.commit': false,
    'enable.auto.offset.store': false,
  };
}

/** `auto.offset.reset` is a topic property in node-rdkafka: it goes with the topic config (autoOffsetReset). */
function withoutTopicSettings(settings: Record<string, RdkafkaValue>): Record<string, RdkafkaValue> {
  const { 'auto.offset.reset': _reset, ...global } = settings;
  return global;
}

export function producerConfig(o: ResolvedProducerOptions): Record<string, RdkafkaValue> {
  return {
    'client.id': o.clientId,
    'message.timeout.ms': o.deliveryTimeoutMs,
    'linger.ms': o.lingerMs,
    ...o.rdkafka,
    'metadata.broker.list': o.brokers,
    'enable.idempotence': true,
    acks: 'all',
    dr_cb: true,
  };
}
