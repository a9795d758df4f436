import { Dispatcher, Pool } from 'undici';
import { GridbusError } from '../../core/errors';
import { Adapter, AdapterHealth, Exchange } from '../adapter';

export interface HttpCall {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path and query of the URL, already filled in. */
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
  timeoutMs: number;
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
const TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * An HTTP/JSON back office (the SMS platform, say): one keep-alive pool per
 * origin, JSON in and out. Non-2xx answers become BACKEND_FAULT with the
 * status, so mappings can translate them (`faults: - match: { status: 429 }`).
 */
export class HttpAdapter implements Adapter {
  readonly kind = 'http' as const;
  readonly id: string;
  private readonly pool: Pool;
  private lastError: string | null = null;
  private calls = 0;

  constructor(readonly origin: string) {
    this.id = `http:${origin}`;
    this.pool = new Pool(origin, { connections: 32, keepAliveTimeout: 30_000 });
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {
    await this.pool.close();
  }

  async health(): Promise<AdapterHealth> {
    if (this.lastError) return { status: 'degraded', detail: `${this.origin}: last call failed: ${this.lastError}` };
    return { status: 'up', detail: this.calls ? this.origin : `${this.origin} (no call yet)` };
  }

  async call(operation: string, call: HttpCall): Promise<Exchange> {
    const started = Date.now();
    const payload = call.body === undefined ? undefined : JSON.stringify(call.body);
    let res: Dispatcher.ResponseData;
    this.calls++;
    try {
      res = await this.pool.request({
        method: call.method,
        path: call.path,
        headers: { accept: 'application/json', ...(payload ? { 'content-type': 'application/json; charset=utf-8' } : {}), ...(call.headers ?? {}) },
        body: payload,
        headersTimeout: call.timeoutMs,
        bodyTimeout: call.timeoutMs,
        signal: AbortSignal.timeout(call.timeoutMs),
      });
    } catch (err) {
      throw this.fail(err, operation, call.timeoutMs);
    }
    let text: string;
    try {
      text = await readLimited(res.body);
    } catch (err) {
      throw this.fail(err, operation, call.timeoutMs);
    }
    const rawRequest = `${call.method} ${call.path}\n${payload ?? ''}`;
    const durationMs = Date.now() - started;
    let body: unknown = text;
    if (text && /json/i.test(String(res.headers['content-type'] ?? ''))) {
      try {
        body = JSON.parse(text);
      } catch {
        this.lastError = 'unparsable JSON';
        throw new GridbusError('BACKEND_BAD_RESPONSE', `${operation}: the back office answered malformed JSON (HTTP ${res.statusCode})`, { details: { operation } });
      }
    }
    if (res.statusCode < 200 || res.statusCode >= 300) {
      this.lastError = res.statusCode >= 500 ? `HTTP ${res.statusCode}` : null;
      throw new GridbusError('BACKEND_FAULT', `${operation}: the back office answered HTTP ${res.statusCode}`, {
        retryable: res.statusCode >= 500 || res.statusCode === 429,
        details: { operation, httpStatus: res.statusCode, faultstring: text.slice(0, 200) },
      });
    }
    this.lastError = null;
    return { body, rawRequest, rawResponse: text, durationMs };
  }

  private fail(err: unknown, operation: string, timeoutMs: number): GridbusError {
    const e = err as { code?: string; name?: string; message?: string };
    if ((e.code && TIMEOUTS.has(e.code)) || e.name === 'TimeoutError' || e.name === 'AbortError') {
      this.lastError = 'timeout';
      return new GridbusError('BACKEND_TIMEOUT', `${operation}: no answer from ${this.origin} within ${timeoutMs} ms`, { details: { operation }, cause: err });
    }
    if (e.code === 'BODY_TOO_LARGE') return new GridbusError('BACKEND_BAD_RESPONSE', `${operation}: the answer exceeds ${MAX_BODY_BYTES} bytes`, { details: { operation } });
    this.lastError = e.code ?? e.message ?? 'error';
    if (e.code && UNREACHABLE.has(e.code)) {
      return new GridbusError('BACKEND_UNAVAILABLE', `${operation}: cannot reach ${this.origin} (${e.code})`, { details: { operation }, cause: err });
    }
    return new GridbusError('BACKEND_UNAVAILABLE', `${operation}: call to ${this.origin} failed: ${e.message ?? 'unknown error'}`, { details: { operation }, cause: err });
  }
}

async function readLimited(body: Dispatcher.ResponseData['body']): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) {
      body.destroy();
      throw Object.assign(new Error('body too large'), { code: 'BODY_TOO_LARGE' });
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
