import type { Message, MessageHeader } from 'node-rdkafka';

/** One Kafka record as handlers see it. */
export interface KafkaRecord<T = unknown> {
  topic: string;
  partition: number;
  offset: number;
  /** The key as UTF-8 text, or null. */
  key: string | null;
  /** The parsed JSON value (format 'json'; a tombstone is null) or the raw bytes (format 'raw'). */
  value: T;
  /** The value exactly as read. */
  raw: Buffer | null;
  /** Headers as text, the last one winning when a name repeats. */
  headers: Record<string, string>;
  /** Broker or producer timestamp, ms since the epoch. */
  timestamp?: number;
}

/** node-rdkafka's header list (`[{ name: value }, …]`) as a plain object. */
export function headersToRecord(headers: MessageHeader[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of headers ?? []) {
    for (const [name, value] of Object.entries(h)) out[name] = Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
  }
  return out;
}

/** A plain object of headers as node-rdkafka's produce() wants them. */
export function recordToHeaders(headers: Record<string, string | Buffer> | undefined): MessageHeader[] {
  return Object.entries(headers ?? {}).map(([name, value]) => ({ [name]: value }));
}

export type ParseResult<T> = { ok: true; record: KafkaRecord<T> } | { ok: false; reason: string };

/**
 * Turns a fetched message into a record. In 'json' mode a value that is not
 * JSON is reported instead of thrown, so the consumer can dead-letter it.
 */
export function toRecord<T = unknown>(message: Message, format: 'json' | 'raw'): ParseResult<T> {
  const raw = message.value ?? null;
  let value: unknown = raw;
  if (format === 'json' && raw !== null) {
    try {
      value = JSON.parse(raw.toString('utf8'));
    } catch (err) {
      return { ok: false, reason: `value is not JSON: ${(err as Error).message}` };
    }
  }
  const key = message.key;
  return {
    ok: true,
    record: {
      topic: message.topic,
      partition: message.partition,
      offset: message.offset,
      key: key === undefined || key === null ? null : Buffer.isBuffer(key) ? key.toString('utf8') : String(key),
      value: value as T,
      raw,
      headers: message.headers?.length ? headersToRecord(message.headers) : {},
      timestamp: message.timestamp,
    },
  };
}
