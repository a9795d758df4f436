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
  const base = {
    topic: message.topic,
    partition: message.partition,
    offset: message.offset,
    key: message.key === undefined || message.key === null ? null : Buffer.isBuffer(message.key) ? message.key.toString('utf8') : String(message.key),
    raw,
    headers: headersToRecord(message.headers),
    timestamp: message.timestamp,
  };
  if (format === 'raw') return { ok: true, record: { ...base, value: raw as unknown as T } };
  if (raw === null) return { ok: true, record: { ...base, value: null as unknown as T } };
  try {
    return { ok: true, record: { ...base, value: JSON.parse(raw.toString('utf8')) as T } };
  } catch (err) {
    return { ok: false, reason: `value is not JSON: ${(err as Error).message}` };
  }
}
