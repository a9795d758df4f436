import { expect } from 'chai';
import { GridbusError } from '../../../../core/errors';
import {
  AttemptContext, BulkheadFullError, CircuitState, FakeClock, createCircuitBreaker, createResiliencePolicy, flushMicrotasks,
} from '../../../../core/resilience';

const down = () => new GridbusError('BACKEND_UNAVAILABLE', 'down');

describe('core/resilience - policy', () => {
  it('compose - each attempt gets its own signal, deadline and number; timeouts are retried and counted by the breaker', async () => {
    const clock = new FakeClock();
    const policy = createResiliencePolicy(
      { timeout: 1_000, retries: { max: 2, backoff: 'fixed', base: 50 }, breaker: { minRequests: 10 } },
      { key: 'billing.query', clock, idempotent: true },
    );
    const seen: AttemptContext[] = [];
    const p = policy.execute((ctx) => {
      seen.push(ctx);
      return ctx.attempt < 3 ? new Promise<string>(() => undefined) : Promise.resolve(`ok@${ctx.attempt}`);
    });
    await clock.advance(1_000); // attempt 1 times out
    expect(seen[0].signal.aborted).to.equal(true);
    await clock.advance(50 + 1_000); // attempt 2 starts, times out
    await clock.advance(50); // attempt 3 starts and answers
    expect(await p).to.equal('ok@3');
    expect(seen.map((a) => [a.attempt, a.timeoutMs, a.signal.aborted])).to.deep.equal([[1, 1_000, true], [2, 1_000, true], [3, 1_000, false]]);
    expect(new Set(seen.map((a) => a.signal)).size).to.equal(3);
    expect(policy.snapshot().breaker).to.include({ failures: 2, successes: 1, total: 3 });
    expect(policy.timeoutMs).to.equal(1_000);
    policy.dispose();
  });

  it('compose - the bulkhead is outermost: a slot is held through retry waits', async () => {
    const clock = new FakeClock();
    const policy = createResiliencePolicy(
      { retries: { max: 1, base: 500 }, bulkhead: { concurrency: 1, queue: 1 } },
      { key: 'billing.query', clock, idempotent: true },
    );
    const log: string[] = [];
    const a = policy.execute(async (ctx) => { log.push(`a${ctx.attempt}@${clock.now()}`); if (ctx.attempt === 1) throw down(); return 'a'; });
    const b = policy.execute(async (ctx) => { log.push(`b${ctx.attempt}@${clock.now()}`); return 'b'; });
    const c = await policy.execute(async () => 'c').catch((e: unknown) => e);
    expect(c).to.be.instanceOf(BulkheadFullError);
    await flushMicrotasks();
    expect(policy.snapshot().bulkhead).to.include({ running: 1, queued: 1 });
    await clock.advance(499);
    expect(log).to.deep.equal(['a1@0']);
    await clock.advance(1);
    expect(await a).to.equal('a');
    expect(await b).to.equal('b');
    expect(log).to.deep.equal(['a1@0', 'a2@500', 'b1@500']);
  });

  it('compose - without options the call just runs (one attempt, a signal, no timers)', async () => {
    const clock = new FakeClock();
    const policy = createResiliencePolicy({}, { key: 'x', clock, idempotent: true });
    let n = 0;
    const err = await policy.execute(async () => { n++; throw down(); }).catch((e: unknown) => e);
    expect(n).to.equal(1);
    expect((err as GridbusError).errorCode).to.equal('BACKEND_UNAVAILABLE');
    expect(policy.breaker).to.equal(undefined);
    expect(policy.bulkhead).to.equal(undefined);
    expect(policy.timeoutMs).to.equal(undefined);
    expect(policy.snapshot()).to.deep.equal({ key: 'x' });
    expect(clock.pendingTimers()).to.equal(0);
  });

  it('compose - `false` switches a policy off', async () => {
    const policy = createResiliencePolicy({ timeout: false, retries: false, breaker: false, bulkhead: false }, { key: 'x', clock: new FakeClock(), idempotent: true });
    expect(policy.snapshot()).to.deep.equal({ key: 'x' });
    let n = 0;
    await policy.execute(async () => { n++; throw down(); }).catch(() => undefined);
    expect(n).to.equal(1);
  });

  it('idempotent - the per-call flag overrides the policy default', async () => {
    const clock = new FakeClock();
    const policy = createResiliencePolicy({ retries: { max: 2, base: 10 } }, { key: 'x', clock });
    let n = 0;
    const fn = async () => { n++; throw down(); };
    await policy.execute(fn).catch(() => undefined);
    expect(n, 'not idempotent by default').to.equal(1);
    const p = policy.execute(fn, { idempotent: true }).catch(() => undefined);
    await clock.advance(1_000);
    await p;
    expect(n).to.equal(1 + 3);
  });

  it('breaker - events reach onStateChange with the policy key; a shared breaker is used as is', async () => {
    const clock = new FakeClock();
    const events: Array<[CircuitState, CircuitState, string]> = [];
    const policy = createResiliencePolicy(
      { breaker: { minRequests: 1, halfOpenAfter: 1_000 } },
      { key: 'billing.query', clock, onStateChange: (from, to, info) => events.push([from, to, info.key]) },
    );
    await policy.execute(async () => { throw down(); }).catch(() => undefined);
    await clock.advance(1_000);
    expect(events).to.deep.equal([['closed', 'open', 'billing.query'], ['open', 'half-open', 'billing.query']]);
    policy.dispose();

    const shared = createCircuitBreaker({ minRequests: 1 }, { key: 'endpoint:marketing', clock });
    const p1 = createResiliencePolicy({}, { key: 'marketing.a', clock, breaker: shared });
    const p2 = createResiliencePolicy({ breaker: { minRequests: 99 } }, { key: 'marketing.b', clock, breaker: shared });
    await p1.execute(async () => { throw down(); }).catch(() => undefined);
    const refused = await p2.execute(async () => 'never').catch((e: unknown) => e);
    expect((refused as GridbusError).data).to.include({ reason: 'CIRCUIT_OPEN', key: 'endpoint:marketing' });
    p2.dispose();
    expect(clock.pendingTimers(), 'dispose leaves a shared breaker alone').to.equal(1);
    shared.dispose();
  });

  it('retry - onRetry reports attempts with the policy key', async () => {
    const clock = new FakeClock();
    const seen: string[] = [];
    const policy = createResiliencePolicy(
      { retries: { max: 2, base: 100 } },
      { key: 'billing.query', clock, idempotent: true, onRetry: (i) => seen.push(`${i.key} ${i.attempt}/${i.attempts} +${i.delayMs}`) },
    );
    const p = policy.execute(async () => { throw down(); }).catch(() => undefined);
    await clock.advance(1_000);
    await p;
    expect(seen).to.deep.equal(['billing.query 1/3 +100', 'billing.query 2/3 +200']);
  });

  it("retry - a call's own onRetry hears of its retries only (each log line names its own request)", async () => {
    const clock = new FakeClock();
    const policy = createResiliencePolicy({ retries: { max: 1, base: 100 } }, { key: 'billing.query', clock, idempotent: true });
    const seen: string[] = [];
    let attempts = 0;
    const failing = policy.execute(async () => { throw down(); }, { onRetry: (i) => seen.push(`req-1 ${i.key} ${i.attempt}/${i.attempts}`) }).catch(() => undefined);
    const passing = policy.execute(async () => (++attempts, 'ok'), { onRetry: () => seen.push('req-2 retried') });
    await clock.advance(1_000);
    await failing;
    expect(await passing).to.equal('ok');
    expect(seen).to.deep.equal(['req-1 billing.query 1/2']);
  });
});

