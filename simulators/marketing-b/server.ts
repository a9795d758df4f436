import { createServer } from 'http';
import type { AddressInfo } from 'net';
import * as soap from 'soap';
import type { MarketingSimulator, MarketingSimulatorOptions } from '../marketing/server';
import { ENVELOPE_KEY, createMarketingBServices } from './service';
import { MARKETING_B_PATH, renderMarketingBWsdl } from './wsdl';

/** Same options as simulator A: host (127.0.0.1), port (0 = any free one), slowDelayMs (3000). */
export type MarketingBSimulatorOptions = MarketingSimulatorOptions;
/** Same shape as simulator A: { url, wsdlUrl, close(), requestCount() }. */
export type MarketingBSimulator = MarketingSimulator;

function advertisedHost(host: string): string {
  // a wildcard bind is not an address a client can dial
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/** Starts the second marketing-system simulator ("YX", SOAP) on a Node http.Server. */
export async function startMarketingBSimulator(opts: MarketingBSimulatorOptions = {}): Promise<MarketingBSimulator> {
  const host = opts.host ?? '127.0.0.1';
  const slowDelayMs = opts.slowDelayMs ?? 3000;

  // node-soap keeps this as the handler for every other path
  const http = createServer((_req, res) => {
    res.statusCode = 404;
    res.end('Not found');
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(opts.port ?? 0, host, () => {
      http.off('error', reject);
      resolve();
    });
  });

  // only now is the port known, and the WSDL must advertise it
  const { port } = http.address() as AddressInfo;
  const url = `http://${advertisedHost(host)}:${port}${MARKETING_B_PATH}`;

  const timers = new Set<NodeJS.Timeout>();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  let requests = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const server = soap.listen(http, {
        path: MARKETING_B_PATH,
        services: createMarketingBServices({ slowDelayMs, sleep }),
        xml: renderMarketingBWsdl(url),
        // YX answers <soapenv:Envelope>, so its faultcodes read soapenv:Server / soapenv:Client
        envelopeKey: ENVELOPE_KEY,
        suppressStack: true,
        enableChunkedEncoding: false,
        callback: (err: unknown) => (err ? reject(err) : resolve()),
      });
      server.on('request', () => {
        requests += 1;
      });
    });
  } catch (err) {
    http.close();
    throw err;
  }

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= new Promise<void>((resolve, reject) => {
      // a pending SLOW answer must not keep the process alive
      for (const t of timers) clearTimeout(t);
      timers.clear();
      http.close((err) => (err ? reject(err) : resolve()));
      http.closeAllConnections();
    }));

  return { url, wsdlUrl: `${url}?wsdl`, close, requestCount: () => requests };
}
