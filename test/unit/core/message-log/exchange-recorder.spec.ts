import { expect } from 'chai';
import { ExchangeSampler, exchangeRecorder } from '../../../../core/message-log';
import { ExchangeRecord } from '../../../../core/message-log';
import { ExchangeEvent } from '../../../../core/operations';

describe('core/message-log - exchange sampling', () => {
  it('records up to the rate per operation and second, a second’s worth at once', () => {
    let now = 1_000_000;
    const s = new ExchangeSampler({ okPerSecond: 3, failedPerSecond: 2 }, () => now);
    const take = (op: string, outcome: string, n: number) => Array.from({ length: n }, () => s.wants(op, outcome)).filter(Boolean).length;
    expect(take('a', 'ok', 10)).to.equal(3);
    expect(take('a', 'BACKEND_TIMEOUT', 10)).to.equal(2);
    // another operation has its own allowance
    expect(take('b', 'ok', 10)).to.equal(3);
    now += 334; // one more success per third of a second
    expect(take('a', 'ok', 10)).to.equal(1);
    now += 10_000; // a quiet spell earns no more than one second's worth
    expect(take('a', 'ok', 10)).to.equal(3);
  });

  it('records nothing of a kind whose rate is 0', () => {
    const s = new ExchangeSampler({ okPerSecond: 0, failedPerSecond: 5 });
    expect(s.wants('a', 'ok')).to.equal(false);
    expect(s.wants('a', 'BACKEND_FAULT')).to.equal(true);
  });

  it('masks what it keeps and never masks what it drops', () => {
    const sent: ExchangeRecord[] = [];
    const record = exchangeRecorder('node-1', { okPerSecond: 1, failedPerSecond: 0 }, (r) => sent.push(r));
    const event = (requestId: string, outcome = 'ok'): ExchangeEvent => ({
      operation: 'marketing.getCustomer', mappingVersion: '3', requestId, outcome, durationMs: 4,
      canonicalRequest: { accountNo: '3301000001' },
      backofficeResponse: { ConsName: '张伟', Mobile: '13800000001' },
      rawResponse: '<ConsName>张伟</ConsName><Mobile>13800000001</Mobile>',
    });
    record(event('r1'));
    record(event('r2'));
    record(event('r3', 'BACKEND_FAULT'));
    expect(sent.map((r) => r.requestId)).to.deep.equal(['r1']);
    expect(sent[0].nodeId).to.equal('node-1');
    expect(JSON.stringify(sent[0])).to.not.contain('13800000001');
  });
});
