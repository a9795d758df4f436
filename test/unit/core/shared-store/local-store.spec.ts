import { expect } from 'chai';
import { FakeClock } from '../../../../core/resilience';
import { LocalStore, counterBucket, encodeKey, maskNatsUrl, slidingCount, windowStart } from '../../../../core/shared-store';
import { natsServerOptions } from '../../../../core/shared-store/nats-kv-store';

describe('core/shared-store - local store', () => {
  let clock: FakeClock;
  let store: LocalStore;

  beforeEach(() => {
    clock = new FakeClock(1_000_000_000); // 40 s into a minute window
    store = new LocalStore({ clock, maxKeys: 50, sweepIntervalMs: 10_000 });
  });

  afterEach(() => store.close());

  it('incr - counts per fixed window aligned on the epoch and says when it resets', async () => {
    expect(await store.incr('ip:1.2.3.4', 60_000)).to.deep.equal({ count: 1, previous: 0, resetAt: 1_000_020_000, windowMs: 60_000 });
    expect((await store.incr('ip:1.2.3.4', 60_000)).count).to.equal(2);
    expect((await store.incr('ip:5.6.7.8', 60_000)).count, 'another key').to.equal(1);
    expect((await store.incr('ip:1.2.3.4', 1_000)).count, 'another window length').to.equal(1);
  });

  it('incr - a new window starts at 1 and reports the previous window', async () => {
    for (let i = 0; i < 5; i++) await store.incr('k', 60_000);
    await clock.advance(20_000); // 1_000_020_000: the next window
    expect(await store.incr('k', 60_000)).to.include({ count: 1, previous: 5, resetAt: 1_000_080_000 });
    await clock.advance(120_000); // two windows on: nothing before
    expect(await store.incr('k', 60_000)).to.include({ count: 1, previous: 0 });
  });

  it('get/set - a value lives for its TTL', async () => {
    await store.set('ban:1.2.3.4', '42', 5_000);
    expect(await store.get('ban:1.2.3.4')).to.equal('42');
    await clock.advance(4_999);
    expect(await store.get('ban:1.2.3.4')).to.equal('42');
    await clock.advance(1);
    expect(await store.get('ban:1.2.3.4')).to.equal(null);
    expect(await store.get('never-set')).to.equal(null);
  });

  it('delete - removes a value', async () => {
    await store.set('a', '1', 5_000);
    await store.delete('a');
    expect(await store.get('a')).to.equal(null);
  });

  it('sweep - the timer drops expired entries and re-arms', async () => {
    await store.set('a', '1', 1_000);
    await store.set('b', '1', 60_000);
    expect(store.size).to.equal(2);
    await clock.advance(10_000);
    expect(store.size).to.equal(1);
    await store.set('c', '1', 1_000);
    await clock.advance(10_000);
    expect(store.size).to.equal(1);
    expect(clock.pendingTimers()).to.equal(1);
  });

  it('bounded - a flood of distinct keys evicts the oldest instead of growing', async () => {
    await store.set('first', 'x', 60_000);
    for (let i = 0; i < 200; i++) await store.incr(`ip:10.0.0.${i}`, 60_000);
    expect(store.size).to.be.at.most(50);
    expect(await store.get('first')).to.equal(null);
    expect((await store.incr('ip:10.0.0.199', 60_000)).count, 'the newest survive').to.equal(2);
  });

  it('close - stops the sweep timer', async () => {
    await store.close();
    expect(clock.pendingTimers()).to.equal(0);
  });
});

describe('core/shared-store - windows and keys', () => {
  it('windowStart - floors to the window', () => {
    expect(windowStart(125_000, 60_000)).to.equal(120_000);
    expect(windowStart(120_000, 60_000)).to.equal(120_000);
  });

  it('slidingCount - weighs the previous window by its overlap with the sliding window', () => {
    const w = { count: 4, previous: 10, resetAt: 120_000, windowMs: 60_000 };
    expect(slidingCount(w, 60_000)).to.equal(14); // window just began: all of the previous one counts
    expect(slidingCount(w, 90_000)).to.equal(9); // half way: half of it
    expect(slidingCount(w, 119_999)).to.be.closeTo(4, 0.001);
  });

  it('encodeKey - keeps plain parts readable and makes every other part a safe token, one-to-one', () => {
    expect(encodeKey('rl:api:minute:user:u-7')).to.equal('rl.api.minute.user.u-7');
    const v4 = encodeKey('ban:203.0.113.7');
    const v6 = encodeKey('ban:2001:db8::1');
    for (const k of [v4, v6, encodeKey('user:张三'), encodeKey('x:a.b'), encodeKey('x:')]) expect(k).to.match(/^[-/_=.A-Za-z0-9]+$/);
    expect(encodeKey('x:a.b')).to.not.equal(encodeKey('x:a:b'));
    expect(encodeKey('x:=YQ')).to.not.equal(encodeKey('x:a'));
  });

  it('counterBucket - groups windows by TTL class: twice the window, a power of two seconds', () => {
    expect(counterBucket(1_000)).to.equal('gridbus-counters-2s');
    expect(counterBucket(60_000)).to.equal('gridbus-counters-128s');
    expect(counterBucket(3_600_000)).to.equal('gridbus-counters-8192s');
  });

  it('maskNatsUrl - credentials in NATS URLs never reach health details or logs', () => {
    expect(maskNatsUrl('nats://gw:s3cret@10.0.0.1:4222,nats://tok3n@10.0.0.2:4222,nats://10.0.0.3:4222')).to.equal(
      'nats://gw:***@10.0.0.1:4222,nats://***@10.0.0.2:4222,nats://10.0.0.3:4222',
    );
  });

  it('natsServerOptions - credentials of NATS URLs reach nats.js as user/pass or token (it ignores them in the URL)', () => {
    expect(natsServerOptions('nats://gw:s%40cret@10.0.0.1:4222, nats://10.0.0.2:4222')).to.deep.equal({
      servers: ['nats://10.0.0.1:4222', 'nats://10.0.0.2:4222'],
      user: 'gw',
      pass: 's@cret',
    });
    expect(natsServerOptions('nats://tok3n@10.0.0.1:4222')).to.deep.equal({ servers: ['nats://10.0.0.1:4222'], token: 'tok3n' });
    expect(natsServerOptions('nats://127.0.0.1:4222')).to.deep.equal({ servers: ['nats://127.0.0.1:4222'] });
  });
});
