import { expect } from 'chai';
import { buildDeadLetterHeaders, DEAD_LETTER_HEADERS, MAX_ERROR_MESSAGE_LENGTH } from '../../../../adapters/kafka/dead-letter';
import { headersToRecord } from '../../../../adapters/kafka/records';

const info = {
  topic: 'readings',
  partition: 2,
  offset: 41,
  errorCode: 'VALIDATION_FAILED',
  errorMessage: 'value is not JSON',
  attempts: 3,
  failedAt: new Date('2026-11-25T08:00:00.000Z'),
};

describe('adapters/kafka - dead-letter headers', () => {
  it('carries origin, error, attempts and time as text headers', () => {
    const headers = buildDeadLetterHeaders(info);
    expect(headers.every((h) => Object.keys(h).length === 1)).to.equal(true);
    expect(headersToRecord(headers)).to.deep.equal({
      'x-original-topic': 'readings',
      'x-original-partition': '2',
      'x-original-offset': '41',
      'x-error-code': 'VALIDATION_FAILED',
      'x-error-message': 'value is not JSON',
      'x-attempts': '3',
      'x-failed-at': '2026-11-25T08:00:00.000Z',
    });
  });

  it('keeps the record own headers first, in order, repeated names too', () => {
    const headers = buildDeadLetterHeaders(info, [{ trace: Buffer.from('t1') }, { tag: 'a' }, { tag: 'b' }]);
    expect(headers.slice(0, 3)).to.deep.equal([{ trace: Buffer.from('t1') }, { tag: 'a' }, { tag: 'b' }]);
    expect(headers).to.have.length(10);
  });

  it('replaces the dead-letter headers of an earlier failure instead of repeating them', () => {
    const first = buildDeadLetterHeaders({ ...info, errorCode: 'INTERNAL', attempts: 1 }, [{ trace: 't' }]);
    const second = buildDeadLetterHeaders({ ...info, topic: 'readings.DLT', offset: 7 }, first);
    const names = second.map((h) => Object.keys(h)[0]);
    expect(names.filter((n) => n === DEAD_LETTER_HEADERS.errorCode)).to.have.length(1);
    expect(headersToRecord(second)).to.deep.include({ trace: 't', 'x-original-topic': 'readings.DLT', 'x-original-offset': '7', 'x-error-code': 'VALIDATION_FAILED', 'x-attempts': '3' });
  });

  it('cuts a long error message and adds the consumer group when known', () => {
    const h = headersToRecord(buildDeadLetterHeaders({ ...info, errorMessage: 'x'.repeat(5000), consumerGroup: 'g1' }));
    expect(h['x-error-message']).to.have.length(MAX_ERROR_MESSAGE_LENGTH);
    expect(h['x-error-message'].endsWith('…')).to.equal(true);
    expect(h['x-consumer-group']).to.equal('g1');
  });

  it('records zero attempts for a record that could not be parsed', () => {
    expect(headersToRecord(buildDeadLetterHeaders({ ...info, attempts: 0 }))['x-attempts']).to.equal('0');
  });
});
