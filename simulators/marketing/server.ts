import { createServer } from 'http';
import type { AddressInfo } from 'net';
import * as soap from 'soap';
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

export interface MarketingSimulator {
  /** SOAP endpoint, e.g. http://127.0.0.1:40123/marketing/soap */
  url: string;
  /** `${url}?wsdl` */
  wsdlUrl: string;
  /** Stops listening and drops open (keep-alive and pending) connections. */
  close(): Promise<void>;
  /** SOAP operation calls received so far (WSDL fetches are not counted). */
  requestCount(): number;
}

function advertisedHost(host: string): string {
  // a wildcard bind is not an address a client can dial
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/** Starts the marketing-system SOAP simulator on a Node http.Server. */
export async function startMarketingSimulator(opts: MarketingSimulatorOptions = {}): Promise<MarketingSimulator> {
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
  const url = `http://${advertisedHost(host)}:${port}${MARKETING_PATH}`;

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
        path: MARKETING_PATH,
        services: createMarketingServices({ slowDelayMs, sleep }),
        xml: renderMarketingWsdl(url),
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
