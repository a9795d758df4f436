import { expect } from 'chai';
import { GridbusError, toErrorView } from '../../../../core/errors';
import {
  CircuitBreaker, CircuitOpenError, CircuitState, CircuitStateChangeInfo, FakeClock, createCircuitBreaker, flushMicrotasks,
} from '../../../../core/resilience';

const down = () => new GridbusError('BACKEND_UNAVAILABLE', 'down');
const notFound = () => new GridbusError('ACCOUNT_NOT_FOUND', 'no such account');

interface Change { from: CircuitState; to: CircuitState; info: CircuitStateChangeInfo }

function setup(opts: Parameters<typeof createCircuitBreaker>[0] = {}) {
  const clock = new FakeClock(1_000_000);
  const changes: Change[] = [];
  const breaker = createCircuitBreaker(
    { failureRatio: 0.5, minRequests: 4, window: 10_000, halfOpenAfter: 5_000, ...opts },
    { key: 'billing.query', clock, onStateChange: (from, to, info) => changes.push({ from, to, info }) },
  );
  let calls = 0;
  const ok = () => breaker.execute(async () => { calls++; return 'ok'; });
  const fail = (make: () => unknown = down) => breaker.execute(async () => { calls++; throw make(); }).catch((e: unknown) => e);
  return { clock, breaker, changes, ok, fail, calls: () => calls };
}

async function trip(s: ReturnType<typeof setup>): Promise<void> {
  for (let i = 0; i < 4; i++) await s.fail();
  expect(s.breaker.state()).to.equal('open');
}

/** A call the test settles by hand. */
function deferred<T = string>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

describe('core/resilience - circuit breaker', () => {
  it('closed - stays closed below minRequests even when every call fails', async () => {
    const s = setup();
    for (let i = 1; i <= 3; i++) {
      await s.fail();
      expect(s.breaker.state(), `after ${i} failures`).to.equal('closed');
    }
    expect(s.breaker.snapshot()).to.include({ state: 'closed', failures: 3, successes: 0, total: 3 });
    await s.fail();
    expect(s.breaker.state()).to.equal('open');
  });

  it('closed - opens when failures/total reaches failureRatio, not before', async () => {
    const s = setup();
    for (let i = 0; i < 3; i++) await s.ok();
    await s.fail(); // 1/4
    expect(s.breaker.state()).to.equal('closed');
    await s.fail(); // 2/5
    expect(s.breaker.state()).to.equal('closed');
    await s.fail(); // 3/6 = 0.5
    expect(s.breaker.state()).to.equal('open');
    expect(s.changes).to.have.length(1);
    const { from, to, info } = s.changes[0];
    expect([from, to]).to.deep.equal(['closed', 'open']);
    expect(info).to.include({ key: 'billing.query', failures: 3, successes: 3, total: 6, retryAfterMs: 5_000, at: 1_000_000 });
    expect((info.error as GridbusError).errorCode).to.equal('BACKEND_UNAVAILABLE');
  });

  it('open - fails fast with CircuitOpenError and a decreasing retryAfterMs', async () => {
    const s = setup();
    await trip(s);
    const before = s.calls();

    const e1 = await s.fail();
    expect(e1).to.be.instanceOf(CircuitOpenError).and.instanceOf(GridbusError);
    const err = e1 as CircuitOpenError;
    expect(err.errorCode).to.equal('SERVICE_UNAVAILABLE');
    expect(err.status).to.equal(503);
    expect(err.retryAfterMs).to.equal(5_000);
    expect(toErrorView(err).details).to.deep.equal({ reason: 'CIRCUIT_OPEN', retryAfterMs: 5_000, key: 'billing.query' });

    await s.clock.advance(2_000);
    expect(((await s.fail()) as CircuitOpenError).retryAfterMs).to.equal(3_000);
    await s.clock.advance(2_999);
    expect(((await s.fail()) as CircuitOpenError).retryAfterMs).to.equal(1);
    expect(s.breaker.snapshot()).to.include({ state: 'open', retryAfterMs: 1, rejected: 3 });
    expect(s.calls(), 'the call itself never ran').to.equal(before);
  });

  it('half-open - after halfOpenAfter, a trial success closes and resets the window', async () => {
    const s = setup();
    await trip(s);
    await s.clock.advance(4_999);
    expect(s.breaker.state()).to.equal('open');
    await s.clock.advance(1);
    expect(s.breaker.state()).to.equal('half-open');
    expect(s.changes.map((c) => `${c.from}>${c.to}`)).to.deep.equal(['closed>open', 'open>half-open']);

    expect(await s.ok()).to.equal('ok');
    expect(s.breaker.state()).to.equal('closed');
    expect(s.breaker.snapshot()).to.include({ total: 0, failures: 0 });
    expect(s.changes.map((c) => `${c.from}>${c.to}`)).to.deep.equal(['closed>open', 'open>half-open', 'half-open>closed']);
    // a fresh window: three failures are below minRequests again
    for (let i = 0; i < 3; i++) await s.fail();
    expect(s.breaker.state()).to.equal('closed');
  });

  it('half-open - a trial failure opens again for another halfOpenAfter', async () => {
    const s = setup();
    await trip(s);
    await s.clock.advance(5_000);
    const err = await s.fail();
    expect((err as GridbusError).errorCode, 'the trial error itself reaches the caller').to.equal('BACKEND_UNAVAILABLE');
    expect(s.breaker.state()).to.equal('open');
    expect(((await s.fail()) as CircuitOpenError).retryAfterMs).to.equal(5_000);
    expect(s.changes.map((c) => c.to)).to.deep.equal(['open', 'half-open', 'open']);
    await s.clock.advance(5_000);
    expect(s.breaker.state()).to.equal('half-open');
  });

  it('half-open - lets only halfOpenMaxCalls trial calls through at once', async () => {
    const s = setup({ halfOpenMaxCalls: 2 });
    await trip(s);
    await s.clock.advance(5_000);
    const t1 = deferred();
    const t2 = deferred();
    let started = 0;
    const p1 = s.breaker.execute(() => { started++; return t1.promise; });
    const p2 = s.breaker.execute(() => { started++; return t2.promise; });
    const refused = await s.breaker.execute(async () => { started++; return 'x'; }).catch((e: unknown) => e);
    expect(refused).to.be.instanceOf(CircuitOpenError);
    expect(started).to.equal(2);
    expect(s.breaker.snapshot()).to.include({ state: 'half-open', halfOpenInFlight: 2 });

    t1.resolve('first');
    expect(await p1).to.equal('first');
    expect(s.breaker.state()).to.equal('closed');
    // the other trial settles later under the new state and is simply counted
    t2.reject(down());
    await p2.catch(() => undefined);
    expect(s.breaker.snapshot()).to.include({ state: 'closed', failures: 1, total: 1 });
  });

  it('window - the rolling window forgets failures older than `window`', async () => {
    const s = setup();
    for (let i = 0; i < 3; i++) await s.fail();
    await s.clock.advance(9_000); // still inside the 10 s window
    expect(s.breaker.snapshot().failures).to.equal(3);
    await s.clock.advance(1_000); // the t=0 bucket has now left the window
    expect(s.breaker.snapshot()).to.include({ failures: 0, total: 0 });
    await s.fail();
    expect(s.breaker.state(), 'old failures no longer count').to.equal('closed');
    expect(s.breaker.snapshot()).to.include({ failures: 1, total: 1 });
  });

  it('window - failures inside the window still add up across buckets', async () => {
    const s = setup();
    for (let i = 0; i < 3; i++) {
      await s.fail();
      await s.clock.advance(3_000);
    }
    // failures at 0 s, 3 s, 6 s; now 9 s
    await s.fail();
    expect(s.breaker.state()).to.equal('open');
  });

  it('window - does not grow with traffic (fixed ring of buckets)', async () => {
    const s = setup({ minRequests: 1_000_000 });
    for (let i = 0; i < 2_000; i++) {
      await s.ok();
      await s.clock.advance(50);
    }
    // 100 s of traffic, 20 calls per second: only the last 10 s count
    expect(s.breaker.snapshot().total).to.be.within(180, 200);
  });

  it('failures - business errors do not count (they are answers)', async () => {
    const s = setup();
    for (let i = 0; i < 10; i++) {
      await s.fail(i % 2 ? notFound : () => new GridbusError('VALIDATION_FAILED', 'bad'));
    }
    expect(s.breaker.state()).to.equal('closed');
    expect(s.breaker.snapshot()).to.include({ failures: 0, successes: 10 });
  });

  it('failures - back-office failures, unknown errors and retryable errors count', async () => {
    for (const make of [
      () => new GridbusError('BACKEND_TIMEOUT', 't'),
      () => new GridbusError('BACKEND_FAULT', 'f'),
      () => new GridbusError('BACKEND_BAD_RESPONSE', 'b'),
      () => new GridbusError('INTERNAL', 'i'),
      () => new Error('plain'),
      () => new GridbusError('ACCOUNT_NOT_FOUND', 'marked retryable by the mapping', { retryable: true }),
    ]) {
      const s = setup({ minRequests: 1 });
      await s.fail(make);
      expect(s.breaker.state(), String((make() as Error).message)).to.equal('open');
    }
  });

  it('failures - the predicate is an option', async () => {
    const s = setup({ minRequests: 1, isFailure: (e) => (e as GridbusError).errorCode === 'ACCOUNT_NOT_FOUND' });
    await s.fail(down);
    expect(s.breaker.state()).to.equal('closed');
    await s.fail(notFound);
    expect(s.breaker.state()).to.equal('open');
  });

  it('outcomes - results of calls admitted before the circuit opened are ignored while open', async () => {
    const s = setup();
    const late = deferred();
    const pending = s.breaker.execute(() => late.promise);
    await trip(s);
    late.reject(down());
    await pending.catch(() => undefined);
    expect(s.breaker.state()).to.equal('open');
    expect(s.changes.map((c) => c.to)).to.deep.equal(['open']);
  });

  it('events - a throwing listener does not break calls', async () => {
    const clock = new FakeClock();
    const breaker = createCircuitBreaker({ minRequests: 1 }, { clock, onStateChange: () => { throw new Error('listener bug'); } });
    const err = await breaker.execute(async () => { throw down(); }).catch((e: unknown) => e);
    expect((err as GridbusError).errorCode).to.equal('BACKEND_UNAVAILABLE');
    expect(breaker.state()).to.equal('open');
  });

  it('reset/dispose - reset closes and clears; dispose cancels the half-open timer', async () => {
    const s = setup();
    await trip(s);
    expect(s.clock.pendingTimers()).to.equal(1);
    s.breaker.reset();
    expect(s.breaker.snapshot()).to.include({ state: 'closed', total: 0 });
    expect(s.clock.pendingTimers()).to.equal(0);
    await trip(s);
    s.breaker.dispose();
    expect(s.clock.pendingTimers()).to.equal(0);
    // still half-opens when asked after its time
    await s.clock.advance(5_000);
    expect(s.breaker.state()).to.equal('half-open');
  });

  it('options - refuses impossible settings', () => {
    expect(() => createCircuitBreaker({ failureRatio: 1.5 })).to.throw(RangeError, /failureRatio/);
    expect(() => createCircuitBreaker({ minRequests: 0 })).to.throw(RangeError, /minRequests/);
    expect(() => createCircuitBreaker({ window: 0 })).to.throw(RangeError, /window/);
    expect(() => createCircuitBreaker({ halfOpenMaxCalls: 0 })).to.throw(RangeError, /halfOpenMaxCalls/);
  });

  it('calls - a synchronous throw is recorded like a rejection', async () => {
    const s = setup({ minRequests: 1 });
    const b: CircuitBreaker = s.breaker;
    const err = await b.execute((() => { throw down(); }) as () => Promise<never>).catch((e: unknown) => e);
    expect((err as GridbusError).errorCode).to.equal('BACKEND_UNAVAILABLE');
    await flushMicrotasks();
    expect(b.state()).to.equal('open');
  });
});
