import { GridbusError, toErrorView } from '../errors';
import { CompiledOperation, Endpoint, FaultInfo } from '../mapping';

/** What the runner needs from the adapter layer (wired in at start-up). */
export interface EndpointInvoker {
  invoke(endpoint: Endpoint, body: Record<string, unknown>, opts: { timeoutMs?: number }): Promise<{ body: unknown; durationMs: number; rawRequest?: string; rawResponse?: string }>;
}

/** Where the runner finds the operations of the active mapping version. */
export interface OperationSource {
  current(): { version: number | 'local'; bundle: { operations: Map<string, CompiledOperation> } };
}

export interface OperationCallContext {
  requestId?: string;
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

const BACKOFF_BASE_MS = 200;

/**
 * Runs a canonical operation: validate input → map request → call the
 * endpoint through its adapter → translate faults and result codes → map
 * the response. The operation is taken from the active mapping version once,
 * when the call starts, so a publish never changes a call half-way.
 */
export class OperationRunner {
  constructor(
    private readonly source: OperationSource,
    private readonly invoker: EndpointInvoker,
    private readonly onExchange?: (e: ExchangeEvent) => void,
  ) {}

  names(): string[] {
    return [...this.source.current().bundle.operations.keys()];
  }

  async run(name: string, params: unknown, ctx: OperationCallContext = {}): Promise<Record<string, unknown>> {
    const active = this.source.current();
    const op = active.bundle.operations.get(name);
    if (!op) throw new GridbusError('NOT_FOUND', `no mapping defines the operation '${name}'`, { details: { operation: name } });
    const started = Date.now();
    const event: ExchangeEvent = { operation: name, mappingVersion: String(active.version), requestId: ctx.requestId, outcome: 'ok', durationMs: 0, canonicalRequest: params };
    try {
      op.validateInput(params);
      const mctx = { requestId: ctx.requestId, now: new Date() };
      const request = await op.buildRequest(params, mctx);
      event.backofficeRequest = request;
      const attempts = 1 + (op.idempotent ? op.endpoint.retries ?? 0 : 0);
      for (let attempt = 1; ; attempt++) {
        try {
          const exchange = await this.invoker.invoke(op.endpoint, request, { timeoutMs: op.endpoint.timeoutMs });
          Object.assign(event, { backofficeResponse: exchange.body, rawRequest: exchange.rawRequest, rawResponse: exchange.rawResponse });
          const response = await op.interpretResponse(exchange.body, mctx);
          event.canonicalResponse = response;
          return response;
        } catch (err) {
          const typed = this.translate(op, err);
          if (!typed.retryable || attempt >= attempts) throw typed;
          ctx.log?.('warn', `${name} attempt ${attempt}/${attempts} failed with ${typed.errorCode}; retrying`);
          await new Promise((r) => setTimeout(r, BACKOFF_BASE_MS * 2 ** (attempt - 1)));
        }
      }
    } catch (err) {
      event.outcome = toErrorView(err).code;
      throw err;
    } finally {
      event.durationMs = Date.now() - started;
      this.onExchange?.(event);
    }
  }

  private translate(op: CompiledOperation, err: unknown): GridbusError {
    if (!(err instanceof GridbusError)) {
      return new GridbusError('INTERNAL', `${op.name}: unexpected failure`, { cause: err });
    }
    if (err.errorCode === 'BACKEND_FAULT') {
      const fault = (err.data ?? {}) as FaultInfo;
      return op.translateFault(fault) ?? err;
    }
    return err;
  }
}
