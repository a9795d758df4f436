import type { GatewayRequest, GatewayResponse } from '../../../../../services/gateway/types';

/** Just enough of an IncomingMessage for the policies. */
export function fakeReq(opts: { peer?: string; headers?: Record<string, string>; rawHeaders?: string[]; url?: string; method?: string; query?: unknown } = {}): GatewayRequest {
  const headers = Object.fromEntries(Object.entries(opts.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const rawHeaders = opts.rawHeaders ?? Object.entries(opts.headers ?? {}).flat();
  return {
    socket: { remoteAddress: opts.peer ?? '127.0.0.1' },
    headers,
    rawHeaders,
    url: opts.url ?? '/',
    originalUrl: opts.url ?? '/',
    method: opts.method ?? 'GET',
    query: opts.query ?? {},
  } as unknown as GatewayRequest;
}

/** Just enough of a ServerResponse: headers and the body written. */
export class FakeRes {
  statusCode = 200;
  headersSent = false;
  readonly headers = new Map<string, string>();
  body: string | undefined;
  setHeader(name: string, value: string): this {
    this.headers.set(name.toLowerCase(), String(value));
    return this;
  }
  getHeader(name: string): string | undefined {
    return this.headers.get(name.toLowerCase());
  }
  end(chunk?: string): this {
    this.body = chunk;
    this.headersSent = true;
    return this;
  }
  json(): Record<string, unknown> {
    return JSON.parse(this.body!);
  }
  get res(): GatewayResponse {
    return this as unknown as GatewayResponse;
  }
}
