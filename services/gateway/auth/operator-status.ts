import { Context, ServiceBroker } from 'moleculer';
import { OPERATOR_CHANGED } from '../../auth/operator-events';

export interface OperatorStatus {
  active: boolean;
  roles: string[];
  reason?: string;
}

/** Long enough to spare the database a query per admin call, short enough to bound a missed broadcast. */
const TTL_MS = 5000;
const MAX_ENTRIES = 10_000;

/**
 * What the auth service said about an operator's session, remembered
 * briefly per gateway node (per broker, so buses sharing a process keep
 * apart) and forgotten as soon as OPERATOR_CHANGED says the operator changed.
 */
class OperatorStatusCache {
  private readonly entries = new Map<string, { status: OperatorStatus; expiresAt: number }>();
  /** Bumped by every change: an answer asked for before a change is used once, not remembered. */
  private generation = 0;

  async get(ctx: Context, username: string, sid: string): Promise<OperatorStatus> {
    const key = `${username}\u0000${sid}`;
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > Date.now()) return hit.status;
    const asked = this.generation;
    const status = (await ctx.call('auth.operatorStatus', { username, sid })) as OperatorStatus;
    if (asked !== this.generation) return status;
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(key, { status, expiresAt: Date.now() + TTL_MS });
    return status;
  }

  forget(username: string): void {
    this.generation++;
    const prefix = `${username}\u0000`;
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
  }
}

const caches = new WeakMap<ServiceBroker, OperatorStatusCache>();

export function operatorStatuses(broker: ServiceBroker): OperatorStatusCache {
  let cache = caches.get(broker);
  if (!cache) caches.set(broker, (cache = new OperatorStatusCache()));
  return cache;
}

/** The gateway service's event handlers that keep the cache honest. */
export const operatorStatusEvents = {
  [OPERATOR_CHANGED](ctx: Context<{ username?: unknown }>) {
    if (typeof ctx.params?.username === 'string') operatorStatuses(ctx.broker).forget(ctx.params.username);
  },
};
