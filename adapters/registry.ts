import { Endpoint } from '../core/mapping';
import { Adapter } from './adapter';
import { SoapAdapter } from './soap/soap-adapter';

/**
 * Creates each adapter once per distinct endpoint and hands the same one to
 * every operation bound to it (one SOAP client per WSDL, reused).
 */
export class AdapterRegistry {
  private readonly adapters = new Map<string, Adapter>();

  soapFor(endpoint: Endpoint): SoapAdapter {
    const key = `soap:${endpoint.wsdl}`;
    let adapter = this.adapters.get(key) as SoapAdapter | undefined;
    if (!adapter) {
      adapter = new SoapAdapter({ wsdlUrl: endpoint.wsdl, timeoutMs: endpoint.timeoutMs });
      this.adapters.set(key, adapter);
    }
    return adapter;
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
}

/** Lets the operation runner reach any endpoint without importing adapters. */
export function endpointInvoker(registry: AdapterRegistry) {
  return {
    invoke(endpoint: Endpoint, body: Record<string, unknown>, opts: { timeoutMs?: number }) {
      switch (endpoint.adapter) {
        case 'soap':
          return registry.soapFor(endpoint).call(endpoint.operation, body, opts);
      }
    },
  };
}
