import { expect } from 'chai';
import { GridbusError } from '../../../../core/errors';
import { classifyFailure, translateKafkaError } from '../../../../adapters/kafka/kafka-errors';
import { resolveConsumerOptions } from '../../../../adapters/kafka/options';
import { toRecord } from '../../../../adapters/kafka/records';
import { AbandonedError, AbortableSleeper, backoffDelay } from '../../../../adapters/kafka/retry';

describe('adapters/kafka - failure classification and retry', () => {
  it('takes retryable from a GridbusError, its code default otherwise', () => {
    expect(classifyFailure(new GridbusError('VALIDATION_FAILED', 'bad'), true)).to.deep.equal({ code: 'VALIDATION_FAILED', message: 'bad', retryable: false });
    expect(classifyFailure(new GridbusError('BACKEND_UNAVAILABLE', 'down'), false).retryable).to.equal(true);
    expect(classifyFailure(new GridbusError('BACKEND_FAULT', 'x', { retryable: true }), false).retryable).to.equal(true);
  });

  it('counts an unknown error as INTERNAL, retried only when asked to', () => {
    expect(classifyFailure(new TypeError('oops'), true)).to.deep.equal({ code: 'INTERNAL', message: 'oops', retryable: true });
    expect(classifyFailure(new TypeError('oops'), false).retryable).to.equal(false);
  });

  it('maps librdkafka codes to the bus vocabulary', () => {
    expect(translateKafkaError({ code: -195, message: 'Local: Broker transport failure' }, 'poll').errorCode).to.equal('BACKEND_UNAVAILABLE');
    expect(translateKafkaError({ code: -185, message: 'Local: Timed out' }, 'connect').errorCode).to.equal('BACKEND_TIMEOUT');
    expect(translateKafkaError({ code: 29, message: 'denied' }, 'x').errorCode).to.equal('BACKEND_FAULT');
    expect(translateKafkaError(new Error('Local: Message timed out'), 'delivery').errorCode).to.equal('BACKEND_TIMEOUT');
  });

  it('doubles the backoff up to its cap, with jitter taken off', () => {
    const r = { backoffMs: 100, maxBackoffMs: 500 };
    expect([1, 2, 3, 4, 5].map((a) => backoffDelay(a, r, () => 0))).to.deep.equal([100, 200, 400, 500, 500]);
    expect(backoffDelay(1, r, () => 1)).to.equal(80);
  });

  it('cuts a sleep short with AbandonedError when aborted', async () => {
    const sleeper = new AbortableSleeper();
    const started = Date.now();
    const p = sleeper.sleep(10_000);
    sleeper.abort();
    const err = await p.catch((e) => e);
    expect(err).to.be.instanceOf(AbandonedError);
    expect(Date.now() - started).to.be.below(1000);
    expect(await sleeper.sleep(1).catch((e) => e)).to.be.instanceOf(AbandonedError);
  });
});

describe('adapters/kafka - options and records', () => {
  const base = { brokers: '127.0.0.1:9092', groupId: 'g', topics: ['t'] };

  it('defaults to earliest, json, <topic>.DLT and half the bound to resume', () => {
    const o = resolveConsumerOptions({ ...base, maxInFlight: 10 });
    expect(o.autoOffsetReset).to.equal('earliest');
    expect(o.format).to.equal('json');
    expect(o.resumeAt).to.equal(5);
    expect(o.deadLetterTopic('t')).to.equal('t.DLT');
  });

  it('refuses to let rdkafka settings override the commit guarantees', () => {
    expect(() => resolveConsumerOptions({ ...base, rdkafka: { 'enable.auto.commit': true } })).to.throw(/cannot be overridden/);
    expect(() => resolveConsumerOptions({ ...base, brokers: 'nohostport' })).to.throw(/host:port/);
    expect(() => resolveConsumerOptions({ ...base, deadLetterTopic: 't' })).to.throw(/itself/);
    expect(() => resolveConsumerOptions({ ...base, maxInFlight: 4, resumeAt: 4 })).to.throw(/resumeAt/);
  });

  it('refuses unknown options and reports every problem at once', () => {
    let err: unknown;
    try {
      resolveConsumerOptions({ ...base, maxInFlite: 10, retry: { maxAtempts: 2 }, batchSize: 0 } as never);
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(GridbusError);
    expect((err as GridbusError).errorCode).to.equal('CONFIG_INVALID');
    expect((err as GridbusError).data.problems).to.have.members([
      "unknown option 'maxInFlite'",
      "unknown option 'retry.maxAtempts'",
      'batchSize must be an integer >= 1 (got 0)',
    ]);
  });

  it('parses JSON values and reports the ones that are not JSON', () => {
    const msg = { topic: 't', partition: 0, offset: 5, size: 1, key: Buffer.from('k'), value: Buffer.from('{"a":1}'), headers: [{ h: Buffer.from('v') }] };
    const ok = toRecord(msg, 'json');
    expect(ok.ok && ok.record).to.deep.include({ key: 'k', value: { a: 1 }, headers: { h: 'v' }, offset: 5 });
    const bad = toRecord({ ...msg, value: Buffer.from('not json') }, 'json');
    expect(bad.ok).to.equal(false);
    const raw = toRecord({ ...msg, value: Buffer.from('not json') }, 'raw');
    expect(raw.ok && Buffer.isBuffer(raw.record.value)).to.equal(true);
  });
});
