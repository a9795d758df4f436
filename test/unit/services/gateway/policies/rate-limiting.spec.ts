import { expect } from 'chai';
import { FakeClock } from '../../../../../core/resilience';
import { LocalStore } from '../../../../../core/shared-store';
import { createRateLimiting } from '../../../../../services/gateway/policies/rate-limiting';
import { FakeRes } from './fakes';

function setup(options: Parameters<typeof createRateLimiting>[0]) {
  const clock = new FakeClock(1_699_999_980_000); // on a minute boundary
  const store = new LocalStore({ clock });
  const limit = createRateLimiting(options, 'api', { store: () => store, clock });
  const call = async (who: { userId: string | null; clientIp: string } = { userId: 'u-1', clientIp: '203.0.113.7' }) => {
    const res = new FakeRes();
    const refused = await limit(who, res.res);
    return { refused, res };
  };
  return { clock, store, call, limit };
}

describe('gateway/policies - rate limiting', () => {
  it('per consumer - counts each user; over the limit 429 RATE_LIMITED with Retry-After until the window resets', async () => {
    const s = setup({ minute: 3 });
    for (let i = 0; i < 3; i++) expect((await s.call()).refused).to.equal(null);
    await s.clock.advance(20_000);
    const over = await s.call();
    expect(over.refused).to.deep.equal({ code: 'RATE_LIMITED', status: 429, message: 'API rate limit exceeded: slow down and retry later', retryAfterS: 40 });
    expect((await s.call({ userId: 'u-2', clientIp: '203.0.113.7' })).refused, 'another user, same address').to.equal(null);
    await s.clock.advance(40_000);
    expect((await s.call()).refused, 'next window').to.equal(null);
  });

  it('headers - RateLimit-Limit/-Remaining/-Reset and Kong X-RateLimit-*-<Unit> on every answer', async () => {
    const s = setup({ minute: 3 });
    await s.clock.advance(15_000);
    const { res } = await s.call();
    expect(Object.fromEntries(res.headers)).to.deep.equal({
      'ratelimit-limit': '3',
      'ratelimit-remaining': '2',
      'ratelimit-reset': '45',
      'x-ratelimit-limit-minute': '3',
      'x-ratelimit-remaining-minute': '2',
    });
    for (let i = 0; i < 3; i++) await s.call();
    expect((await s.call()).res.getHeader('RateLimit-Remaining'), 'never negative').to.equal('0');
  });

  it('several windows - the tightest is reported; Retry-After waits for every exceeded window', async () => {
    const s = setup({ second: 2, minute: 3 });
    expect((await s.call()).refused).to.equal(null);
    const second = await s.call();
    expect(second.res.getHeader('RateLimit-Limit'), 'second and minute both have 1 left: the first listed').to.equal('2');
    await s.clock.advance(1_000);
    const third = await s.call();
    expect(third.refused).to.equal(null);
    expect(third.res.getHeader('RateLimit-Limit')).to.equal('3');
    expect(third.res.getHeader('X-RateLimit-Remaining-Second')).to.equal('1');
    expect(third.res.getHeader('X-RateLimit-Remaining-Minute')).to.equal('0');
    expect((await s.call()).refused?.retryAfterS).to.equal(59);
  });

  it('limitBy ip - counts the address, whoever the user', async () => {
    const s = setup({ minute: 2, limitBy: 'ip' });
    await s.call({ userId: 'a', clientIp: '198.51.100.1' });
    await s.call({ userId: 'b', clientIp: '198.51.100.1' });
    expect((await s.call({ userId: 'c', clientIp: '198.51.100.1' })).refused?.code).to.equal('RATE_LIMITED');
    expect((await s.call({ userId: 'c', clientIp: '198.51.100.2' })).refused).to.equal(null);
  });

  it('anonymous callers of a consumer limit - counted by address', async () => {
    const s = setup({ minute: 1 });
    await s.call({ userId: null, clientIp: '198.51.100.1' });
    expect((await s.call({ userId: null, clientIp: '198.51.100.1' })).refused?.code).to.equal('RATE_LIMITED');
  });

  it('hideClientHeaders - no headers, still limits', async () => {
    const s = setup({ minute: 1, hideClientHeaders: true });
    await s.call();
    const over = await s.call();
    expect(over.refused?.code).to.equal('RATE_LIMITED');
    expect(over.res.headers.size).to.equal(0);
  });

  it('two gateway nodes sharing the store - one limit', async () => {
    const s = setup({ minute: 2 });
    const other = createRateLimiting({ minute: 2 }, 'api', { store: () => s.store, clock: s.clock });
    await s.call();
    await other({ userId: 'u-1', clientIp: '10.0.0.1' }, new FakeRes().res);
    expect((await s.call()).refused?.code).to.equal('RATE_LIMITED');
  });
});
