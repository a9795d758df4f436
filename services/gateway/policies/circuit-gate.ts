import { Clock } from '../../../core/resilience/clock';
import { definePolicy } from './contract';
import { Refusal, refusal } from './refusal';

/** The payload of the `operations.circuit.<state>` broadcasts (bin/bootstrap.ts). */
export interface CircuitEvent {
  operation: string;
  nodeId: string;
  retryAfterMs?: number;
}

/** Until a breaker says otherwise, an open one is assumed to stay open this long. */
const DEFAULT_OPEN_MS = 10_000;

/**
 * Fail fast at the gateway: it listens to the breakers of every node
 * (`operations.circuit.open` / `.half-open` / `.closed`) and refuses a
 * request at once — 503 SERVICE_UNAVAILABLE with Retry-After, no service
 * called, nothing queued — when an operation the route depends on is open
 * on every node that serves it. After `retryAfterMs` the breaker lets a
 * trial through, so the gateway does too; half-open and closed clear it.
 */
export class CircuitGate {
  /** operation → node → epoch ms until which its breaker is open. */
  private readonly open = new Map<string, Map<string, number>>();

  constructor(
    private readonly clock: Clock,
    /** Nodes currently serving an operation (available endpoints); null when unknown. */
    private readonly nodesServing: (operation: string) => string[] | null,
  ) {}

  onEvent(state: 'open' | 'half-open' | 'closed', event: CircuitEvent): void {
    if (!event || typeof event.operation !== 'string' || typeof event.nodeId !== 'string') return;
    if (state === 'open') {
      const byNode = this.open.get(event.operation) ?? new Map<string, number>();
      byNode.set(event.nodeId, this.clock.now() + (event.retryAfterMs && event.retryAfterMs > 0 ? event.retryAfterMs : DEFAULT_OPEN_MS));
      this.open.set(event.operation, byNode);
      return;
    }
    const byNode = this.open.get(event.operation);
    byNode?.delete(event.nodeId);
    if (byNode && byNode.size === 0) this.open.delete(event.operation);
  }

  /** A refusal when one of `operations` is open everywhere; null otherwise. */
  check(operations: readonly string[]): Refusal | null {
    const now = this.clock.now();
    for (const operation of operations) {
      const byNode = this.open.get(operation);
      if (!byNode) continue;
      for (const [node, until] of byNode) if (until <= now) byNode.delete(node);
      if (byNode.size === 0) {
        this.open.delete(operation);
        continue;
      }
      const serving = this.nodesServing(operation) ?? [...byNode.keys()];
      if (!serving.length || !serving.every((n) => byNode.has(n))) continue;
      const soonest = Math.min(...serving.map((n) => byNode.get(n)!));
      return refusal('SERVICE_UNAVAILABLE', 'The service is temporarily unavailable; try again shortly', {
        retryAfterS: Math.max(1, Math.ceil((soonest - now) / 1000)),
        details: { reason: 'circuit open', operation },
      });
    }
    return null;
  }

  /** Operations open somewhere, for logs and tests. */
  openOperations(): string[] {
    return [...this.open.keys()];
  }
}

/**
 * The circuit gate, for the aliases whose action a route file lists in
 * `dependsOn` (not set in GATEWAY_POLICIES: which operations an action
 * calls is a fact of the code, not a setting).
 */
export const circuitGatePolicy = definePolicy<{ operations: readonly string[] }>({
  name: 'circuitGate',
  priority: 800,
  phases: ['caller'],
  switchable: false,
  optionsSchema: null,
  defaults: (_config, route) => {
    const operations = route.action ? route.dependsOn[route.action] : undefined;
    return operations?.length ? { operations } : null;
  },
  create: (options, deps) => ({ caller: () => deps.circuits.check(options.operations) }),
});
