import * as http from 'http';
import * as https from 'https';
import axios from 'axios';
import * as soap from 'soap';
import { Pool } from 'undici';
import { GridbusError } from '../../core/errors';
import { Adapter, AdapterHealth, Exchange } from '../adapter';
import { translateSoapError } from './soap-errors';
import { KeepAliveSoapHttpClient } from './soap-http-client';
import { SoapRequestWriter, WritableWsdl } from './soap-request-writer';
import { SoapResponseReader, UNREAD } from './soap-response-reader';

export interface SoapAdapterOptions {
  wsdlUrl: string;
  /** Default per-call timeout; an operation may ask for its own. */
  timeoutMs?: number;
  /** Optional WS-Security UsernameToken. */
  username?: string;
  password?: string;
}

type AsyncMethod = (args: unknown, options?: Record<string, unknown>) => Promise<[unknown, string, unknown, string]>;

/**
 * One SOAP endpoint. The client is built from the WSDL once and reused; if
 * the WSDL cannot be fetched at start, the adapter reports `down` and tries
 * again on the next call instead of failing the whole node.
 *
 * node-soap does the SOAP work (envelope, WS-Security, SOAPAction, faults);
 * three of its parts are replaced on the hot path, each falling back to
 * node-soap's own for anything unusual: the transport (undici keep-alive
 * pools instead of axios, see soap-http-client.ts), the writing
 * of request bodies (templates per shape of the arguments, see
 * soap-request-writer.ts) and the reading of plain responses (see
 * soap-response-reader.ts).
 */
export class SoapAdapter implements Adapter {
  readonly kind = 'soap' as const;
  readonly id: string;
  private client: soap.Client | null = null;
  private connecting: Promise<soap.Client> | null = null;
  private lastError: string | null = null;
  private agents: { http: http.Agent; https: https.Agent } | null = null;
  /** Keep-alive connections per origin for the calls (the WSDL is fetched with node-soap's own client). */
  private readonly pools = new Map<string, Pool>();
  private readonly counters = { calls: 0, responsesReadFast: 0, responsesReadByNodeSoap: 0 };

  constructor(private readonly options: SoapAdapterOptions) {
    this.id = `soap:${options.wsdlUrl}`;
  }

  async start(): Promise<void> {
    await this.getClient().catch(() => undefined);
  }

  async stop(): Promise<void> {
    this.client = null;
    this.agents?.http.destroy();
    this.agents?.https.destroy();
    this.agents = null;
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => closePool(p)));
  }

  async health(): Promise<AdapterHealth> {
    if (this.client && !this.lastError) return { status: 'up', detail: this.options.wsdlUrl };
    if (this.client) return { status: 'degraded', detail: `${this.options.wsdlUrl}: last call failed: ${this.lastError}` };
    return { status: 'down', detail: `${this.options.wsdlUrl}: ${this.lastError ?? 'WSDL not loaded yet'}` };
  }

  /** Calls made, and how their responses were read (fast reader or node-soap). */
  metrics() {
    return { ...this.counters, connected: this.client !== null };
  }

  async call(operation: string, args: Record<string, unknown>, opts: { timeoutMs?: number } = {}): Promise<Exchange> {
    const timeoutMs = opts.timeoutMs ?? this.options.timeoutMs ?? 10000;
    const client = await this.getClient();
    const method = (client as unknown as Record<string, AsyncMethod | undefined>)[`${operation}Async`];
    if (typeof method !== 'function') {
      throw new GridbusError('MAPPING_INVALID', `the WSDL at ${this.options.wsdlUrl} has no operation '${operation}'`, { details: { operation } });
    }
    const started = Date.now();
    this.counters.calls++;
    try {
      const [body, rawResponse, , rawRequest] = await method.call(client, args, { timeout: timeoutMs });
      this.lastError = null;
      return { body: body ?? {}, rawRequest, rawResponse, durationMs: Date.now() - started };
    } catch (err) {
      const typed = translateSoapError(err, this.options.wsdlUrl, operation, timeoutMs);
      // A fault is an answer: the endpoint itself is healthy.
      this.lastError = typed.errorCode === 'BACKEND_FAULT' ? null : typed.message;
      throw typed;
    }
  }

  private poolFor(origin: string): Pool {
    let pool = this.pools.get(origin);
    if (!pool) this.pools.set(origin, (pool = new Pool(origin, { connections: 64 })));
    return pool;
  }

  private getClient(): Promise<soap.Client> {
    if (this.client) return Promise.resolve(this.client);
    if (!this.connecting) {
      // Keep-alive: a new TCP connection per call costs more than the call (node-soap's default axios has none).
      const agents = { http: new http.Agent({ keepAlive: true, maxSockets: 64 }), https: new https.Agent({ keepAlive: true, maxSockets: 64 }) };
      this.agents = agents;
      const axiosInstance = axios.create({ httpAgent: agents.http, httpsAgent: agents.https });
      this.connecting = soap
        .createClientAsync(this.options.wsdlUrl, {
          wsdl_options: { timeout: 5000 },
          // node-soap shares one WSDL object per URL between clients; the response reader is installed on this client's own
          disableCache: true,
          request: axiosInstance,
          httpClient: new KeepAliveSoapHttpClient((origin) => this.poolFor(origin), axiosInstance),
        })
        .then((client) => {
          this.installReader(client);
          this.installWriter(client);
          if (this.options.username) {
            client.setSecurity(new soap.WSSecurity(this.options.username, this.options.password ?? '', { passwordType: 'PasswordText' }));
          }
          this.client = client;
          this.lastError = null;
          return client;
        })
        .catch((err: Error) => {
          this.lastError = `cannot load WSDL: ${err.message}`;
          throw new GridbusError('BACKEND_UNAVAILABLE', `cannot load the WSDL at ${this.options.wsdlUrl}: ${err.message}`, { cause: err });
        })
        .finally(() => {
          this.connecting = null;
        });
    }
    return this.connecting;
  }

  /** node-soap writes every document/literal request body with `wsdl.objectToDocumentXML`: from templates instead. */
  private installWriter(client: soap.Client): void {
    const wsdl = client.wsdl as unknown as WritableWsdl;
    const writer = new SoapRequestWriter(wsdl, wsdl.objectToDocumentXML);
    wsdl.objectToDocumentXML = (name, params, nsPrefix, nsURI, type, options) => writer.documentXml(name, params, nsPrefix, nsURI, type, options);
  }

  /** node-soap reads every response with `wsdl.xmlToObject`: plain ones are read by the fast reader instead. */
  private installReader(client: soap.Client): void {
    const wsdl = client.wsdl as unknown as { xmlToObject: (xml: unknown, callback?: unknown) => unknown };
    const reader = new SoapResponseReader(client.wsdl as never);
    const nodeSoapRead = wsdl.xmlToObject;
    const counters = this.counters;
    wsdl.xmlToObject = function (this: unknown, xml: unknown, callback?: unknown) {
      if (typeof xml === 'string' && typeof callback !== 'function') {
        const read = reader.read(xml);
        if (read !== UNREAD) {
          counters.responsesReadFast++;
          return read;
        }
      }
      counters.responsesReadByNodeSoap++;
      try {
        return nodeSoapRead.call(this, xml, callback);
      } finally {
        // node-soap may have added message aliases while reading it
        reader.forget();
      }
    };
  }
}

/**
 * Lets calls in flight finish (they have their own deadlines), then closes the
 * connections; gives up waiting after 2 s and drops them. (undici's `destroy()`
 * on a pool that has had several connections could leave its promise pending.)
 */
async function closePool(pool: Pool): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const closed = pool.close().then(
    () => true,
    () => false,
  );
  const gaveUp = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), 2000)));
  const done = await Promise.race([closed, gaveUp]);
  clearTimeout(timer);
  if (!done) void pool.destroy().catch(() => undefined);
}
