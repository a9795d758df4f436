import { expect } from 'chai';
import { BackpressureController } from '../../../../adapters/kafka/backpressure';

describe('adapters/kafka - backpressure controller', () => {
  it('offers the free room as the size of the next poll', () => {
    const bp = new BackpressureController({ maxInFlight: 10, resumeAt: 5 });
    expect(bp.capacity).to.equal(10);
    bp.acquire(4);
    expect(bp.capacity).to.equal(6);
    expect(bp.inFlight).to.equal(4);
  });

  it('pauses once when the bound is reached, not again while paused', () => {
    const bp = new BackpressureController({ maxInFlight: 10, resumeAt: 5 });
    expect(bp.acquire(9)).to.equal(null);
    expect(bp.acquire(1)).to.equal('pause');
    expect(bp.paused).to.equal(true);
    expect(bp.capacity).to.equal(0);
    expect(bp.acquire(0)).to.equal(null);
    expect(bp.pauseCount).to.equal(1);
  });

  it('resumes only when drained to resumeAt (hysteresis), once', () => {
    const bp = new BackpressureController({ maxInFlight: 10, resumeAt: 5 });
    bp.acquire(10);
    expect(bp.release(1)).to.equal(null); // 9
    expect(bp.release(3)).to.equal(null); // 6
    expect(bp.paused).to.equal(true);
    expect(bp.release(1)).to.equal('resume'); // 5
    expect(bp.paused).to.equal(false);
    expect(bp.release(5)).to.equal(null);
    expect(bp.resumeCount).to.equal(1);
  });

  it('walks several pause/resume cycles and remembers the peak', () => {
    const bp = new BackpressureController({ maxInFlight: 3, resumeAt: 0 });
    const changes: Array<string | null> = [];
    for (let cycle = 0; cycle < 3; cycle++) {
      changes.push(bp.acquire(2), bp.acquire(1), bp.release(2), bp.release(1));
    }
    expect(changes).to.deep.equal([null, 'pause', null, 'resume', null, 'pause', null, 'resume', null, 'pause', null, 'resume']);
    expect(bp.maxObserved).to.equal(3);
    expect([bp.pauseCount, bp.resumeCount]).to.deep.equal([3, 3]);
  });

  it('pauses at once when one poll fills it past the bound, and reports the peak', () => {
    const bp = new BackpressureController({ maxInFlight: 5, resumeAt: 2 });
    expect(bp.acquire(7)).to.equal('pause');
    expect(bp.capacity).to.equal(0);
    expect(bp.maxObserved).to.equal(7);
  });

  it('refuses to release more than is in flight, and nonsense bounds', () => {
    const bp = new BackpressureController({ maxInFlight: 5, resumeAt: 2 });
    bp.acquire(2);
    expect(() => bp.release(3)).to.throw(RangeError);
    expect(() => new BackpressureController({ maxInFlight: 0, resumeAt: 0 })).to.throw(RangeError);
    expect(() => new BackpressureController({ maxInFlight: 5, resumeAt: 5 })).to.throw(RangeError);
  });
});
