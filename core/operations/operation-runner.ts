import { GridbusError, toErrorView } from '../errors';
import { CompiledOperation, Endpoint, FaultInfo } from '../mapping';
import { CircuitState, ResilienceOptions, ResiliencePolicy, budgetWarning, createResiliencePolicy, mergeResilience } from '../resilience';
import { AnswerCache, requestKey } from './answer-cache';

/** What the runner needs from the adapter layer (wired in at start-up). */
export interface EndpointInvoker {
  invoke(endpoint: Endpoint, body: Record<string, unknown>, opts: { timeoutMs?: number }): Promise<{ body: unknown; durationMs: number; rawRequest?: string; rawResponse?: string }>;
}

/** Where the runner finds the operations of the active mapping version. */
export interface OperationSource {
  current(): { version: number | 'local'; bundle: { operations: Map<string, CompiledOperation> } };
  /** Hears of every switch to another release (MappingRegistry); returns how to stop hearing. */
  onChange?(listener: () => void): (() => void) | void;
}

export interface OperationCallContext {
  requestId?: string;
  /** Date.now() time by which the caller needs the answer (core/operations/call-deadline.ts). */
  deadline?: number;
  log?: (level: 'info' | 'warn', message: string) => void;
}

/** One finished exchange, for the message log (the recorder masks it). */
export interface ExchangeEvent {
  operation: string;
  mappingVersion: string;
  requestId?: string;
  outcome: string;
  durationMs: number;
  canonicalRequest: unknown;
  backofficeRequest?: unknown;
  backofficeResponse?: unknown;
  canonicalResponse?: unknown;
  rawRequest?: string;
  rawResponse?: string;
}

export interface RunnerHooks {
  onExchange?: (e: ExchangeEvent) => void;
  onCircuitChange?: (operation: string, from: CircuitState, to: CircuitState, retryAfterMs?: number) => void;
  /** Applied under every operation's own `resilience:` block. */
  defaults?: ResilienceOptions;
}

/** Bus-wide defaults: a breaker on every operation, 10 s per attempt, no bulkhead unless asked. */
export const DEFAULT_RESILIENCE: ResilienceOptions = { timeout: 10_000, breaker: {}, bulkhead: false, retries: false };

/**
 * Runs a canonical operation: validate input → map request → call the
 * endpoint through its adapter, inside the operation's resilience policy
 * (bulkhead → retry → breaker → timeout) → translate faults and result codes
 * → map the response. The operation is taken from the active mapping version
 * once, when the call starts, so a publish never changes a call half-way.
 */
export class OperationRunner {
  /** Policies live across publishes (a breaker must not forget on every release) unless their settings change. */
  private readonly policies = new Map<string, { settings: string; policy: ResiliencePolicy }>();
  /** Per operation, tied to the compiled version: a publish starts with an empty cache. */
  private readonly caches = new WeakMap<CompiledOperation, AnswerCache>();
  private readonly policyOf = new WeakMap<CompiledOperation, ResiliencePolicy>();

  constructor(
    private readonly source: OperationSource,
    private readonly invoker: EndpointInvoker,
    private readonly hooks: RunnerHooks = {},
  ) {}

  names(): string[] {
    return [...this.source.current().bundle.operations.keys()];
  }

  /** Calls `listener` after every switch of release (operations may have come or gone); returns how to stop. */
  onOperationsChange(listener: () => void): () => void {
    let on = true;
    const off = this.source.onChange?.(() => {
      if (on) listener();
    });
    return () => {
      on = false;
      if (typeof off === 'function') off();
    };
  }

  /** Operations whose timeout × attempts + backoff exceeds what callers wait (`requestTimeoutMs`). */
  budgetWarnings(requestTimeoutMs: number): string[] {
    const warnings: string[] = [];
    for (const op of this.source.current().bundle.operations.values()) {
      const w = budgetWarning(op.name, mergeResilience(DEFAULT_RESILIENCE, this.hooks.defaults, op.resilience), op.idempotent, requestTimeoutMs);
      if (w) warnings.push(w);
    }
    return warnings;
  }

  /** Breaker and bulkhead state of every operation that has run. */
  snapshots() {
    return [...this.policies.values()].map((p) => p.policy.snapshot());
  }

  async run(name: string, params: unknown, ctx: OperationCallContext = {}): Promise<Record<string, unknown>> {
    const active = this.source.current();
    const op = active.bundle.operations.get(name);
    if (!op) throw new GridbusError('NOT_FOUND', `no mapping defines the operation '${name}'`, { details: { operation: name } });
    let cache: AnswerCache | undefined;
    let key = '';
    if (op.cache) {
      cache = this.caches.get(op);
      if (!cache) this.caches.set(op, (cache = new AnswerCache(op.cache.ttlMs, op.cache.maxEntries)));
      key = requestKey(params);
      const hit = cache.get(key);
      if (hit) return hit;
    }
    const started = Date.now();
    const event: ExchangeEvent = { operation: name, mappingVersion: String(active.version), requestId: ctx.requestId, outcome: 'ok', durationMs: 0, canonicalRequest: params };
    try {
      op.validateInput(params);
      // a response map may read the canonical request ($request.*) and the call ($context.*)
      const mctx = { requestId: ctx.requestId, now: new Date(), request: params, operation: name };
      const request = await op.buildRequest(params, mctx);
      event.backofficeRequest = request;
      const response = await this.policyFor(op).execute(async ({ timeoutMs }) => {
        let exchange;
        try {
          exchange = await this.invoker.invoke(op.endpoint, request, { timeoutMs });
        } catch (err) {
          throw this.translate(op, err);
        }
        Object.assign(event, { backofficeResponse: exchange.body, rawRequest: exchange.rawRequest, rawResponse: exchange.rawResponse });
        return op.interpretResponse(exchange.body, mctx);
      }, { deadline: ctx.deadline, onRetry: ctx.log && ((info) => ctx.log!('warn', `${op.name} attempt ${info.attempt}/${info.attempts} failed with ${toErrorView(info.error).code}; retrying in ${info.delayMs} ms`)) });
      event.canonicalResponse = response;
      cache?.set(key, response);
      return response;
    } catch (err) {
      event.outcome = toErrorView(err).code;
      throw err;
    } finally {
      event.durationMs = Date.now() - started;
      this.hooks.onExchange?.(event);
    }
  }

  private policyFor(op: CompiledOperation): ResiliencePolicy {
    // the same compiled operation has the same settings: compared once per release, not per call
    const known = this.policyOf.get(op);
    if (known && this.policies.get(op.name)?.policy === known) return known;
    const policy = this.settlePolicy(op);
    this.policyOf.set(op, policy);
    return policy;
  }

  private settlePolicy(op: CompiledOperation): ResiliencePolicy {
    const options = mergeResilience(DEFAULT_RESILIENCE, this.hooks.defaults, op.resilience);
    const settings = JSON.stringify({ options, idempotent: op.idempotent });
    const existing = this.policies.get(op.name);
    if (existing && existing.settings === settings) return existing.policy;
    existing?.policy.dispose();
    const policy = createResiliencePolicy(options, {
      key: op.name,
      idempotent: op.idempotent,
      // retries are logged per call (run), with that call's request id
      onStateChange: (from, to, info) => this.hooks.onCircuitChange?.(op.name, from, to, info.retryAfterMs),
    });
    this.policies.set(op.name, { settings, policy });
    return policy;
  }

  private translate(op: CompiledOperation, err: unknown): GridbusError {
    if (!(err instanceof GridbusError)) {
      return new GridbusError('INTERNAL', `${op.name}: unexpected failure`, { cause: err });
    }
    if (err.errorCode === 'BACKEND_FAULT') {
      const data = (err.data ?? {}) as FaultInfo & { httpStatus?: number };
      return op.translateFault(data) ?? err;
    }
    return err;
  }
}
