import { expect } from 'chai';
import { FakeClock } from '../../../../core/resilience';
import { FailSafeStore, LocalStore, SharedStore, SharedStoreContentionError, SharedStoreUnavailableError, WindowCount } from '../../../../core/shared-store';

type Mode = 'ok' | 'fail' | 'hang' | 'contended';

/** A shared store the test breaks and mends at will; its data is a LocalStore. */
class FakeShared implements SharedStore {
  readonly kind = 'fake-kv';
  mode: Mode = 'ok';
  calls = 0;
  constructor(private readonly inner: LocalStore) {}
  private run<T>(fn: () => Promise<T>): Promise<T> {
    this.calls++;
    if (this.mode === 'fail') return Promise.reject(new SharedStoreUnavailableError('not connected to nats://kv'));
    if (this.mode === 'hang') return new Promise<T>(() => undefined);
    if (this.mode === 'contended') return Promise.reject(new SharedStoreContentionError('k still contended after 25 attempts'));
    return fn();
  }
  incr(key: string, windowMs: number): Promise<WindowCount> {
    return this.run(() => this.inner.incr(key, windowMs));
  }
  get(key: string) {
    return this.run(() => this.inner.get(key));
  }
  set(key: string, value: string, ttlMs: number) {
    return this.run(() => this.inner.set(key, value, ttlMs));
  }
  delete(key: string) {
    return this.run(() => this.inner.delete(key));
  }
  ping() {
    return this.run(async () => undefined);
  }
  close() {
    return this.inner.close();
  }
}

function setup(mode: Mode = 'ok') {
  const clock = new FakeClock(1_000_000);
  const shared = new FakeShared(new LocalStore({ clock }));
  shared.mode = mode;
  const local = new LocalStore({ clock });
  const logs: string[] = [];
  const store = new FailSafeStore(shared, local, {
    clock,
    timeoutMs: 50,
    probeIntervalMs: 1_000,
    probeTimeoutMs: 500,
    startGraceMs: 3_000,
    description: 'fake KV',
    log: { info: (m) => logs.push(`info ${m}`), warn: (m) => logs.push(`warn ${m}`) },
  });
  return { clock, shared, local, store, logs };
}

describe('core/shared-store - fail-safe store', () => {
  it('starting - answers locally until the shared store has answered a probe, then uses it', async () => {
    const s = setup();
    expect(s.store.current()).to.equal('starting');
    expect((await s.store.health()).status).to.equal('degraded');
    await s.clock.advance(0);
    expect(s.store.current()).to.equal('up');
    await s.store.set('ban:x', '1', 10_000);
    expect(await s.shared.get('ban:x')).to.equal('1');
    expect(await s.local.get('ban:x')).to.equal(null);
    expect(await s.store.health()).to.deep.equal({ status: 'up', detail: 'fake KV: limits are shared by all gateway nodes' });
    expect(s.logs).to.deep.equal(['info shared store ready: fake KV']);
    await s.store.close();
  });

  it('starting - failures within the start grace are not an outage; after it they are, logged once', async () => {
    const s = setup('fail');
    await s.clock.advance(2_000);
    expect(s.store.current()).to.equal('starting');
    expect(s.logs).to.deep.equal([]);
    await s.clock.advance(2_000);
    expect(s.store.current()).to.equal('down');
    await s.clock.advance(5_000);
    expect(s.logs.filter((l) => l.startsWith('warn'))).to.have.length(1);
    await s.store.close();
  });

  it('down - an operation that fails falls back to the local store at once, logs once and reports degraded', async () => {
    const s = setup();
    await s.clock.advance(0);
    await s.store.incr('ip:1', 60_000);
    s.shared.mode = 'fail';
    const counted = await s.store.incr('ip:1', 60_000);
    expect(counted.count, 'counted locally, from zero').to.equal(1);
    expect(s.store.current()).to.equal('down');
    const calls = s.shared.calls;
    await s.store.incr('ip:1', 60_000);
    expect(s.shared.calls, 'no more calls to a store known down').to.equal(calls);
    expect((await s.store.incr('ip:1', 60_000)).count, 'still limits, per node').to.equal(3);
    expect(await s.store.health()).to.deep.equal({ status: 'degraded', detail: 'shared store down: limits are per node (not connected to nats://kv)' });
    expect(s.logs.filter((l) => l.startsWith('warn'))).to.deep.equal([
      'warn shared store unavailable (not connected to nats://kv): rate limits and IP bans are per node until it returns',
    ]);
    await s.store.close();
  });

  it('slow - an operation that takes longer than timeoutMs is answered locally', async () => {
    const s = setup();
    await s.clock.advance(0);
    s.shared.mode = 'hang';
    const pending = s.store.get('ban:y');
    await s.clock.advance(50);
    expect(await pending).to.equal(null);
    expect(s.store.current()).to.equal('down');
    expect((await s.store.health()).detail).to.match(/did not answer within 50 ms/);
    await s.store.close();
  });

  it('recovery - probes bring the shared store back, logged once, and operations return to it', async () => {
    const s = setup();
    await s.clock.advance(0);
    s.shared.mode = 'fail';
    await s.store.incr('k', 60_000);
    await s.clock.advance(3_000);
    expect(s.store.current()).to.equal('down');
    s.shared.mode = 'ok';
    await s.clock.advance(1_000);
    expect(s.store.current()).to.equal('up');
    expect(s.logs.filter((l) => l.includes('back'))).to.deep.equal(['info shared store is back: rate limits and IP bans are cluster-wide again']);
    await s.store.set('after', 'yes', 10_000);
    expect(await s.shared.get('after')).to.equal('yes');
    expect(s.clock.pendingTimers(), 'no probe while up (only the stores’ sweeps)').to.equal(2);
    await s.store.close();
  });

  it('contention - that one operation is answered locally; the store is not taken for down', async () => {
    const s = setup();
    await s.clock.advance(0);
    s.shared.mode = 'contended';
    expect((await s.store.incr('hot', 60_000)).count).to.equal(1);
    expect(s.store.current()).to.equal('up');
    expect(s.logs.filter((l) => l.startsWith('warn'))).to.deep.equal([]);
    await s.store.close();
  });

  it('health - notices an outage even without traffic', async () => {
    const s = setup();
    await s.clock.advance(0);
    s.shared.mode = 'fail';
    expect((await s.store.health()).status).to.equal('degraded');
    expect(s.store.current()).to.equal('down');
    await s.store.close();
  });

  it('close - stops probing', async () => {
    const s = setup('fail');
    await s.store.close();
    await s.clock.advance(10_000);
    expect(s.clock.pendingTimers()).to.equal(0);
  });
});
