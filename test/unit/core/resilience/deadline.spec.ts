import { expect } from 'chai';
import { GridbusError } from '../../../../core/errors';
import { callDeadline } from '../../../../core/operations';
import { AttemptContext, FakeClock, budgetWarning, createResiliencePolicy, createRetry, createTimeout, resilienceBudgetMs } from '../../../../core/resilience';

const hang = () => new Promise<string>(() => undefined);

describe('core/resilience - the deadline a call carries', () => {
  it('timeout - an attempt is cut short at the deadline when that comes before its own timeout', async () => {
    const clock = new FakeClock(1_000);
    const timeout = createTimeout({ timeout: 5_000 }, { key: 'crm.lookup', clock });
    let seen: AttemptContext | undefined;
    const p = timeout.execute((ctx) => { seen = ctx; return hang(); }, 1, 1_000 + 1_200).catch((e: unknown) => e);
    expect(seen!.timeoutMs, 'the client is told the shorter limit').to.equal(1_200);
    await clock.advance(1_200);
    const err = (await p) as GridbusError;
    expect(err.errorCode).to.equal('BACKEND_TIMEOUT');
    expect(err.message).to.equal("crm.lookup: no answer within 1200 ms (attempt 1, cut short by the caller's deadline)");
    expect(err.data).to.include({ timeoutMs: 1_200, attempt: 1, cappedByDeadline: true });
  });

  it('timeout - a deadline applies even when attempts have no timeout of their own; one already past refuses at once', async () => {
    const clock = new FakeClock();
    const none = createTimeout({}, { clock });
    const p = none.execute(() => hang(), 1, 300).catch((e: unknown) => e);
    await clock.advance(300);
    expect(((await p) as GridbusError).errorCode).to.equal('BACKEND_TIMEOUT');
    let called = false;
    const past = await none.execute(async () => { called = true; return 'x'; }, 2, 0).catch((e: unknown) => e);
    expect((past as GridbusError).message).to.match(/deadline passed before attempt 2/);
    expect(called).to.equal(false);
  });

  it('retry - no retry starts that could not run before the deadline', async () => {
    const clock = new FakeClock();
    const retry = createRetry({ max: 3, backoff: 'fixed', base: 200 }, { clock });
    const attempts: number[] = [];
    const p = retry.execute(async (n) => { attempts.push(n); throw new GridbusError('BACKEND_UNAVAILABLE', `down ${n}`); }, { idempotent: true, deadline: 300 }).catch((e: unknown) => e);
    await clock.advance(1_000);
    expect(attempts, 'the second would start at 200 ms with 100 ms left; the third not at all').to.deep.equal([1, 2]);
    expect(((await p) as Error).message).to.equal('down 2');
  });

  it('policy - the issue: 5 s × 2 attempts + 200 ms backoff against a 9.5 s deadline ends with BACKEND_TIMEOUT at the deadline', async () => {
    const clock = new FakeClock();
    const policy = createResiliencePolicy({ timeout: 5_000, retries: { max: 1 } }, { key: 'marketing.queryArrears', clock, idempotent: true });
    const limits: Array<number | undefined> = [];
    let settledAt = -1;
    const p = policy.execute((ctx) => { limits.push(ctx.timeoutMs); return hang(); }, { deadline: 9_500 }).catch((e: unknown) => { settledAt = clock.now(); return e; });
    await clock.advance(10_500);
    const err = (await p) as GridbusError;
    expect(err.errorCode).to.equal('BACKEND_TIMEOUT');
    expect(settledAt).to.equal(9_500);
    expect(limits).to.deep.equal([5_000, 4_300]);
  });

  it('budget - attempts × timeout + full backoff, and a warning naming the fix when it exceeds the request timeout', () => {
    expect(resilienceBudgetMs({ timeout: 5_000, retries: { max: 1 } }, true)).to.equal(10_200);
    expect(resilienceBudgetMs({ timeout: 5_000, retries: { max: 1 } }, false), 'never retried').to.equal(5_000);
    expect(resilienceBudgetMs({ timeout: 1_000, retries: { max: 3, base: 100, maxDelay: 250 } }, true)).to.equal(4_000 + 100 + 200 + 250);
    expect(resilienceBudgetMs({ timeout: false }, true)).to.equal(undefined);
    expect(budgetWarning('marketing.queryArrears', { timeout: 4_500, retries: { max: 1 } }, true, 10_000)).to.equal(null);
    expect(budgetWarning('marketing.queryArrears', { timeout: 5_000, retries: { max: 1 } }, true, 10_000)).to.equal(
      "marketing.queryArrears: 2 attempt(s) of 5000 ms plus backoff can take 10200 ms, more than the request timeout (REQUEST_TIMEOUT_MS 10000 ms); " +
        "the call is cut at the caller's deadline with BACKEND_TIMEOUT. Lower resilience.timeout or retries so that attempts × timeout + backoff fits",
    );
  });

  it('callDeadline - the time the Moleculer context still has, less a reserve to answer; none without a timeout', () => {
    const startHrTime = process.hrtime();
    const d = callDeadline({ options: { timeout: 10_000 }, startHrTime }, 1_000_000);
    expect(d).to.be.within(1_000_000 + 9_500 - 50, 1_000_000 + 9_500);
    expect(callDeadline({ options: { timeout: 2_000 } }, 0), 'a tenth of a short limit').to.equal(1_800);
    expect(callDeadline({ options: { timeout: 0 } })).to.equal(undefined);
    expect(callDeadline({})).to.equal(undefined);
  });
});
