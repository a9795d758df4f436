import { EventEmitter } from 'events';
import { CODES, DeliveryReport, LibrdKafkaError, MessageHeader, Producer } from 'node-rdkafka';
import { GridbusError } from '../../core/errors';
import { Adapter, AdapterHealth } from '../adapter';
import { translateKafkaError } from './kafka-errors';
import { KafkaProducerOptions, producerConfig, ResolvedProducerOptions, resolveProducerOptions } from './options';
import { recordToHeaders } from './records';

export interface ProduceOptions {
  key?: string | Buffer | null;
  /** A fixed partition; by default the key decides (librdkafka's partitioner). */
  partition?: number;
  /** Headers as an object, or node-rdkafka's list form (repeated names allowed). */
  headers?: Record<string, string | Buffer> | MessageHeader[];
  timestamp?: number;
}

/** Where a message landed once the broker acknowledged it (acks=all). */
export interface Delivery {
  topic: string;
  partition: number;
  offset: number;
  timestamp?: number;
}

export interface KafkaProducerMetrics {
  produced: number;
  delivered: number;
  deliveryErrors: number;
  /** Handed to librdkafka, delivery report not yet received. */
  pending: number;
  queueFullWaits: number;
}

interface Pending {
  resolve(delivery: Delivery): void;
  reject(err: GridbusError): void;
}

/**
 * An idempotent producer (enable.idempotence, acks=all): produce() resolves
 * once the broker has acknowledged the message (its delivery report) and
 * rejects with a typed error when it could not be delivered within
 * deliveryTimeoutMs. A full local queue makes produce() wait, not fail.
 * stop() flushes what is queued before disconnecting.
 */
export class KafkaProducerAdapter implements Adapter {
  readonly kind = 'kafka' as const;
  readonly id: string;
  /** `stats`: librdkafka statistics (parsed JSON), when `statistics.interval.ms` is set in rdkafka. */
  readonly events = new EventEmitter();
  private readonly options: ResolvedProducerOptions;
  private producer: Producer | null = null;
  private starting: Promise<void> | null = null;
  private readonly pending = new Set<Pending>();
  private lastError: string | null = null;
  private readonly counters: KafkaProducerMetrics = { produced: 0, delivered: 0, deliveryErrors: 0, pending: 0, queueFullWaits: 0 };

  constructor(options: KafkaProducerOptions) {
    this.options = resolveProducerOptions(options);
    this.id = `kafka:producer:${this.options.brokers}`;
  }

  start(): Promise<void> {
    if (this.producer?.isConnected()) return Promise.resolve();
    if (!this.starting) {
      this.starting = this.connect().finally(() => {
        this.starting = null;
      });
    }
    return this.starting;
  }

  async stop(): Promise<void> {
    const producer = this.producer;
    if (!producer) return;
    this.producer = null;
    if (producer.isConnected()) {
      await new Promise<void>((resolve) => producer.flush(this.options.flushTimeoutMs, () => resolve()));
      await new Promise<void>((resolve) => producer.disconnect(5000, () => resolve()));
    }
    const undelivered = [...this.pending];
    this.pending.clear();
    this.counters.pending = 0;
    for (const p of undelivered) p.reject(new GridbusError('SERVICE_UNAVAILABLE', 'kafka producer stopped before the message was delivered'));
  }

  async health(): Promise<AdapterHealth> {
    const producer = this.producer;
    if (!producer || !producer.isConnected()) return { status: 'down', detail: `${this.options.brokers}: ${this.lastError ?? 'not connected'}` };
    try {
      const metadata = await new Promise<{ brokers: unknown[] }>((resolve, reject) =>
        producer.getMetadata({ timeout: 2000 }, (err, data) => (err ? reject(err) : resolve(data))),
      );
      const detail = `${this.options.brokers}: ${metadata.brokers.length} broker(s), ${this.counters.pending} pending`;
      return this.lastError ? { status: 'degraded', detail: `${detail}; last error: ${this.lastError}` } : { status: 'up', detail };
    } catch (err) {
      return { status: 'down', detail: `${this.options.brokers}: ${translateKafkaError(err, 'metadata').message}` };
    }
  }

  metrics(): KafkaProducerMetrics {
    return { ...this.counters };
  }

  /** Sends one message; resolves with its partition and offset once acknowledged. */
  produce(topic: string, value: Buffer | string | null, options: ProduceOptions = {}): Promise<Delivery> {
    const producer = this.producer;
    if (!producer || !producer.isConnected()) {
      return Promise.reject(new GridbusError('SERVICE_UNAVAILABLE', `kafka producer ${this.id} is not started`));
    }
    const payload = value === null ? null : Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8');
    const headers = Array.isArray(options.headers) ? options.headers : options.headers ? recordToHeaders(options.headers) : undefined;
    return new Promise<Delivery>((resolve, reject) => {
      const entry: Pending = {
        resolve: (d) => {
          this.pending.delete(entry);
          resolve(d);
        },
        reject: (e) => {
          this.pending.delete(entry);
          reject(e);
        },
      };
      const attempt = () => {
        if (this.producer !== producer) return entry.reject(new GridbusError('SERVICE_UNAVAILABLE', 'kafka producer stopped before the message was sent'));
        try {
          producer.produce(topic, options.partition ?? null, payload, options.key ?? null, options.timestamp ?? null, entry, headers);
          this.pending.add(entry);
          this.counters.produced++;
          this.counters.pending = this.pending.size;
        } catch (err) {
          if ((err as LibrdKafkaError).code === CODES.ERRORS.ERR__QUEUE_FULL) {
            // librdkafka's local queue is full: serve delivery reports and try again shortly
            this.counters.queueFullWaits++;
            producer.poll();
            setTimeout(attempt, 20);
            return;
          }
          entry.reject(translateKafkaError(err, `produce to ${topic}`));
        }
      };
      attempt();
    });
  }

  /** produce() with a JSON-encoded value. */
  produceJson(topic: string, value: unknown, options: ProduceOptions = {}): Promise<Delivery> {
    return this.produce(topic, JSON.stringify(value), options);
  }

  private async connect(): Promise<void> {
    const producer = new Producer(producerConfig(this.options) as never);
    producer.on('delivery-report', (err: LibrdKafkaError | null, report: DeliveryReport) => {
      const entry = report?.opaque as Pending | undefined;
      if (err) {
        this.counters.deliveryErrors++;
        const typed = translateKafkaError(err, `delivery to ${report?.topic ?? '?'}`);
        this.lastError = typed.message;
        entry?.reject(typed);
      } else {
        this.counters.delivered++;
        this.lastError = null;
        entry?.resolve({ topic: report.topic, partition: report.partition, offset: report.offset, timestamp: report.timestamp });
      }
      this.counters.pending = this.pending.size;
    });
    producer.on('event.stats', (event: { message?: string }) => {
      try {
        this.events.emit('stats', JSON.parse(String(event?.message ?? '{}')));
      } catch {
        // not JSON: ignore
      }
    });
    producer.on('event.error', (err) => {
      this.lastError = translateKafkaError(err, 'producer').message;
    });
    await new Promise<void>((resolve, reject) =>
      producer.connect({ timeout: this.options.connectTimeoutMs }, (err) => {
        if (err) {
          const typed = translateKafkaError(err, `connect to ${this.options.brokers}`);
          this.lastError = typed.message;
          // the client may have half-opened: release it
          try {
            producer.disconnect(() => undefined);
          } catch {
            // never connected
          }
          reject(typed);
        } else resolve();
      }),
    );
    producer.setPollInterval(this.options.pollIntervalMs);
    this.lastError = null;
    this.producer = producer;
  }
}
