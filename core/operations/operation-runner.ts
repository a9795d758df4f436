import { GridbusError } from '../errors';
import { CompiledOperation, Endpoint, FaultInfo } from '../mapping';

/** What the runner needs from the adapter layer (wired in at start-up). */
export interface EndpointInvoker {
  invoke(endpoint: Endpoint, body: Record<string, unknown>, opts: { timeoutMs?: number }): Promise<{ body: unknown; durationMs: number; rawRequest?: string; rawResponse?: string }>;
}

export interface OperationCallContext {
  requestId?: string;
  log?: (level: 'info' | 'warn', message: string) => void;
}

const BACKOFF_BASE_MS = 200;

/**
 * Runs a canonical operation: validate input → map request → call the
 * endpoint through its adapter → translate faults and result codes → map
 * the response. Retries only operations marked idempotent, only on
 * retryable errors.
 */
export class OperationRunner {
  constructor(
    private readonly operations: Map<string, CompiledOperation>,
    private readonly invoker: EndpointInvoker,
  ) {}

  names(): string[] {
    return [...this.operations.keys()];
  }

  get(name: string): CompiledOperation {
    const op = this.operations.get(name);
    if (!op) throw new GridbusError('NOT_FOUND', `no mapping defines the operation '${name}'`, { details: { operation: name } });
    return op;
  }

  async run(name: string, params: unknown, ctx: OperationCallContext = {}): Promise<Record<string, unknown>> {
    const op = this.get(name);
    op.validateInput(params);
    const mctx = { requestId: ctx.requestId, now: new Date() };
    const request = await op.buildRequest(params, mctx);
    const attempts = 1 + (op.idempotent ? op.endpoint.retries ?? 0 : 0);
    for (let attempt = 1; ; attempt++) {
      try {
        const exchange = await this.invoker.invoke(op.endpoint, request, { timeoutMs: op.endpoint.timeoutMs });
        return await op.interpretResponse(exchange.body, mctx);
      } catch (err) {
        const typed = this.translate(op, err);
        if (!typed.retryable || attempt >= attempts) throw typed;
        ctx.log?.('warn', `${name} attempt ${attempt}/${attempts} failed with ${typed.errorCode}; retrying`);
        await new Promise((r) => setTimeout(r, BACKOFF_BASE_MS * 2 ** (attempt - 1)));
      }
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
