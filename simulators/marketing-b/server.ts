import { startSoapHost } from '../soap-host';
import type { MarketingSimulator, MarketingSimulatorOptions } from '../marketing/server';
import { ENVELOPE_KEY, createMarketingBServices } from './service';
import { MARKETING_B_PATH, renderMarketingBWsdl } from './wsdl';

/** Same options as simulator A: host (127.0.0.1), port (0 = any free one), slowDelayMs (3000). */
export type MarketingBSimulatorOptions = MarketingSimulatorOptions;
/** Same shape as simulator A: { url, wsdlUrl, close(), requestCount() }. */
export type MarketingBSimulator = MarketingSimulator;

/** Starts the second marketing-system simulator ("YX", SOAP) on a Node http.Server. */
export async function startMarketingBSimulator(opts: MarketingBSimulatorOptions = {}): Promise<MarketingBSimulator> {
  const slowDelayMs = opts.slowDelayMs ?? 3000;
  return startSoapHost({
    host: opts.host,
    port: opts.port,
    path: MARKETING_B_PATH,
    wsdl: renderMarketingBWsdl,
    services: (sleep) => createMarketingBServices({ slowDelayMs, sleep }),
    // YX answers <soapenv:Envelope>, so its faultcodes read soapenv:Server / soapenv:Client
    envelopeKey: ENVELOPE_KEY,
  });
}
