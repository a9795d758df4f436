import { expect } from 'chai';
import { FakeClock, realClock, sleep } from '../../../../core/resilience';

const refTimers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('core/resilience - clock', () => {
  it('fake - fires due timers in time order (ties in creation order) and only when advanced', async () => {
    const clock = new FakeClock(100);
    const fired: string[] = [];
    clock.setTimer(50, () => fired.push(`b@${clock.now()}`));
    clock.setTimer(10, () => fired.push(`a@${clock.now()}`));
    clock.setTimer(50, () => fired.push(`c@${clock.now()}`));
    const cleared = clock.setTimer(20, () => fired.push('never'));
    cleared.clear();
    expect(clock.nextTimerAt()).to.equal(110);
    await clock.advance(49);
    expect(fired).to.deep.equal(['a@110']);
    expect(clock.now()).to.equal(149);
    await clock.advance(1);
    expect(fired).to.deep.equal(['a@110', 'b@150', 'c@150']);
    expect(clock.pendingTimers()).to.equal(0);
  });

  it('fake - a timer set by a continuation of an earlier one fires within the same advance', async () => {
    const clock = new FakeClock();
    const at: number[] = [];
    void (async () => {
      for (let i = 0; i < 3; i++) {
        await sleep(clock, 100);
        at.push(clock.now());
      }
    })();
    await clock.advance(250);
    expect(at).to.deep.equal([100, 200]);
    expect(clock.now()).to.equal(250);
    await clock.advance(50);
    expect(at).to.deep.equal([100, 200, 300]);
  });

  it('real - timers are unref()\'d and can be cleared', () => {
    const before = refTimers();
    const handle = realClock.setTimer(60_000, () => { throw new Error('must not fire'); });
    expect(refTimers(), 'does not keep the process alive').to.equal(before);
    handle.clear();
    expect(Math.abs(realClock.now() - Date.now())).to.be.below(50);
  });
});
