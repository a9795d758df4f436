import { expect } from 'chai';
import { FakeClock } from '../../../../core/resilience';
import { Hits, LocalStore, SharedStore, SyncedCounters, WindowCount } from '../../../../core/shared-store';

/** The shared store: a LocalStore that counts the increments it is asked for, and can fail. */
class CountingStore implements SharedStore {
  readonly kind = 'counting';
  incrs: Array<{ key: string; by: number; at?: number }> = [];
  failing = false;
  constructor(readonly inner: LocalStore) {}
  async incr(key: string, windowMs: number, hits: Hits = {}): Promise<WindowCount> {
    this.incrs.push({ key, by: hits.by ?? 1, at: hits.at });
    if (this.failing) throw new Error('store down');
    return this.inner.incr(key, windowMs, hits);
  }
  get(key: string) {
    return this.inner.get(key);
  }
  set(key: string, value: string, ttlMs: number) {
    return this.inner.set(key, value, ttlMs);
  }
  delete(key: string) {
    return this.inner.delete(key);
  }
  async ping() {}
  async close() {}
}

const MINUTE = 60_000;

function cluster(syncMs = 100) {
  const clock = new FakeClock(10 * MINUTE + 1000);
  const shared = new CountingStore(new LocalStore({ clock }));
  const node = () => new SyncedCounters(shared, { syncMs, clock });
  return { clock, shared, a: node(), b: node() };
}

describe('core/shared-store/synced-counters - counters kept in memory and synced to the shared store', () => {
  it('asks the store at the first hit of a key in a window, then counts in memory until the sync', async () => {
    const { shared, a } = cluster();
    const counts: number[] = [];
    for (let i = 0; i < 5; i++) counts.push((await a.incr('rl:api:minute:user:u1', MINUTE)).count);
    expect(counts).to.deep.equal([1, 2, 3, 4, 5]);
    expect(shared.incrs, 'only the first hit reached the store').to.have.length(1);
    expect((await shared.inner.incr('rl:api:minute:user:u1', MINUTE, { by: 0 })).count, 'the store has the first hit only').to.equal(1);
  });

  it('sends the hits counted here in one increment per key at each sync', async () => {
    const { clock, shared, a } = cluster();
    for (let i = 0; i < 5; i++) await a.incr('k', MINUTE);
    shared.incrs = [];
    await clock.advance(100);
    expect(shared.incrs).to.deep.equal([{ key: 'k', by: 4, at: 10 * MINUTE }]);
    expect((await shared.inner.incr('k', MINUTE, { by: 0 })).count).to.equal(5);
    await clock.advance(500);
    expect(shared.incrs, 'nothing new: nothing sent').to.have.length(1);
  });

  it('learns what other nodes counted: at its first hit at once, afterwards within two syncs', async () => {
    const { clock, a, b } = cluster();
    for (let i = 0; i < 3; i++) await a.incr('k', MINUTE);
    await clock.advance(100);
    expect((await b.incr('k', MINUTE)).count, "B's first hit sees A's three").to.equal(4);
    for (let i = 0; i < 4; i++) await b.incr('k', MINUTE);
    expect((await a.incr('k', MINUTE)).count, 'A has not heard of B since').to.equal(4);
    await clock.advance(100);
    await a.incr('k', MINUTE);
    await clock.advance(100);
    // A's send answered after B's: A knows the total 3 + 1 + 4 + 1 + 1 = 10
    expect((await a.incr('k', MINUTE)).count).to.equal(11);
  });

  it('asks the store again when a key has not been synced for two intervals', async () => {
    const { clock, shared, a, b } = cluster();
    await a.incr('k', MINUTE);
    for (let i = 0; i < 6; i++) await b.incr('k', MINUTE);
    await clock.advance(300);
    shared.incrs = [];
    expect((await a.incr('k', MINUTE)).count, "A's idle view is not trusted: it asks").to.equal(8);
    expect(shared.incrs).to.have.length(1);
  });

  it('gives concurrent first hits their own places, as the store would', async () => {
    const { shared, a } = cluster();
    await shared.inner.incr('k', MINUTE, { by: 7 }); // counted by other nodes already
    const counts = await Promise.all(Array.from({ length: 5 }, () => a.incr('k', MINUTE)));
    expect(counts.map((c) => c.count).sort((x, y) => x - y)).to.deep.equal([8, 9, 10, 11, 12]);
  });

  it('sends hits into the window they were counted in, even when the sync comes after it ended', async () => {
    const { clock, shared, a } = cluster(1000);
    await clock.advance(MINUTE - 1000 - 500); // 500 ms before the minute ends
    await a.incr('k', MINUTE);
    await a.incr('k', MINUTE);
    const window = 10 * MINUTE;
    await clock.advance(1000); // the sync falls in the next minute
    expect(shared.incrs.map((i) => i.at)).to.deep.equal([window, window]);
    const next = await a.incr('k', MINUTE);
    expect(next.count, 'a new window starts from the store').to.equal(1);
    expect(next.previous, 'and knows the window before').to.equal(2);
  });

  it('keeps the hits when a sync fails and sends them with the next', async () => {
    const { clock, shared, a } = cluster();
    await a.incr('k', MINUTE);
    await a.incr('k', MINUTE);
    shared.failing = true;
    await clock.advance(100);
    await a.incr('k', MINUTE);
    shared.failing = false;
    await clock.advance(100);
    expect((await shared.inner.incr('k', MINUTE, { by: 0 })).count, 'nothing lost, nothing twice').to.equal(3);
  });

  it('sends what it still holds when closed', async () => {
    const { shared, a } = cluster(10_000);
    for (let i = 0; i < 4; i++) await a.incr('k', MINUTE);
    await a.close();
    expect((await shared.inner.incr('k', MINUTE, { by: 0 })).count).to.equal(4);
  });

  it('forgets counters of ended windows once they are sent', async () => {
    const { clock, a } = cluster();
    await a.incr('k1', 1000);
    await a.incr('k2', 1000);
    expect(a.size).to.equal(2);
    await clock.advance(2100);
    expect(a.size).to.equal(0);
  });

  it('leaves get, set and delete to the store', async () => {
    const { shared, a } = cluster();
    await a.set('ban:203.0.113.9', '123:1', MINUTE);
    expect(await shared.get('ban:203.0.113.9')).to.equal('123:1');
    await a.delete('ban:203.0.113.9');
    expect(await a.get('ban:203.0.113.9')).to.equal(null);
  });

  it('incrNow - counts at once a counter synced recently, and leaves the others to incr (nothing counted)', async () => {
    const { clock, shared, a } = cluster();
    expect(a.incrNow('k', MINUTE), 'never asked the store: incr must').to.equal(null);
    await a.incr('k', MINUTE);
    expect(a.incrNow('k', MINUTE)?.count).to.equal(2);
    expect(a.incrNow('k', MINUTE)?.count).to.equal(3);
    await clock.advance(100);
    expect((await shared.inner.incr('k', MINUTE, { by: 0 })).count, 'the in-memory hits were sent').to.equal(3);
    await clock.advance(MINUTE);
    expect(a.incrNow('k', MINUTE), 'a new window: incr must ask').to.equal(null);
  });
});

