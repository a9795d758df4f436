import { expect } from 'chai';
import { backoffMs } from '../../../../core/outbox';

describe('outbox backoff - exponential with jitter', () => {
  it('doubles per attempt between half and all of the step', () => {
    expect([1, 2, 3, 4].map((a) => backoffMs(a, 1000, 60000, () => 0))).to.deep.equal([500, 1000, 2000, 4000]);
    expect([1, 2, 3, 4].map((a) => backoffMs(a, 1000, 60000, () => 0.999999))).to.deep.equal([1000, 2000, 4000, 8000]);
  });

  it('never exceeds the maximum, however many attempts', () => {
    for (const attempts of [10, 31, 1000]) expect(backoffMs(attempts, 1000, 60000, () => 1)).to.equal(60000);
  });

  it('spreads rows that failed together', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffMs(5, 1000, 600000)));
    expect(delays.size).to.be.greaterThan(10);
  });
});
