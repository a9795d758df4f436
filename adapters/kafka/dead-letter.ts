import type { MessageHeader } from 'node-rdkafka';
import { KafkaProducerAdapter } from './producer';

/** The headers a dead-lettered record carries, on top of its own. */
export const DEAD_LETTER_HEADERS = {
  originalTopic: 'x-original-topic',
  originalPartition: 'x-original-partition',
  originalOffset: 'x-original-offset',
  errorCode: 'x-error-code',
  errorMessage: 'x-error-message',
  attempts: 'x-attempts',
  failedAt: 'x-failed-at',
  consumerGroup: 'x-consumer-group',
} as const;

/** Longest `x-error-message`, in characters; longer messages are cut with an ellipsis. */
export const MAX_ERROR_MESSAGE_LENGTH = 1000;

export interface DeadLetterInfo {
  topic: string;
  partition: number;
  offset: number;
  errorCode: string;
  errorMessage: string;
  /** Handler attempts made (0 when the value could not even be parsed). */
  attempts: number;
  failedAt: Date;
  consumerGroup?: string;
}

const OWN = new Set<string>(Object.values(DEAD_LETTER_HEADERS));

/**
 * The header list of a dead-lettered record: the record's own headers
 * (minus any dead-letter headers from an earlier failure, so that a record
 * replayed from the DLT and failing again tells its latest story), then the
 * dead-letter headers, all as text.
 */
export function buildDeadLetterHeaders(info: DeadLetterInfo, originalHeaders: MessageHeader[] = []): MessageHeader[] {
  const kept = originalHeaders
    .map((h) => Object.fromEntries(Object.entries(h).filter(([name]) => !OWN.has(name))) as MessageHeader)
    .filter((h) => Object.keys(h).length > 0);
  const message = info.errorMessage.length > MAX_ERROR_MESSAGE_LENGTH ? `${info.errorMessage.slice(0, MAX_ERROR_MESSAGE_LENGTH - 1)}…` : info.errorMessage;
  const own: MessageHeader[] = [
    { [DEAD_LETTER_HEADERS.originalTopic]: info.topic },
    { [DEAD_LETTER_HEADERS.originalPartition]: String(info.partition) },
    { [DEAD_LETTER_HEADERS.originalOffset]: String(info.offset) },
    { [DEAD_LETTER_HEADERS.errorCode]: info.errorCode },
    { [DEAD_LETTER_HEADERS.errorMessage]: message },
    { [DEAD_LETTER_HEADERS.attempts]: String(info.attempts) },
    { [DEAD_LETTER_HEADERS.failedAt]: info.failedAt.toISOString() },
  ];
  if (info.consumerGroup) own.push({ [DEAD_LETTER_HEADERS.consumerGroup]: info.consumerGroup });
  return [...kept, ...own];
}

export interface DeadLetterSource {
  topic: string;
  partition: number;
  offset: number;
  key: Buffer | string | null | undefined;
  value: Buffer | null;
  headers?: MessageHeader[];
}

/**
 * Publishes failed records to their dead-letter topic, unchanged (same key,
 * same bytes) with the dead-letter headers added. Resolves only once the
 * broker has acknowledged the copy: the consumer commits the original's
 * offset after that, never before.
 */
export class DeadLetterPublisher {
  constructor(
    private readonly producer: KafkaProducerAdapter,
    private readonly topicFor: (topic: string) => string,
    private readonly consumerGroup?: string,
  ) {}

  async publish(source: DeadLetterSource, failure: { code: string; message: string; attempts: number }, now: Date = new Date()): Promise<{ topic: string; partition: number; offset: number }> {
    const headers = buildDeadLetterHeaders(
      {
        topic: source.topic,
        partition: source.partition,
        offset: source.offset,
        errorCode: failure.code,
        errorMessage: failure.message,
        attempts: failure.attempts,
        failedAt: now,
        consumerGroup: this.consumerGroup,
      },
      source.headers,
    );
    const topic = this.topicFor(source.topic);
    const delivery = await this.producer.produce(topic, source.value, { key: source.key ?? null, headers });
    return { topic, partition: delivery.partition, offset: delivery.offset };
  }
}

/**
 * An error message fit for a log line: what a record's data could put in it
 * is masked (quoted text, `=(…)` key values of PostgreSQL, runs of five or
 * more digits such as account or ID numbers), the rest kept: field names,
 * codes, the reason. The full message stays in `x-error-message`.
 */
export function withoutValues(message: string): string {
  return message
    .replace(/"(?:[^"\\]|\\.)*"/g, '"…"')
    .replace(/'(?:[^'\\]|\\.)*'/g, "'…'")
    .replace(/=\([^)]*\)/g, '=(…)')
    .replace(/\d{5,}/g, '#')
    .replace(/\s+/g, ' ')
    .slice(0, 300);
}

/** The one log line of a dead-lettered record: where it was, where it went, code, attempts, reason without values. */
export function deadLetterLogLine(n: { topic: string; partition: number; offset: number; code: string; message: string; attempts: number; deadLetterTopic: string; deadLetterOffset: number }): string {
  return `dead-lettered ${n.topic}[${n.partition}]@${n.offset} to ${n.deadLetterTopic}@${n.deadLetterOffset}: ${n.code}, attempts ${n.attempts}: ${withoutValues(n.message)}`;
}
