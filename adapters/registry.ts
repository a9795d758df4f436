import { Endpoint, HttpEndpoint, SoapEndpoint } from '../core/mapping';
import { Adapter } from './adapter';
import { HttpAdapter } from './http/http-adapter';
import { buildHttpCall } from './http/http-request';
import { SoapAdapter } from './soap/soap-adapter';

const DEFAULT_TIMEOUT_MS = 10000;

/**
 * Creates each adapter once per distinct endpoint and hands the same one to
 * every operation bound to it (one SOAP client per WSDL, one HTTP pool per origin).
 */
export class AdapterRegistry {
  private readonly adapters = new Map<string, Adapter>();

  soapFor(endpoint: SoapEndpoint): SoapAdapter {
    return this.getOrCreate(`soap:${endpoint.wsdl}`, () => new SoapAdapter({ wsdlUrl: endpoint.wsdl, timeoutMs: endpoint.timeoutMs }));
  }

  httpFor(origin: string): HttpAdapter {
    return this.getOrCreate(`http:${origin}`, () => new HttpAdapter(origin));
  }

  /** The adapter an endpoint uses, created if new. */
  forEndpoint(endpoint: Endpoint): Adapter {
    return endpoint.adapter === 'soap' ? this.soapFor(endpoint) : this.httpFor(new URL(endpoint.url).origin);
  }

  all(): Adapter[] {
    return [...this.adapters.values()];
  }

  async startAll(): Promise<void> {
    await Promise.all(this.all().map((a) => a.start()));
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.all().map((a) => a.stop()));
  }

  private getOrCreate<T extends Adapter>(key: string, create: () => T): T {
    let adapter = this.adapters.get(key) as T | undefined;
    if (!adapter) {
      adapter = create();
      this.adapters.set(key, adapter);
    }
    return adapter;
  }
}

/** Lets the operation runner reach any endpoint without importing adapters. */
export function endpointInvoker(registry: AdapterRegistry) {
  return {
    invoke(endpoint: Endpoint, body: Record<string, unknown>, opts: { timeoutMs?: number }) {
      const timeoutMs = opts.timeoutMs ?? endpoint.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      if (endpoint.adapter === 'soap') return registry.soapFor(endpoint).call(endpoint.operation, body, { timeoutMs });
      const { origin, call } = buildHttpCall(endpoint as HttpEndpoint, body, timeoutMs);
      return registry.httpFor(origin).call(`${endpoint.method} ${new URL(endpoint.url).pathname}`, call);
    },
  };
}
