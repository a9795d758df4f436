import { DependencyHealth } from '../health';
import { Clock } from '../resilience/clock';
import { FailSafeStore } from './fail-safe-store';
import { LocalStore } from './local-store';
import { NatsKvStore } from './nats-kv-store';
import { SyncedCounters } from './synced-counters';
import { SharedStore } from './types';

export { SharedStore, Hits, WindowCount, windowStart, slidingCount, SharedStoreUnavailableError, SharedStoreTimeoutError, SharedStoreContentionError } from './types';
export { LocalStore, LocalStoreOptions } from './local-store';
export { NatsKvStore, NatsKvStoreOptions, MAX_ENTRY_TTL_MS, counterBucket, encodeKey, maskNatsUrl } from './nats-kv-store';
export { FailSafeStore, FailSafeOptions, FailSafeState } from './fail-safe-store';
export { SyncedCounters, SyncedCountersOptions } from './synced-counters';

export interface OpenSharedStoreOptions {
  /** NATS URL of the JetStream holding the store; null = this node's memory only. */
  natsUrl: string | null;
  namespace: string;
  /** Connection name, e.g. `gridbus:<node>:shared-store`. */
  connectionName?: string;
  /** Longest wait for the shared store per operation before the local store answers, ms. */
  timeoutMs?: number;
  /** Counters sent to the shared store every this many ms (SyncedCounters); 0 or absent = at every hit. */
  syncMs?: number;
  clock?: Clock;
  log?: { info(message: string): void; warn(message: string): void };
}

export interface OpenedSharedStore {
  store: SharedStore;
  /** What `/health` shows under "shared store". */
  health(): Promise<DependencyHealth>;
  close(): Promise<void>;
}

/**
 * NATS KV behind a local fallback when a NATS URL is given; otherwise the
 * local store alone (the embedded single-process default), reported as
 * `disabled` since there is no other node to share with.
 */
export function openSharedStore(options: OpenSharedStoreOptions): OpenedSharedStore {
  const local = new LocalStore({ clock: options.clock });
  if (!options.natsUrl) {
    return {
      store: local,
      health: async () => ({ status: 'disabled', detail: 'local store only (no NATS, or GATEWAY_SHARED_STORE=local): limits are per node' }),
      close: () => local.close(),
    };
  }
  const nats = NatsKvStore.connect({
    servers: options.natsUrl,
    namespace: options.namespace,
    name: options.connectionName,
    clock: options.clock,
  });
  const failSafe = new FailSafeStore(nats, local, {
    timeoutMs: options.timeoutMs,
    description: nats.describe(),
    clock: options.clock,
    log: options.log,
  });
  const store = options.syncMs ? new SyncedCounters(failSafe, { syncMs: options.syncMs, clock: options.clock, log: options.log }) : failSafe;
  const health = async (): Promise<DependencyHealth> => {
    const h = await failSafe.health();
    return options.syncMs && h.status === 'up' ? { ...h, detail: `${h.detail} (counters synced every ${options.syncMs} ms)` } : h;
  };
  return { store, health, close: () => store.close() };
}
