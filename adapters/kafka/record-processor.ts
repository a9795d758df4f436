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

export type KafkaHandler<T = unknown> = RecordHandler<T> | BatchHandler<T>;

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
}

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
    const good: Array<{ message: Message; record: KafkaRecord<T> }> = [];
    for (const message of unit) {
      const parsed = toRecord<T>(message, this.format);
      if (parsed.ok) {
        good.push({ message, record: parsed.record });
      } else {
        this.counters.malformed++;
        await this.sendToDeadLetter(message, { code: MALFORMED_RECORD_CODE, message: parsed.reason }, 0, sleeper);
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
        await this.deadLetter.publish(
          { topic: message.topic, partition: message.partition, offset: message.offset, key: message.key, value: message.value, headers: message.headers },
          { code: failure.code, message: failure.message, attempts },
        );
        this.counters.deadLettered++;
        this.hooks.onDeadLettered?.({ topic: message.topic, partition: message.partition, offset: message.offset, code: failure.code, message: failure.message, attempts });
        return;
      } catch (err) {
        this.counters.deadLetterErrors++;
        this.hooks.onError?.(err);
        await sleeper.sleep(backoffDelay(tries, this.retry));
      }
    }
  }
}
