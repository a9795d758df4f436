import type { Message } from 'node-rdkafka';
import { DeadLetterPublisher } from './dead-letter';
import { classifyFailure, FailureView, MALFORMED_RECORD_CODE } from './kafka-errors';
import { KafkaConsumerCounters } from './metrics';
import { ResolvedRetry } from './options';
import { KafkaRecord, toRecord } from './records';
import { AbandonedError, AbortableSleeper, backoffDelay } from './retry';

/** Handles one record at a time; the returned promise settles when the record is durably handled. */
export interface RecordHandler<T = unknown> {
  handle(record: KafkaRecord<T>): Promise<void>;
}

/**
 * Handles several records of one partition at once (e.g. one multi-row
 * INSERT). Must be all-or-nothing (one transaction): when it fails the
 * records are tried again, alone if need be.
 */
export interface BatchHandler<T = unknown> {
  handleBatch(records: KafkaRecord<T>[]): Promise<void>;
}

/**
 * Optional on either kind of handler: turns a parsed record (the JSON value,
 * or the Buffer in format 'raw') into the value the handler is given, before
 * any attempt (e.g. a topic shape mapping the message to canonical records).
 * - return the value (it replaces `record.value`);
 * - return `undefined` to skip the record: it is done (committed) without the
 *   handler (a change of another table, a tombstone);
 * - throw a non-retryable error (VALIDATION_FAILED) when the record cannot be
 *   read: it goes to the dead-letter topic at once with `x-attempts: 0`, like
 *   a value that is not JSON (an error without a bus code counts as
 *   VALIDATION_FAILED);
 * - throw a retryable error when it cannot be decoded yet (e.g. its definition
 *   is being published): the partition waits and tries again, nothing is
 *   dead-lettered.
 */
export interface RecordDecoder<T = unknown> {
  decode?(record: KafkaRecord<unknown>): T | undefined;
}

export type KafkaHandler<T = unknown> = (RecordHandler<T> | BatchHandler<T>) & RecordDecoder<T>;

export function isBatchHandler<T>(handler: KafkaHandler<T>): handler is BatchHandler<T> {
  return typeof (handler as BatchHandler<T>).handleBatch === 'function';
}

export interface DeadLetterNotice {
  topic: string;
  partition: number;
  offset: number;
  code: string;
  message: string;
  attempts: number;
  /** Where the copy went, and its offset there. */
  deadLetterTopic: string;
  deadLetterOffset: number;
}

/** Thrown out of process() when a decoder failed with a retryable error: the unit is kept and tried again. */
export class NotDecodableYetError extends Error {
  constructor(override readonly cause: unknown, readonly topic: string, readonly partition: number, readonly offset: number) {
    super(`${topic}[${partition}]@${offset} cannot be decoded yet: ${(cause as { message?: string })?.message ?? String(cause)}`);
    this.name = 'NotDecodableYetError';
  }
}

type Reading<T> = { message: Message; record: KafkaRecord<T> } | { message: Message; refused: Pick<FailureView, 'code' | 'message'> } | { message: Message; skipped: true };

export interface ProcessorHooks {
  onDeadLettered?(notice: DeadLetterNotice): void;
  /** Publishing to the dead-letter topic failed (it is retried). */
  onError?(err: unknown): void;
  /** The handler failed and will be called again after a backoff. */
  onRetry?(failure: FailureView, attempt: number): void;
  /** The handler succeeded. */
  onHandled?(): void;
}

type Outcome = { ok: true; attempts: number } | { ok: false; attempts: number; failure: FailureView };

/**
 * What happens to one unit of records (one record, or one batch of a
 * partition): parse, call the handler with retries and backoff, publish to
 * the dead-letter topic what cannot be handled. Resolves when every record
 * of the unit is either handled or acknowledged by the dead-letter topic,
 * so the caller may commit past the unit; rejects with AbandonedError when
 * the partition is revoked or the consumer stops first (nothing is committed).
 *
 * A failed batch is split: each record is tried alone, so one bad record
 * goes to the DLT and the good ones around it are still handled.
 */
export class RecordProcessor<T = unknown> {
  constructor(
    private readonly handler: KafkaHandler<T>,
    private readonly format: 'json' | 'raw',
    private readonly retry: ResolvedRetry,
    private readonly deadLetter: DeadLetterPublisher,
    private readonly counters: KafkaConsumerCounters,
    private readonly hooks: ProcessorHooks = {},
  ) {}

  async process(unit: Message[], sleeper: AbortableSleeper): Promise<void> {
    // every record is read before anything is sent anywhere: a decoder that is
    // not ready throws here, and the unit is tried again without duplicates
    const readings = unit.map((message) => this.read(message));
    const good: Array<{ message: Message; record: KafkaRecord<T> }> = [];
    for (const r of readings) {
      if ('record' in r) good.push(r);
      else if ('skipped' in r) this.counters.skipped++;
      else {
        this.counters.malformed++;
        await this.sendToDeadLetter(r.message, r.refused, 0, sleeper);
      }
    }
    if (!good.length) return;

    if (!isBatchHandler(this.handler)) {
      const handler = this.handler;
      for (const { message, record } of good) {
        const outcome = await this.attempt(() => handler.handle(record), sleeper);
        if (outcome.ok) this.counters.handled++;
        else await this.sendToDeadLetter(message, outcome.failure, outcome.attempts, sleeper);
      }
      return;
    }

    const handler = this.handler;
    const outcome = await this.attempt(() => handler.handleBatch(good.map((g) => g.record)), sleeper);
    if (outcome.ok) {
      this.counters.batches++;
      this.counters.handled += good.length;
      return;
    }
    if (good.length === 1) {
      await this.sendToDeadLetter(good[0].message, outcome.failure, outcome.attempts, sleeper);
      return;
    }
    this.counters.batchSplits++;
    for (const { message, record } of good) {
      const single = await this.attempt(() => handler.handleBatch([record]), sleeper);
      if (single.ok) {
        this.counters.batches++;
        this.counters.handled++;
      } else {
        await this.sendToDeadLetter(message, single.failure, single.attempts, sleeper);
      }
    }
  }

  /** Parses (format 'json') and decodes one record; a refusal is dead-lettered with 0 attempts. */
  private read(message: Message): Reading<T> {
    const parsed = toRecord<unknown>(message, this.format);
    if (!parsed.ok) return { message, refused: { code: MALFORMED_RECORD_CODE, message: parsed.reason } };
    const decode = this.handler.decode;
    if (!decode) return { message, record: parsed.record as KafkaRecord<T> };
    let value: T | undefined;
    try {
      value = decode.call(this.handler, parsed.record);
    } catch (err) {
      const failure = classifyFailure(err, false);
      if (failure.retryable) throw new NotDecodableYetError(err, message.topic, message.partition, message.offset);
      return { message, refused: { code: failure.code === 'INTERNAL' && !hasBusCode(err) ? MALFORMED_RECORD_CODE : failure.code, message: failure.message } };
    }
    if (value === undefined) return { message, skipped: true };
    return { message, record: { ...parsed.record, value } };
  }

  private async attempt(run: () => Promise<void>, sleeper: AbortableSleeper): Promise<Outcome> {
    for (let attempt = 1; ; attempt++) {
      if (sleeper.isAborted) throw new AbandonedError();
      try {
        await run();
        this.hooks.onHandled?.();
        return { ok: true, attempts: attempt };
      } catch (err) {
        if (err instanceof AbandonedError) throw err;
        const failure = classifyFailure(err, this.retry.retryUnknownErrors);
        const exhausted = this.retry.maxAttempts > 0 && attempt >= this.retry.maxAttempts;
        if (!failure.retryable || exhausted) return { ok: false, attempts: attempt, failure };
        this.counters.retries++;
        this.hooks.onRetry?.(failure, attempt);
        await sleeper.sleep(backoffDelay(attempt, this.retry));
      }
    }
  }

  /** Publishes to the DLT, retrying (with backoff) until acknowledged or abandoned: never skips. */
  private async sendToDeadLetter(message: Message, failure: Pick<FailureView, 'code' | 'message'>, attempts: number, sleeper: AbortableSleeper): Promise<void> {
    for (let tries = 1; ; tries++) {
      if (sleeper.isAborted) throw new AbandonedError();
      try {
        const copy = await this.deadLetter.publish(
          { topic: message.topic, partition: message.partition, offset: message.offset, key: message.key, value: message.value, headers: message.headers },
          { code: failure.code, message: failure.message, attempts },
        );
        this.counters.deadLettered++;
        this.hooks.onDeadLettered?.({
          topic: message.topic,
          partition: message.partition,
          offset: message.offset,
          code: failure.code,
          message: failure.message,
          attempts,
          deadLetterTopic: copy.topic,
          deadLetterOffset: copy.offset,
        });
        return;
      } catch (err) {
        this.counters.deadLetterErrors++;
        this.hooks.onError?.(err);
        await sleeper.sleep(backoffDelay(tries, this.retry));
      }
    }
  }
}

function hasBusCode(err: unknown): boolean {
  const e = (err ?? {}) as { errorCode?: unknown; type?: unknown };
  return e.errorCode !== undefined || e.type !== undefined;
}
