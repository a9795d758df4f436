import * as http from 'http';
import * as https from 'https';
import * as zlib from 'zlib';
import * as soap from 'soap';

/** What node-soap's client reads of an HTTP answer (the shape of an axios response). */
export interface SoapHttpResponse {
  status: number;
  statusText: string;
  headers: http.IncomingHttpHeaders;
  data: string;
  config: { url: string; method: string; headers: Record<string, unknown> };
}

type Callback = (error: unknown, res?: SoapHttpResponse, body?: unknown) => unknown;

/** Call options node-soap passes through that this client understands: the rest goes to node-soap's own (axios). */
const OWN_OPTIONS = new Set(['timeout', 'headers']);

/**
 * node-soap's HTTP client with the transport replaced: one `http.request` on
 * a keep-alive agent instead of axios (with follow-redirects, its config
 * merging, interceptors and proxy lookup), which cost more CPU per call than
 * everything else the client does. node-soap still builds the request
 * (`buildRequest`: the same headers and body) and cleans the answer
 * (`handleResponse`), and reads it as before; errors look like axios's to it
 * and to `translateSoapError`: the socket's own `code` (ECONNREFUSED...), or
 * `ECONNABORTED` "timeout of N ms exceeded" when the whole exchange (connect,
 * send, answer) takes longer than the call's `timeout`. Redirects are not followed (a
 * SOAP endpoint does not move per call): a 3xx answer is read like any other
 * non-2xx one. Calls with options this client does not know (NTLM, MTOM
 * attachments, gzip requests...) and GET requests go to node-soap's own client.
 */
export class KeepAliveSoapHttpClient extends soap.HttpClient {
  constructor(
    private readonly agents: { http: http.Agent; https: https.Agent },
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
    const promise = new Promise<SoapHttpResponse>((resolve, reject) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        callback(err);
        reject(err);
      };
      const tls = options.url.charCodeAt(4) === 115; // https:
      const send = tls ? https.request : http.request;
      const req = send(options.url, { method: options.method, headers: options.headers as http.OutgoingHttpHeaders, agent: tls ? this.agents.https : this.agents.http }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', fail);
        res.on('aborted', () => fail(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })));
        res.on('end', () => {
          if (settled) return;
          let body: string;
          try {
            body = decodeBody(Buffer.concat(chunks), res.headers['content-encoding']);
          } catch (err) {
            fail(err as Error);
            return;
          }
          settled = true;
          if (timer) clearTimeout(timer);
          const response: SoapHttpResponse = {
            status: res.statusCode ?? 0,
            statusText: res.statusMessage ?? '',
            headers: res.headers,
            data: body,
            config: { url: options.url, method: options.method, headers: options.headers },
          };
          // node-soap's cleaning of the answer (text around the envelope, a leading comment)
          response.data = this.handleResponse(promise as never, response as never, body);
          resolve(response);
          callback(null, response, response.data);
        });
      });
      req.on('error', fail);
      if (options.timeout && options.timeout > 0) {
        timer = setTimeout(() => {
          fail(Object.assign(new Error(`timeout of ${options.timeout}ms exceeded`), { code: 'ECONNABORTED' }));
          req.destroy();
        }, options.timeout);
      }
      req.end(options.data);
    });
    // node-soap ignores what request() returns on this path; never let it be an unhandled rejection
    promise.catch(() => undefined);
    return promise as never;
  }
}

function decodeBody(buf: Buffer, encoding: string | undefined): string {
  if (!encoding || encoding === 'identity') return buf.toString('utf8');
  const e = encoding.trim().toLowerCase();
  if (e === 'gzip' || e === 'x-gzip') return zlib.gunzipSync(buf).toString('utf8');
  if (e === 'deflate') return zlib.inflateSync(buf).toString('utf8');
  if (e === 'br') return zlib.brotliDecompressSync(buf).toString('utf8');
  return buf.toString('utf8');
}
