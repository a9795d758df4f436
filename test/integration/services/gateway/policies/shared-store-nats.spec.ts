import { expect } from 'chai';
import { randomBytes } from 'crypto';
import { connect, NatsConnection } from 'nats';
import { NatsKvStore, SharedStoreUnavailableError, openSharedStore } from '../../../../../core/shared-store';
import { requireEnv } from '../../../../helpers/env';
import { eventually } from '../../../../helpers/http';
import { ThrowawayNats } from './throwaway-nats';

/** The NATS JetStream KV store against a real nats-server: the test NATS, and throw-away ones. */
describe('core/shared-store - NATS KV store (real nats-server with JetStream)', function () {
  this.timeout(30_000);
  const namespace = `it-kv-${randomBytes(3).toString('hex')}`;
  let nc: NatsConnection;
  let a: NatsKvStore;
  let b: NatsKvStore;

  before(async () => {
    nc = await connect({ servers: requireEnv('TEST_NATS_URL'), name: 'gridbus-shared-store-test' });
    // two gateway nodes: two stores over their own connections
    a = NatsKvStore.connect({ servers: requireEnv('TEST_NATS_URL'), namespace, name: 'node-a' });
    b = NatsKvStore.over(nc, { namespace });
    await eventually(() => a.ping().then(() => true), (ok) => ok, 10_000);
  });

  after(async () => {
    await a?.close();
    await b?.close();
    await nc?.close();
  });

  it('incr - counts exactly under contention from three nodes (coalesced per node, compare-and-set between nodes)', async () => {
    const key = `hf:gateway:203.0.113.${Math.floor(Math.random() * 250)}`;
    const c = NatsKvStore.connect({ servers: requireEnv('TEST_NATS_URL'), namespace, name: 'node-c' });
    await eventually(() => c.ping().then(() => true), (ok) => ok, 10_000);
    const nodes = [a, b, c];
    const results = await Promise.all(Array.from({ length: 150 }, (_, i) => nodes[i % 3].incr(key, 3_600_000)));
    await c.close();
    const counts = results.map((r) => r.count).sort((x, y) => x - y);
    expect(counts, 'every hit counted once, none lost').to.deep.equal(Array.from({ length: 150 }, (_, i) => i + 1));
    expect((await a.incr(key, 3_600_000)).count).to.equal(151);
    expect(results[0].resetAt % 3_600_000).to.equal(0);
  });

  it('incr - keeps namespaces apart', async () => {
    const other = NatsKvStore.over(nc, { namespace: `${namespace}-other` });
    await a.incr('rl:api:minute:user:u-1', 60_000);
    expect((await other.incr('rl:api:minute:user:u-1', 60_000)).count).to.equal(1);
  });

  it('get/set - a value is seen by the other node and honours its TTL', async () => {
    await a.set('ban:2001:db8::7', `${Date.now() + 60_000}:1`, 60_000);
    expect(await b.get('ban:2001:db8::7')).to.match(/^\d+:1$/);
    await a.set('short', 'x', 1);
    await new Promise((r) => setTimeout(r, 5));
    expect(await b.get('short')).to.equal(null);
    await b.delete('ban:2001:db8::7');
    expect(await a.get('ban:2001:db8::7')).to.equal(null);
    expect(await a.get('never-set')).to.equal(null);
  });

  it('list - the live values under a prefix, keys decoded (IPv4, IPv6), nothing of other prefixes or namespaces', async () => {
    await a.set('ban:203.0.113.50', 'v4', 60_000);
    await a.set('ban:2001:db8::50', 'v6', 60_000);
    await a.set('ban:198.51.100.50', 'gone', 1);
    await a.set('other:203.0.113.50', 'x', 60_000);
    await NatsKvStore.over(nc, { namespace: `${namespace}-other` }).set('ban:192.0.2.50', 'elsewhere', 60_000);
    await new Promise((r) => setTimeout(r, 5));
    const listed = (await b.list('ban')).filter((e) => e.key.endsWith('50'));
    expect(listed.sort((x, y) => x.key.localeCompare(y.key))).to.deep.equal([
      { key: '2001:db8::50', value: 'v6' },
      { key: '203.0.113.50', value: 'v4' },
    ]);
  });

  it('a NATS without JetStream - operations fail at once with SharedStoreUnavailableError', async () => {
    const plain = await ThrowawayNats.start({ jetStream: false });
    const store = NatsKvStore.connect({ servers: plain.url, namespace });
    try {
      const err = await eventually(
        () => store.ping().then(() => null, (e: unknown) => e),
        (e) => e instanceof SharedStoreUnavailableError && !/not connected/.test((e as Error).message),
        10_000,
      );
      expect((err as Error).message).to.match(/NATS KV/);
    } finally {
      await store.close();
      await plain.dispose();
    }
  });

  it('openSharedStore - reports up on a JetStream NATS, disabled without NATS', async () => {
    const opened = openSharedStore({ natsUrl: requireEnv('TEST_NATS_URL'), namespace });
    try {
      const health = await eventually(() => opened.health(), (h) => h.status === 'up', 10_000);
      expect(health.detail).to.match(/NATS KV gridbus-counters-\*\/gridbus-entries on nats:\/\/.*: limits are shared by all gateway nodes/);
    } finally {
      await opened.close();
    }
    const local = openSharedStore({ natsUrl: null, namespace });
    expect(await local.health()).to.deep.equal({ status: 'disabled', detail: 'local store only (no NATS, or GATEWAY_SHARED_STORE=local): limits are per node' });
    await local.close();
  });
});
