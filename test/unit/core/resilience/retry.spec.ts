import { expect } from 'chai';
import { GridbusError } from '../../../../core/errors';
import {
  CircuitOpenError, FakeClock, RetryInfo, createResiliencePolicy, createRetry, flushMicrotasks, retryDelay,
} from '../../../../core/resilience';

const down = () => new GridbusError('BACKEND_UNAVAILABLE', 'down');

/** Runs `retry.execute` with a call that fails `failures` times, recording when each attempt starts. */
function run(opts: { max: number; backoff?: 'fixed' | 'exponential'; base?: number; maxDelay?: number; jitter?: boolean }, failures: number, idempotent = true, make: () => unknown = down) {
  const clock = new FakeClock();
  const times: number[] = [];
  const infos: RetryInfo[] = [];
  const retry = createRetry(opts, { clock, random: () => 0.5, onRetry: (i) => infos.push(i) });
  let settled: { value?: unknown; error?: unknown } | undefined;
  retry
    .execute(async (attempt) => {
      times.push(clock.now());
      expect(attempt).to.equal(times.length);
      if (times.length <= failures) throw make();
      return `ok@${attempt}`;
    }, { idempotent })
    .then((value) => { settled = { value }; }, (error: unknown) => { settled = { error }; });
  return { clock, times, infos, settled: () => settled };
}

describe('core/resilience - retry', () => {
  it('delays - exponential doubles from base and is capped by maxDelay', () => {
    const o = { backoff: 'exponential' as const, base: 100, maxDelay: 500 };
    expect([1, 2, 3, 4, 5].map((n) => retryDelay(o, n))).to.deep.equal([100, 200, 400, 500, 500]);
    expect([1, 2, 3].map((n) => retryDelay({ backoff: 'fixed', base: 250 }, n))).to.deep.equal([250, 250, 250]);
    expect([1, 2, 3].map((n) => retryDelay({ base: 100 }, n)), 'exponential by default, no cap').to.deep.equal([100, 200, 400]);
  });

  it('delays - full jitter draws uniformly below the delay', () => {
    const o = { base: 100, maxDelay: 500, jitter: true };
    expect([1, 2, 3, 4].map((n) => retryDelay(o, n, () => 0.5))).to.deep.equal([50, 100, 200, 250]);
    expect(retryDelay(o, 3, () => 0)).to.equal(0);
    expect(retryDelay(o, 3, () => 0.999)).to.equal(399);
  });

  it('attempts - waits the backoff sequence on the clock, then gives up with the last error', async () => {
    const r = run({ max: 4, base: 100, maxDelay: 500 }, Infinity);
    await flushMicrotasks();
    expect(r.times).to.deep.equal([0]);
    await r.clock.advance(99);
    expect(r.times, 'no attempt before its delay').to.deep.equal([0]);
    await r.clock.advance(1);
    expect(r.times).to.deep.equal([0, 100]);
    await r.clock.advance(200);
    expect(r.times).to.deep.equal([0, 100, 300]);
    await r.clock.advance(400);
    expect(r.times).to.deep.equal([0, 100, 300, 700]);
    expect(r.settled()).to.equal(undefined);
    await r.clock.advance(500);
    expect(r.times).to.deep.equal([0, 100, 300, 700, 1200]);
    expect((r.settled()?.error as GridbusError).errorCode).to.equal('BACKEND_UNAVAILABLE');
    expect(r.infos.map((i) => [i.attempt, i.attempts, i.delayMs])).to.deep.equal([[1, 5, 100], [2, 5, 200], [3, 5, 400], [4, 5, 500]]);
    expect(r.clock.pendingTimers()).to.equal(0);
  });

  it('attempts - fixed backoff with jitter', async () => {
    const r = run({ max: 2, backoff: 'fixed', base: 300, jitter: true }, Infinity);
    await r.clock.advance(10_000);
    expect(r.times).to.deep.equal([0, 150, 300]);
  });

  it('attempts - a later success is returned', async () => {
    const r = run({ max: 3, base: 100 }, 2);
    await r.clock.advance(10_000);
    expect(r.times).to.deep.equal([0, 100, 300]);
    expect(r.settled()).to.deep.equal({ value: 'ok@3' });
  });

  it('no retry - for errors that are not retryable', async () => {
    for (const make of [
      () => new GridbusError('ACCOUNT_NOT_FOUND', 'n'),
      () => new GridbusError('BACKEND_FAULT', 'fault, not retryable by default'),
      () => new Error('plain'),
    ]) {
      const r = run({ max: 3, base: 100 }, Infinity, true, make);
      await r.clock.advance(10_000);
      expect(r.times, String((make() as Error).message)).to.deep.equal([0]);
      expect(r.settled()?.error).to.be.instanceOf(Error);
    }
    const marked = run({ max: 1, base: 100 }, Infinity, true, () => new GridbusError('BACKEND_FAULT', 'f', { retryable: true }));
    await marked.clock.advance(10_000);
    expect(marked.times, 'a mapping may mark a code retryable').to.deep.equal([0, 100]);
  });

  it('no retry - when the operation is not idempotent', async () => {
    const r = run({ max: 3, base: 100 }, Infinity, false);
    await r.clock.advance(10_000);
    expect(r.times).to.deep.equal([0]);
    expect((r.settled()?.error as GridbusError).errorCode).to.equal('BACKEND_UNAVAILABLE');
  });

  it('no retry - never for a circuit-open refusal, although its code is retryable', async () => {
    const r = run({ max: 3, base: 100 }, Infinity, true, () => new CircuitOpenError('x', 1000));
    await r.clock.advance(10_000);
    expect(r.times).to.deep.equal([0]);
  });

  it('breaker - stops retrying as soon as its own failures open the breaker', async () => {
    const clock = new FakeClock();
    const policy = createResiliencePolicy(
      { retries: { max: 5, base: 100 }, breaker: { minRequests: 2, failureRatio: 0.5, window: 60_000, halfOpenAfter: 10_000 } },
      { key: 'billing.query', clock, idempotent: true },
    );
    const times: number[] = [];
    const p = policy.execute(async () => { times.push(clock.now()); throw down(); }).catch((e: unknown) => e);
    await clock.advance(100);
    const err = await p;
    expect(times, 'attempt 2 opened the breaker; no waiting for attempt 3').to.deep.equal([0, 100]);
    expect(clock.pendingTimers(), 'only the half-open timer is left').to.equal(1);
    expect(policy.breaker!.state()).to.equal('open');
    expect((err as GridbusError).errorCode, 'the real failure is reported').to.equal('BACKEND_UNAVAILABLE');
    expect(policy.breaker!.snapshot()).to.include({ failures: 2, total: 2 });
    policy.dispose();
  });

  it('breaker - an attempt refused by a breaker opened meanwhile ends the sequence', async () => {
    const clock = new FakeClock();
    const policy = createResiliencePolicy(
      { retries: { max: 5, base: 1_000 }, breaker: { minRequests: 3, failureRatio: 0.5, halfOpenAfter: 30_000 } },
      { key: 'billing.query', clock, idempotent: true },
    );
    let calls = 0;
    const p = policy.execute(async () => { calls++; throw down(); }).catch((e: unknown) => e);
    await clock.advance(10); // attempt 1 failed (1/1, below minRequests); waiting 1 s
    const others = [1, 2].map(() => policy.execute(async () => { throw down(); }, { idempotent: false }).catch(() => undefined));
    await Promise.all(others);
    expect(policy.breaker!.state()).to.equal('open');
    await clock.advance(1_000);
    const err = await p;
    expect(err).to.be.instanceOf(CircuitOpenError);
    expect((err as CircuitOpenError).retryAfterMs).to.equal(30_000 - 990);
    expect(calls).to.equal(1);
    policy.dispose();
  });

  it('options - refuses impossible settings', () => {
    expect(() => createRetry({ max: -1 })).to.throw(RangeError, /max/);
    expect(() => createRetry({ backoff: 'linear' as 'fixed' })).to.throw(RangeError, /backoff/);
    expect(() => createRetry({ base: -5 })).to.throw(RangeError, /base/);
  });
});
