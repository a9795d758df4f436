import * as http from 'http';
import * as https from 'https';
import axios from 'axios';
import * as soap from 'soap';
import { GridbusError } from '../../core/errors';
import { Adapter, AdapterHealth, Exchange } from '../adapter';
import { translateSoapError } from './soap-errors';

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
 */
export class SoapAdapter implements Adapter {
  readonly kind = 'soap' as const;
  readonly id: string;
  private client: soap.Client | null = null;
  private connecting: Promise<soap.Client> | null = null;
  private lastError: string | null = null;

  constructor(private readonly options: SoapAdapterOptions) {
    this.id = `soap:${options.wsdlUrl}`;
  }

  async start(): Promise<void> {
    await this.getClient().catch(() => undefined);
  }

  async stop(): Promise<void> {
    this.client = null;
  }

  async health(): Promise<AdapterHealth> {
    if (this.client && !this.lastError) return { status: 'up', detail: this.options.wsdlUrl };
    if (this.client) return { status: 'degraded', detail: `${this.options.wsdlUrl}: last call failed: ${this.lastError}` };
    return { status: 'down', detail: `${this.options.wsdlUrl}: ${this.lastError ?? 'WSDL not loaded yet'}` };
  }

  async call(operation: string, args: Record<string, unknown>, opts: { timeoutMs?: number } = {}): Promise<Exchange> {
    const timeoutMs = opts.timeoutMs ?? this.options.timeoutMs ?? 10000;
    const client = await this.getClient();
    const method = (client as unknown as Record<string, AsyncMethod | undefined>)[`${operation}Async`];
    if (typeof method !== 'function') {
      throw new GridbusError('MAPPING_INVALID', `the WSDL at ${this.options.wsdlUrl} has no operation '${operation}'`, { details: { operation } });
    }
    const started = Date.now();
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

  private getClient(): Promise<soap.Client> {
    if (this.client) return Promise.resolve(this.client);
    if (!this.connecting) {
      this.connecting = soap
        .createClientAsync(this.options.wsdlUrl, {
          wsdl_options: { timeout: 5000 },
          // Keep-alive: a new TCP connection per call costs more than the call (node-soap's default axios has none).
          request: axios.create({
            httpAgent: new http.Agent({ keepAlive: true, maxSockets: 64 }),
            httpsAgent: new https.Agent({ keepAlive: true, maxSockets: 64 }),
          }),
        })
        .then((client) => {
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
}
