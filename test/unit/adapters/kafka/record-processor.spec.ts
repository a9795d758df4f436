import { expect } from 'chai';
import type { Message } from 'node-rdkafka';
import { DeadLetterPublisher } from '../../../../adapters/kafka/dead-letter';
import { zeroCounters } from '../../../../adapters/kafka/metrics';
import { KafkaHandler, RecordProcessor } from '../../../../adapters/kafka/record-processor';
import { AbandonedError, AbortableSleeper } from '../../../../adapters/kafka/retry';
import { GridbusError } from '../../../../core/errors';

function message(offset: number, value: string): Message {
  return { topic: 't', partition: 0, offset, key: Buffer.from(`k${offset}`), value: Buffer.from(value), size: value.length };
}

/** A dead-letter publisher that records instead of producing. */
function fakeDeadLetters(failTimes = 0) {
  const sent: Array<{ offset: number; code: string; attempts: number }> = [];
  let failures = failTimes;
  const publisher = {
    async publish(source: { offset: number }, failure: { code: string; attempts: number }) {
      if (failures-- > 0) throw new Error('broker down');
      sent.push({ offset: source.offset, code: failure.code, attempts: failure.attempts });
      return { topic: 't.DLT', partition: 0, offset: sent.length - 1 };
    },
  } as unknown as DeadLetterPublisher;
  return { sent, publisher };
}

const retry = { maxAttempts: 3, backoffMs: 1, maxBackoffMs: 2, retryUnknownErrors: true };

describe('adapters/kafka - record processor', () => {
  it('per record - retries a retryable failure, dead-letters a non-retryable one at once, keeps order', async () => {
    const calls: string[] = [];
    const handler: KafkaHandler<{ id: string }> = {
      async handle(r) {
        calls.push(r.value.id);
        if (r.value.id === 'flaky' && calls.filter((c) => c === 'flaky').length < 2) throw new GridbusError('BACKEND_TIMEOUT', 'slow');
        if (r.value.id === 'bad') throw new GridbusError('VALIDATION_FAILED', 'nope');
      },
    };
    const dl = fakeDeadLetters();
    const counters = zeroCounters();
    const p = new RecordProcessor(handler, 'json', retry, dl.publisher, counters);
    const sleeper = new AbortableSleeper();
    for (const [i, id] of ['a', 'flaky', 'bad', 'b'].entries()) await p.process([message(i, JSON.stringify({ id }))], sleeper);
    expect(calls).to.deep.equal(['a', 'flaky', 'flaky', 'bad', 'b']);
    expect(dl.sent).to.deep.equal([{ offset: 2, code: 'VALIDATION_FAILED', attempts: 1 }]);
    expect(counters).to.deep.include({ handled: 3, retries: 1, deadLettered: 1 });
  });

  it('batch - a failed batch is split so only the bad record goes to the DLT; malformed ones never reach the handler', async () => {
    const batches: string[][] = [];
    const handler: KafkaHandler<{ id: string }> = {
      async handleBatch(records) {
        const ids = records.map((r) => r.value.id);
        batches.push(ids);
        if (ids.includes('bad')) throw new GridbusError('VALIDATION_FAILED', 'row refused');
      },
    };
    const dl = fakeDeadLetters();
    const counters = zeroCounters();
    const p = new RecordProcessor(handler, 'json', retry, dl.publisher, counters);
    const unit = ['a', 'b', 'bad', 'c'].map((id, i) => message(i, JSON.stringify({ id })));
    unit.splice(1, 0, message(9, 'not json'));
    await p.process(unit, new AbortableSleeper());
    expect(batches).to.deep.equal([['a', 'b', 'bad', 'c'], ['a'], ['b'], ['bad'], ['c']]);
    expect(dl.sent.map((d) => [d.offset, d.code])).to.deep.equal([
      [9, 'VALIDATION_FAILED'],
      [2, 'VALIDATION_FAILED'],
    ]);
    expect(counters).to.deep.include({ handled: 3, malformed: 1, deadLettered: 2, batchSplits: 1 });
  });

  it('keeps trying the dead-letter topic until it answers: a record is never skipped', async () => {
    const dl = fakeDeadLetters(2);
    const counters = zeroCounters();
    const p = new RecordProcessor({ handle: async () => undefined }, 'json', retry, dl.publisher, counters);
    await p.process([message(4, '{oops')], new AbortableSleeper());
    expect(dl.sent).to.deep.equal([{ offset: 4, code: 'VALIDATION_FAILED', attempts: 0 }]);
    expect(counters.deadLetterErrors).to.equal(2);
  });

  it('with maxAttempts 0 retries without end until the partition is given up (AbandonedError, nothing dead-lettered)', async () => {
    const dl = fakeDeadLetters();
    let calls = 0;
    const p = new RecordProcessor(
      {
        async handle() {
          calls++;
          throw new GridbusError('BACKEND_UNAVAILABLE', 'database down');
        },
      },
      'json',
      { ...retry, maxAttempts: 0 },
      dl.publisher,
      zeroCounters(),
    );
    const sleeper = new AbortableSleeper();
    const run = p.process([message(0, '{}')], sleeper);
    await new Promise((r) => setTimeout(r, 50));
    sleeper.abort();
    expect(await run.catch((e) => e)).to.be.instanceOf(AbandonedError);
    expect(calls).to.be.greaterThan(5);
    expect(dl.sent).to.deep.equal([]);
  });
});
