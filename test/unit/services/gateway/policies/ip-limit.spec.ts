import { expect } from 'chai';
import { FakeClock } from '../../../../../core/resilience';
import { LocalStore } from '../../../../../core/shared-store';
import { BanBook, BanEvent, createIpLimit } from '../../../../../services/gateway/policies/ip-limit';

const OPTIONS = { threshold: 5, window: 60, banSeconds: 10, maxBanSeconds: 25, forgetAfter: 3600 };

function setup(options = OPTIONS) {
  const clock = new FakeClock(1_699_999_980_000); // on a minute boundary
  const store = new LocalStore({ clock });
  const bans = new BanBook(() => store, clock);
  const events: BanEvent[] = [];
  const limit = createIpLimit(options, 'gateway', { store: () => store, bans, clock });
  const hit = (ip = '203.0.113.7') => limit(ip, (e) => events.push(e));
  return { clock, store, bans, events, hit, limit };
}

describe('gateway/policies - IP high-frequency control', () => {
  it('lets an IP through up to the threshold, then bans it: 429 IP_BANNED with Retry-After, audited once', async () => {
    const s = setup();
    for (let i = 0; i < 5; i++) expect(await s.hit()).to.equal(null);
    const refused = await s.hit();
    expect(refused).to.deep.equal({
      code: 'IP_BANNED',
      status: 429,
      message: 'Too many requests from your address: it is blocked for a while',
      retryAfterS: 10,
    });
    expect(s.events).to.deep.equal([{ ip: '203.0.113.7', banSeconds: 10, offences: 1, count: 6, threshold: 5, window: 60, scope: 'gateway' }]);
    expect(await s.hit('198.51.100.1'), 'other addresses are not affected').to.equal(null);
  });

  it('while banned - refused without counting, Retry-After counting down; served again after the ban', async () => {
    const s = setup();
    for (let i = 0; i < 6; i++) await s.hit();
    await s.clock.advance(4_000);
    expect((await s.hit())?.retryAfterS).to.equal(6);
    await s.clock.advance(6_000);
    expect(await s.hit(), 'the count starts afresh after a ban').to.equal(null);
    expect(s.events).to.have.length(1);
  });

  it('repeat offences - the ban doubles up to maxBanSeconds; offences are remembered forgetAfter', async () => {
    const s = setup();
    const offend = async () => {
      let r = null;
      for (let i = 0; i < 6 && !r; i++) r = await s.hit();
      return r;
    };
    expect((await offend())?.retryAfterS).to.equal(10);
    await s.clock.advance(10_000);
    expect((await offend())?.retryAfterS).to.equal(20);
    await s.clock.advance(20_000);
    expect((await offend())?.retryAfterS, 'capped at maxBanSeconds').to.equal(25);
    expect(s.events.map((e) => [e.offences, e.banSeconds])).to.deep.equal([
      [1, 10],
      [2, 20],
      [3, 25],
    ]);
    await s.clock.advance(3_600_000);
    expect((await offend())?.retryAfterS, 'forgotten after forgetAfter').to.equal(10);
  });

  it('sliding window - a burst at the end of one window and the start of the next is still one burst', async () => {
    const s = setup();
    await s.clock.advance(55_000);
    for (let i = 0; i < 4; i++) expect(await s.hit()).to.equal(null);
    await s.clock.advance(10_000); // next fixed window, 5 s in: the previous one weighs 55/60
    expect(await s.hit()).to.equal(null); // 1 + 4 × 0.92 = 4.7
    expect((await s.hit())?.code).to.equal('IP_BANNED'); // 2 + 3.7 = 5.7
  });

  it('sliding window - hits spread out are forgotten', async () => {
    const s = setup();
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 4; i++) expect(await s.hit()).to.equal(null);
      await s.clock.advance(120_000);
    }
  });

  it('a ban made by one node holds on another sharing the store', async () => {
    const s = setup();
    for (let i = 0; i < 6; i++) await s.hit();
    const otherNode = createIpLimit(OPTIONS, 'gateway', { store: () => s.store, bans: new BanBook(() => s.store, s.clock), clock: s.clock });
    expect((await otherNode('203.0.113.7'))?.code).to.equal('IP_BANNED');
  });

  it('lists the addresses banned now, and an operator lifts a ban: served again, counting afresh, offences kept', async () => {
    const s = setup();
    for (let i = 0; i < 6; i++) await s.hit();
    for (let i = 0; i < 6; i++) await s.hit('198.51.100.9');
    await s.clock.advance(1_000);
    expect((await s.bans.banned()).map((b) => [b.ip, b.offences])).to.deep.equal([
      ['203.0.113.7', 1],
      ['198.51.100.9', 1],
    ]);
    expect(await s.bans.lift('203.0.113.7', OPTIONS.forgetAfter)).to.equal(true);
    expect(await s.bans.lift('203.0.113.7', OPTIONS.forgetAfter), 'not banned any more').to.equal(false);
    expect((await s.bans.banned()).map((b) => b.ip)).to.deep.equal(['198.51.100.9']);
    for (let i = 0; i < 5; i++) expect(await s.hit(), 'counted afresh after the lift').to.equal(null);
    expect((await s.hit())?.retryAfterS, 'a repeat offence still bans for longer').to.equal(20);
  });

  it('asks the store about an address at most once per recheck interval, however many requests come meanwhile', async () => {
    const clock = new FakeClock(1_699_999_980_000);
    const store = new LocalStore({ clock });
    let gets = 0;
    const counting = Object.assign(Object.create(store), { get: (key: string) => (gets++, store.get(key)) });
    const bans = new BanBook(() => counting, clock, { recheckMs: 100 });
    await Promise.all(Array.from({ length: 20 }, () => bans.record('203.0.113.7')));
    expect(gets, 'concurrent first lookups share one').to.equal(1);
    for (let i = 0; i < 20; i++) await bans.record('203.0.113.7');
    expect(gets, 'within the interval: from memory').to.equal(1);
    await clock.advance(150);
    await Promise.all(Array.from({ length: 20 }, () => bans.record('203.0.113.7')));
    expect(gets, 'after it: one refresh').to.equal(2);

    // another node bans the address: seen here by the next refresh
    await store.set('ban:203.0.113.7', `${clock.now() + 60_000}:1`, 60_000);
    await clock.advance(150);
    await bans.record('203.0.113.7');
    await Promise.resolve();
    expect((await bans.record('203.0.113.7')).until).to.be.greaterThan(clock.now());
  });
});

