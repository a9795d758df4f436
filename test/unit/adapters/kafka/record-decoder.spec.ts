import { expect } from 'chai';
import type { Message } from 'node-rdkafka';
import { DeadLetterPublisher } from '../../../../adapters/kafka/dead-letter';
import { zeroCounters } from '../../../../adapters/kafka/metrics';
import { KafkaHandler, NotDecodableYetError, RecordProcessor } from '../../../../adapters/kafka/record-processor';
import { AbortableSleeper } from '../../../../adapters/kafka/retry';
import { GridbusError } from '../../../../core/errors';
import { loadTopicShapeText } from '../../../../core/mapping/topics';

/** A Canal-style shape (rows in a list, capture time in the envelope), unlike our own topics. */
const SHAPE = loadTopicShapeText(
  `shape: metering.canal-test
version: 1
topic: canal_meter
format: envelope
envelope: { recordPath: data, operationPath: type, select: { operations: [INSERT, UPDATE] } }
map:
  meterPointId: { from: mp, type: string, required: true }
  readingTotal: { from: v, type: number, required: true }
  collectedAt: { from: $envelope.ts, date: { in: epochMillis, out: iso }, required: true }
`,
  'topics/canal-test.yaml',
);

function message(offset: number, value: string): Message {
  return { topic: 'canal_meter', partition: 0, offset, key: null, value: Buffer.from(value), size: value.length };
}

function fakeDeadLetters() {
  const sent: Array<{ offset: number; code: string; attempts: number; message: string }> = [];
  const publisher = {
    async publish(source: { offset: number }, failure: { code: string; attempts: number; message: string }) {
      sent.push({ offset: source.offset, code: failure.code, attempts: failure.attempts, message: failure.message });
      return { topic: 'canal_meter.DLT', partition: 0, offset: sent.length - 1 };
    },
  } as unknown as DeadLetterPublisher;
  return { sent, publisher };
}

const retry = { maxAttempts: 0, backoffMs: 1, maxBackoffMs: 2, retryUnknownErrors: true };
type Rows = Array<Record<string, unknown>>;

/** The way a channel binds a shape: decode() maps, handleBatch() stores. */
function shapeHandler(stored: Rows[], shape = () => SHAPE): KafkaHandler<Rows> {
  return {
    decode(record) {
      const d = shape().decode(record.raw);
      return d.action === 'records' ? d.records : undefined;
    },
    async handleBatch(records) {
      stored.push(records.flatMap((r) => r.value));
    },
  };
}

describe('adapters/kafka - decoding records before the handler', () => {
  it('dead-letters a not-JSON record and a record that fails the shape with VALIDATION_FAILED and 0 attempts; skips, and hands the rest over', async () => {
    const stored: Rows[] = [];
    const dl = fakeDeadLetters();
    const counters = zeroCounters();
    const p = new RecordProcessor(shapeHandler(stored), 'raw', retry, dl.publisher, counters);
    await p.process(
      [
        message(0, JSON.stringify({ type: 'INSERT', ts: 0, data: [{ mp: 'A', v: '1.5' }, { mp: 'B', v: 2 }] })),
        message(1, '{"type":"INSERT","data":[{"mp":'),
        message(2, JSON.stringify({ type: 'INSERT', ts: 0, data: [{ mp: 'C', v: 'n/a' }] })),
        message(3, JSON.stringify({ type: 'DELETE', ts: 0, data: [{ mp: 'D' }] })),
        message(4, JSON.stringify({ type: 'UPDATE', ts: 1000, data: [{ mp: 'E', v: 3 }] })),
      ],
      new AbortableSleeper(),
    );
    expect(dl.sent.map(({ offset, code, attempts }) => ({ offset, code, attempts }))).to.deep.equal([
      { offset: 1, code: 'VALIDATION_FAILED', attempts: 0 },
      { offset: 2, code: 'VALIDATION_FAILED', attempts: 0 },
    ]);
    expect(dl.sent[0].message).to.contain('the message is not JSON');
    expect(dl.sent[1].message).to.contain('readingTotal');
    expect(stored).to.deep.equal([
      [
        { meterPointId: 'A', readingTotal: 1.5, collectedAt: '1970-01-01T08:00:00+08:00' },
        { meterPointId: 'B', readingTotal: 2, collectedAt: '1970-01-01T08:00:00+08:00' },
        { meterPointId: 'E', readingTotal: 3, collectedAt: '1970-01-01T08:00:01+08:00' },
      ],
    ]);
    expect(counters).to.deep.include({ malformed: 2, skipped: 1, deadLettered: 2, handled: 2 });
  });

  it('a decoder that is not ready (retryable error) makes the unit wait: nothing dead-lettered, nothing handled twice', async () => {
    const stored: Rows[] = [];
    const dl = fakeDeadLetters();
    let ready = false;
    const handler = shapeHandler(stored, () => {
      if (!ready) throw new GridbusError('SERVICE_UNAVAILABLE', 'shape not published yet');
      return SHAPE;
    });
    const p = new RecordProcessor(handler, 'raw', retry, dl.publisher, zeroCounters());
    const unit = [message(0, 'not json'), message(1, JSON.stringify({ type: 'INSERT', ts: 0, data: [{ mp: 'A', v: 1 }] }))];
    let err: unknown;
    await p.process(unit, new AbortableSleeper()).catch((e) => (err = e));
    expect(err).to.be.instanceOf(NotDecodableYetError);
    expect(dl.sent).to.deep.equal([]);
    ready = true;
    await p.process(unit, new AbortableSleeper());
    expect(dl.sent.map((s) => s.offset)).to.deep.equal([0]);
    expect(stored).to.have.length(1);
  });

  it('a decoder error without a bus code counts as VALIDATION_FAILED; one with a code keeps it', async () => {
    const dl = fakeDeadLetters();
    let n = 0;
    const handler: KafkaHandler<unknown> = {
      decode() {
        if (n++ === 0) throw new TypeError('cannot read x');
        throw new GridbusError('MAPPING_INVALID', 'no such shape');
      },
      async handle() {
        throw new Error('never called');
      },
    };
    const p = new RecordProcessor(handler, 'json', retry, dl.publisher, zeroCounters());
    await p.process([message(0, '{}'), message(1, '{}')], new AbortableSleeper());
    expect(dl.sent.map(({ code, attempts }) => ({ code, attempts }))).to.deep.equal([
      { code: 'VALIDATION_FAILED', attempts: 0 },
      { code: 'MAPPING_INVALID', attempts: 0 },
    ]);
  });
});
