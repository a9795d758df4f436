import { SoapSimulator, startSoapHost } from '../soap-host';
import { createMarketingServices } from './service';
import { MARKETING_PATH, renderMarketingWsdl } from './wsdl';

export interface MarketingSimulatorOptions {
  /** Address to bind; default 127.0.0.1. */
  host?: string;
  /** Default 0: the OS picks a free port (read it from url/wsdlUrl). */
  port?: number;
  /** Answer delay of the SLOW account (8888888888); default 3000 ms. */
  slowDelayMs?: number;
}

export type MarketingSimulator = SoapSimulator;

/** Starts the marketing-system SOAP simulator on a Node http.Server. */
export async function startMarketingSimulator(opts: MarketingSimulatorOptions = {}): Promise<MarketingSimulator> {
  const slowDelayMs = opts.slowDelayMs ?? 3000;
  return startSoapHost({
    host: opts.host,
    port: opts.port,
    path: MARKETING_PATH,
    wsdl: renderMarketingWsdl,
    services: (sleep) => createMarketingServices({ slowDelayMs, sleep }),
  });
}
