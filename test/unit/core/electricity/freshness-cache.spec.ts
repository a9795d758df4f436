import { expect } from 'chai';
import { parseCacheTtl } from '../../../../core/electricity/cache-ttl';
import { FreshnessCache } from '../../../../core/electricity/freshness-cache';

describe('electricity freshness cache - back-office answers kept per operation, with their age', () => {
  let now = Date.parse('2026-03-01T00:00:00Z');
  const clock = () => now;

  it('cache - a second call within the TTL is cached with the first answer time; after the TTL the back office is asked again', async () => {
    const cache = new FreshnessCache({ 'marketing.getBalance': 30 }, 100, clock);
    let calls = 0;
    const load = async () => ({ balanceFen: ++calls });
    const first = await cache.get('marketing.getBalance', '3301000001', load);
    expect(first).to.deep.equal({ value: { balanceFen: 1 }, asOf: '2026-03-01T00:00:00.000Z', cached: false });
    now += 29_999;
    expect(await cache.get('marketing.getBalance', '3301000001', load)).to.deep.equal({ value: { balanceFen: 1 }, asOf: '2026-03-01T00:00:00.000Z', cached: true });
    now += 1;
    const third = await cache.get('marketing.getBalance', '3301000001', load);
    expect(third).to.deep.equal({ value: { balanceFen: 2 }, asOf: '2026-03-01T00:00:30.000Z', cached: false });
  });

  it('cache - keys and operations are apart; TTL 0 (or an operation without one) is never kept', async () => {
    const cache = new FreshnessCache({ 'marketing.listBills': 300, 'marketing.getBill': 0 }, 100, clock);
    let calls = 0;
    const load = async () => ++calls;
    await cache.get('marketing.listBills', 'a', load);
    expect((await cache.get('marketing.listBills', 'b', load)).value).to.equal(2);
    expect((await cache.get('marketing.getBill', 'a', load)).cached).to.equal(false);
    expect((await cache.get('marketing.getBill', 'a', load)).value).to.equal(4);
    expect((await cache.get('marketing.other', 'a', load)).cached).to.equal(false);
    expect(cache.size).to.equal(2);
  });

  it('cache - drop forgets an answer, and a load under way when it is dropped does not store its older answer', async () => {
    const cache = new FreshnessCache({ 'marketing.getEBillSubscription': 60 }, 100, clock);
    let subscribed = false;
    await cache.get('marketing.getEBillSubscription', 'a', async () => subscribed);
    subscribed = true;
    cache.drop('marketing.getEBillSubscription', 'a');
    expect((await cache.get('marketing.getEBillSubscription', 'a', async () => subscribed)).value).to.equal(true);

    let release!: (v: boolean) => void;
    const slow = cache.get('marketing.getEBillSubscription', 'b', () => new Promise<boolean>((r) => (release = r)));
    cache.drop('marketing.getEBillSubscription', 'b');
    release(false);
    expect((await slow).value).to.equal(false);
    expect((await cache.get('marketing.getEBillSubscription', 'b', async () => true)).value, 'the stale answer was not kept').to.equal(true);
  });

  it('cache - variants of one request are kept apart (an answer of before a change never stands in after it); drop forgets every variant', async () => {
    const cache = new FreshnessCache({ 'marketing.getEBillSubscription': 60 }, 100, clock);
    await cache.get('marketing.getEBillSubscription', 'a', async () => 'before', 'applied:0');
    expect((await cache.get('marketing.getEBillSubscription', 'a', async () => 'after', 'applied:7')).value).to.equal('after');
    expect((await cache.get('marketing.getEBillSubscription', 'a', async () => 'x', 'applied:0')).value).to.equal('before');
    expect(cache.size).to.equal(2);
    cache.drop('marketing.getEBillSubscription', 'a');
    expect(cache.size).to.equal(0);
    await cache.get('marketing.getEBillSubscription', 'ab', async () => 'other key', 'applied:0');
    cache.drop('marketing.getEBillSubscription', 'a');
    expect(cache.size, 'a key that merely starts alike is not dropped').to.equal(1);
  });

  it('cache - callers asking while an answer loads share one back-office call; a failure is not kept', async () => {
    const cache = new FreshnessCache({ 'marketing.listBills': 300 }, 100, clock);
    let calls = 0;
    const load = () => new Promise<number>((r) => setImmediate(() => r(++calls)));
    const [a, b] = await Promise.all([cache.get('marketing.listBills', 'k', load), cache.get('marketing.listBills', 'k', load)]);
    expect([a.value, b.value, calls]).to.deep.equal([1, 1, 1]);
    const failing = cache.get('marketing.listBills', 'x', () => Promise.reject(new Error('down')));
    await failing.then(() => expect.fail('should fail'), (err: Error) => expect(err.message).to.equal('down'));
    expect((await cache.get('marketing.listBills', 'x', async () => 7)).value).to.equal(7);
  });

  it('cache - bounded: the oldest entry goes first', async () => {
    const cache = new FreshnessCache({ 'marketing.listBills': 300 }, 2, clock);
    for (const k of ['a', 'b', 'c']) await cache.get('marketing.listBills', k, async () => k);
    expect(cache.size).to.equal(2);
    expect((await cache.get('marketing.listBills', 'a', async () => 'again')).cached).to.equal(false);
    expect((await cache.get('marketing.listBills', 'c', async () => 'again')).cached).to.equal(true);
  });

  it('ttl setting - operation=seconds overrides the defaults; an unknown operation or bad number says what is wrong', () => {
    const fail = (message: string): never => {
      throw new Error(message);
    };
    const ttl = parseCacheTtl('getBalance=5, marketing.listBills=0', fail);
    expect(ttl).to.include({ 'marketing.getBalance': 5, 'marketing.listBills': 0, 'marketing.getBill': 3600 });
    expect(parseCacheTtl(undefined, fail)['marketing.getBalance']).to.equal(30);
    expect(() => parseCacheTtl('getBalanse=5', fail)).to.throw("'getBalanse' is not a cached operation (one of listBills, getBill, getBalance, listPayments, getEBillSubscription)");
    expect(() => parseCacheTtl('getBalance=-1', fail)).to.throw("'getBalance=-1' must be operation=seconds with seconds 0-86400");
    expect(() => parseCacheTtl('getBalance=90000', fail)).to.throw(/seconds 0-86400/);
  });
});
