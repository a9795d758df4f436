import { expect } from 'chai';
import { BackpressureController } from '../../../../adapters/kafka/backpressure';

const P0 = 't\u00000';
const P1 = 't\u00001';
const P2 = 't\u00002';

describe('adapters/kafka - backpressure controller', () => {
  describe('one partition (the overall bound)', () => {
    it('offers the free room as the size of the next poll', () => {
      const bp = new BackpressureController({ maxInFlight: 10, resumeAt: 5 });
      bp.assign([P0]);
      expect(bp.pollSize(500)).to.equal(10);
      bp.acquire(P0, 4);
      expect(bp.pollSize(500)).to.equal(6);
      expect(bp.pollSize(3)).to.equal(3);
      expect(bp.inFlight).to.equal(4);
    });

    it('pauses once when the bound is reached, not again while paused', () => {
      const bp = new BackpressureController({ maxInFlight: 10, resumeAt: 5 });
      bp.assign([P0]);
      expect(bp.acquire(P0, 9)).to.deep.equal({ pause: [], resume: [] });
      expect(bp.acquire(P0, 1)).to.deep.equal({ pause: [P0], resume: [] });
      expect(bp.paused).to.equal(true);
      expect(bp.pollSize(500)).to.equal(0);
      expect(bp.acquire(P0, 0)).to.deep.equal({ pause: [], resume: [] });
      expect(bp.pauseCount).to.equal(1);
    });

    it('resumes only when drained to resumeAt (hysteresis), once', () => {
      const bp = new BackpressureController({ maxInFlight: 10, resumeAt: 5 });
      bp.assign([P0]);
      bp.acquire(P0, 10);
      expect(bp.release(P0, 1).resume).to.deep.equal([]); // 9
      expect(bp.release(P0, 3).resume).to.deep.equal([]); // 6
      expect(bp.isPaused(P0)).to.equal(true);
      expect(bp.release(P0, 1)).to.deep.equal({ pause: [], resume: [P0] }); // 5
      expect(bp.isPaused(P0)).to.equal(false);
      expect(bp.release(P0, 5)).to.deep.equal({ pause: [], resume: [] });
      expect(bp.resumeCount).to.equal(1);
    });

    it('walks several pause/resume cycles and remembers the peak', () => {
      const bp = new BackpressureController({ maxInFlight: 3, resumeAt: 0 });
      bp.assign([P0]);
      const changes: string[] = [];
      const note = (c: { pause: string[]; resume: string[] }) => changes.push(c.pause.length ? 'pause' : c.resume.length ? 'resume' : '-');
      for (let cycle = 0; cycle < 3; cycle++) {
        note(bp.acquire(P0, 2));
        note(bp.acquire(P0, 1));
        note(bp.release(P0, 2));
        note(bp.release(P0, 1));
      }
      expect(changes).to.deep.equal(['-', 'pause', '-', 'resume', '-', 'pause', '-', 'resume', '-', 'pause', '-', 'resume']);
      expect(bp.maxObserved).to.equal(3);
      expect([bp.pauseCount, bp.resumeCount]).to.deep.equal([3, 3]);
    });
  });

  describe('several partitions (fair shares)', () => {
    it('shares the bound: a partition holding its share is paused alone, the others go on', () => {
      const bp = new BackpressureController({ maxInFlight: 12, resumeAt: 6 });
      const assigned = bp.assign([P0, P1, P2]);
      expect(assigned).to.deep.equal({ pause: [], resume: [P0, P1, P2] });
      expect(bp.partitionLimit).to.equal(4);
      expect(bp.pollSize(500)).to.equal(4);
      expect(bp.acquire(P0, 4)).to.deep.equal({ pause: [P0], resume: [] });
      expect(bp.paused).to.equal(false);
      expect(bp.pollSize(500)).to.equal(4); // P1 and P2 still have room
      bp.acquire(P1, 1);
      expect(bp.pollSize(500)).to.equal(3); // one poll can not overfill P1
      expect(bp.release(P0, 1).resume).to.deep.equal([]); // 3 > 2
      expect(bp.release(P0, 1)).to.deep.equal({ pause: [], resume: [P0] }); // 2 = 4 * 6/12
    });

    it('never lets the whole exceed the bound: the last room pauses everything; draining to resumeAt resumes all but full shares', () => {
      const bp = new BackpressureController({ maxInFlight: 6, resumeAt: 3 });
      bp.assign([P0, P1, P2]); // share 2
      bp.acquire(P0, 2);
      bp.acquire(P1, 2);
      expect(bp.pollSize(500)).to.equal(2);
      const full = bp.acquire(P2, 2);
      expect(full.pause).to.deep.equal([P2]);
      expect(bp.paused).to.equal(true);
      expect(bp.pollSize(500)).to.equal(0);
      // 4 in flight, above resumeAt: everything stays paused although P1 is empty
      expect(bp.release(P1, 2)).to.deep.equal({ pause: [], resume: [] });
      // 3 = resumeAt: P1 (empty) and P0 (1, at its resume mark) resume, P2 (full share) does not
      expect(bp.release(P0, 1)).to.deep.equal({ pause: [], resume: [P0, P1] });
      expect(bp.paused).to.equal(false);
      expect(bp.isPaused(P2)).to.equal(true);
    });

    it('re-shares on assignment changes; records of a revoked partition stay counted until released', () => {
      const bp = new BackpressureController({ maxInFlight: 8, resumeAt: 4 });
      bp.assign([P0]);
      bp.acquire(P0, 5);
      // a second partition halves P0's share: 5 >= 4 pauses it, the new one starts explicitly resumed
      expect(bp.assign([P1])).to.deep.equal({ pause: [P0], resume: [P1] });
      expect(bp.revoke([P1])).to.deep.equal({ pause: [], resume: [] }); // P0 5 > its resume mark 4
      expect(bp.release(P0, 1).resume).to.deep.equal([P0]);
      bp.assign([P2]);
      bp.acquire(P2, 3);
      bp.revoke([P2]);
      expect(bp.inFlight).to.equal(7);
      bp.release(P2, 3);
      expect(bp.inFlight).to.equal(4);
    });

    it('gives every partition a share of at least one, the overall bound still holding', () => {
      const bp = new BackpressureController({ maxInFlight: 2, resumeAt: 0 });
      bp.assign([P0, P1, P2]);
      expect(bp.partitionLimit).to.equal(1);
      bp.acquire(P0, 1);
      bp.acquire(P1, 1);
      expect(bp.paused).to.equal(true);
      expect(bp.pollSize(500)).to.equal(0);
    });
  });

  it('starts with nothing to poll before any assignment, refuses nonsense', () => {
    const bp = new BackpressureController({ maxInFlight: 5, resumeAt: 2 });
    expect(bp.pollSize(500)).to.equal(0);
    bp.assign([P0]);
    bp.acquire(P0, 2);
    expect(() => bp.release(P0, 3)).to.throw(RangeError);
    expect(() => new BackpressureController({ maxInFlight: 0, resumeAt: 0 })).to.throw(RangeError);
    expect(() => new BackpressureController({ maxInFlight: 5, resumeAt: 5 })).to.throw(RangeError);
  });
});
