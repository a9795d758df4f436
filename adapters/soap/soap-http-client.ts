import type { IncomingHttpHeaders } from 'http';
import * as zlib from 'zlib';
import * as soap from 'soap';
import { Dispatcher, Pool } from 'undici';

/** What node-soap's client reads of an HTTP answer (the shape of an axios response). */
export interface SoapHttpResponse {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  data: string;
  config: { url: string; method: string; headers: Record<string, unknown> };
}

type Callback = (error: unknown, res?: SoapHttpResponse, body?: unknown) => unknown;

/** Call options node-soap passes through that this client understands: the rest goes to node-soap's own (axios). */
const OWN_OPTIONS = new Set(['timeout', 'headers']);
/** Request headers undici sets itself or refuses. */
const NOT_PASSED = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'expect']);

/** undici's socket errors under the names node-soap's axios gave them (soap-errors.ts reads `code`). */
function axiosLike(err: Error & { code?: string }): Error {
  if (err.code === 'UND_ERR_SOCKET' || err.code === 'UND_ERR_CLOSED') return Object.assign(err, { code: 'ECONNRESET' });
  if (err.code === 'UND_ERR_CONNECT_TIMEOUT') return Object.assign(err, { code: 'ETIMEDOUT' });
  return err;
}

/**
 * node-soap's HTTP client with the transport replaced: one undici request on
 * a keep-alive pool per origin instead of axios (with follow-redirects, its
 * config merging, interceptors and proxy lookup) on Node's http client,
 * which together cost more CPU per call than everything else the client
 * does. node-soap still builds the request (`buildRequest`: the same headers
 * and body) and cleans the answer (`handleResponse`), and reads it as
 * before; errors look like axios's to it and to `translateSoapError`: the
 * socket's own `code` (ECONNREFUSED, ECONNRESET...), or `ECONNABORTED`
 * "timeout of N ms exceeded" when the whole exchange (connect, send, answer)
 * takes longer than the call's `timeout`. Redirects are not followed (a SOAP
 * endpoint does not move per call): a 3xx answer is read like any other
 * non-2xx one. Calls with options this client does not know (NTLM, MTOM
 * attachments, gzip requests...) and GET requests (the WSDL) go to
 * node-soap's own client.
 */
export class KeepAliveSoapHttpClient extends soap.HttpClient {
  constructor(
    private readonly poolFor: (origin: string) => Pool,
    axiosInstance: unknown,
  ) {
    super({ request: axiosInstance } as never);
  }

  override request(rurl: string, data: unknown, callback: Callback, exheaders?: Record<string, unknown>, exoptions?: Record<string, unknown>): never {
    if (typeof data !== 'string' || (exoptions && Object.keys(exoptions).some((k) => !OWN_OPTIONS.has(k)))) {
      return super.request(rurl, data, callback, exheaders as never, exoptions as never) as never;
    }
    const options = this.buildRequest(rurl, data, exheaders as never, exoptions as never) as {
      url: string;
      method: string;
      headers: Record<string, string | number>;
      data: string;
      timeout?: number;
    };
    const headers: Record<string, string> = {};
    for (const name in options.headers) {
      if (!NOT_PASSED.has(name.toLowerCase())) headers[name] = String(options.headers[name]);
    }
    const url = targetOf(options.url);
    const promise = new Promise<SoapHttpResponse>((resolve, reject) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      let abort: ((err?: Error) => void) | undefined;
      let status = 0;
      let statusText = '';
      let responseHeaders: IncomingHttpHeaders = {};
      const chunks: Buffer[] = [];
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        callback(err);
        reject(err);
      };
      const handler: Dispatcher.DispatchHandlers = {
        onConnect: (a) => {
          abort = a;
        },
        onHeaders: (statusCode, raw, _resume, text) => {
          status = statusCode;
          statusText = text ?? '';
          responseHeaders = headersOf(raw);
          return true;
        },
        onData: (chunk) => {
          chunks.push(chunk);
          return true;
        },
        onComplete: () => {
          if (settled) return;
          let body: string;
          try {
            body = decodeBody(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks), responseHeaders['content-encoding'] as string | undefined);
          } catch (err) {
            fail(err as Error);
            return;
          }
          settled = true;
          if (timer) clearTimeout(timer);
          const response: SoapHttpResponse = { status, statusText, headers: responseHeaders, data: body, config: { url: options.url, method: options.method, headers: options.headers } };
          // node-soap's cleaning of the answer (text around the envelope, a leading comment)
          response.data = this.handleResponse(promise as never, response as never, body);
          resolve(response);
          callback(null, response, response.data);
        },
        onError: (err) => fail(axiosLike(err)),
        onUpgrade: () => fail(new Error('unexpected protocol upgrade')),
      };
      if (options.timeout && options.timeout > 0) {
        timer = setTimeout(() => {
          const err = Object.assign(new Error(`timeout of ${options.timeout}ms exceeded`), { code: 'ECONNABORTED' });
          fail(err);
          abort?.(err);
        }, options.timeout);
      }
      try {
        this.poolFor(url.origin).dispatch(
          { method: options.method as Dispatcher.HttpMethod, path: url.path, headers, body: options.data, headersTimeout: 0, bodyTimeout: 0 },
          handler,
        );
      } catch (err) {
        fail(err as Error);
      }
    });
    // node-soap ignores what request() returns on this path; never let it be an unhandled rejection
    promise.catch(() => undefined);
    return promise as never;
  }
}

const targets = new Map<string, { origin: string; path: string }>();
/** Origin and path of an endpoint URL (a client calls the same few over and over). */
function targetOf(href: string): { origin: string; path: string } {
  let t = targets.get(href);
  if (!t) {
    const u = new URL(href);
    t = { origin: u.origin, path: u.pathname + u.search };
    if (targets.size < 1000) targets.set(href, t);
  }
  return t;
}

/** undici's raw header list as Node's lower-case header object (repeated ones joined as Node does). */
function headersOf(raw: Buffer[] | string[] | null): IncomingHttpHeaders {
  const out: Record<string, string | string[]> = {};
  if (!raw) return out;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i].toString().toLowerCase();
    const value = raw[i + 1].toString();
    const prev = out[name];
    if (prev === undefined) out[name] = name === 'set-cookie' ? [value] : value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[name] = `${prev}, ${value}`;
  }
  return out as IncomingHttpHeaders;
}

function decodeBody(buf: Buffer, encoding: string | undefined): string {
  if (!encoding || encoding === 'identity') return buf.toString('utf8');
  const e = encoding.trim().toLowerCase();
  if (e === 'gzip' || e === 'x-gzip') return zlib.gunzipSync(buf).toString('utf8');
  if (e === 'deflate') return zlib.inflateSync(buf).toString('utf8');
  if (e === 'br') return zlib.brotliDecompressSync(buf).toString('utf8');
  return buf.toString('utf8');
}
