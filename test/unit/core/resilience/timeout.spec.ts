import { expect } from 'chai';
import { GridbusError } from '../../../../core/errors';
import { AttemptContext, FakeClock, createTimeout, flushMicrotasks } from '../../../../core/resilience';

describe('core/resilience - timeout', () => {
  it('deadline - a call that does not settle in time fails with BACKEND_TIMEOUT and its signal is aborted', async () => {
    const clock = new FakeClock();
    const timeout = createTimeout({ timeout: 3_000 }, { key: 'billing.query', clock });
    let seen: AttemptContext | undefined;
    let settled: unknown;
    timeout
      .execute((ctx) => { seen = ctx; return new Promise<string>(() => undefined); }, 2)
      .catch((e: unknown) => { settled = e; });
    await flushMicrotasks();
    expect(seen).to.include({ timeoutMs: 3_000, attempt: 2 });
    expect(seen!.signal.aborted).to.equal(false);

    await clock.advance(2_999);
    expect(settled).to.equal(undefined);
    await clock.advance(1);
    expect(settled).to.be.instanceOf(GridbusError);
    const err = settled as GridbusError;
    expect(err.errorCode).to.equal('BACKEND_TIMEOUT');
    expect(err.status).to.equal(504);
    expect(err.retryable).to.equal(true);
    expect(err.data).to.include({ timeoutMs: 3_000, attempt: 2 });
    expect(seen!.signal.aborted).to.equal(true);
    expect(seen!.signal.reason).to.equal(err);
  });

  it('deadline - the late rejection of an aborted call is swallowed', async () => {
    const clock = new FakeClock();
    const timeout = createTimeout({ timeout: 100 }, { clock });
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const p = timeout.execute(({ signal }) => new Promise<string>((_, reject) => {
        signal.addEventListener('abort', () => reject(new Error('aborted by signal')));
      }), 1).catch((e: unknown) => e);
      await clock.advance(100);
      expect(((await p) as GridbusError).errorCode).to.equal('BACKEND_TIMEOUT');
      await flushMicrotasks();
      expect(unhandled).to.deep.equal([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('in time - the value (or error) passes through and the timer is cleared', async () => {
    const clock = new FakeClock();
    const timeout = createTimeout({ timeout: 1_000 }, { clock });
    let signal: AbortSignal | undefined;
    expect(await timeout.execute(async (ctx) => { signal = ctx.signal; return 42; }, 1)).to.equal(42);
    expect(clock.pendingTimers()).to.equal(0);
    expect(signal!.aborted).to.equal(false);
    const err = await timeout.execute(async () => { throw new GridbusError('ACCOUNT_NOT_FOUND', 'n'); }, 1).catch((e: unknown) => e);
    expect((err as GridbusError).errorCode).to.equal('ACCOUNT_NOT_FOUND');
    expect(clock.pendingTimers()).to.equal(0);
  });

  it('none - without a deadline the attempt still gets a signal, and no timer runs', async () => {
    const clock = new FakeClock();
    const timeout = createTimeout({}, { clock });
    let seen: AttemptContext | undefined;
    const p = timeout.execute(async (ctx) => { seen = ctx; return 'ok'; }, 1);
    expect(clock.pendingTimers()).to.equal(0);
    expect(await p).to.equal('ok');
    expect(seen!.signal).to.be.instanceOf(AbortSignal);
    expect(seen!.timeoutMs).to.equal(undefined);
  });

  it('options - refuses a non-positive deadline', () => {
    expect(() => createTimeout({ timeout: 0 })).to.throw(RangeError, /timeout/);
  });
});
