import { createServer } from 'http';
import type { AddressInfo } from 'net';
import * as soap from 'soap';

export interface SoapSimulator {
  /** SOAP endpoint, e.g. http://127.0.0.1:40123/marketing/soap */
  url: string;
  /** `${url}?wsdl` */
  wsdlUrl: string;
  /** Stops listening and drops open (keep-alive and pending) connections. */
  close(): Promise<void>;
  /** SOAP operation calls received so far (WSDL fetches are not counted). */
  requestCount(): number;
}

export interface SoapHostSpec {
  host?: string;
  port?: number;
  path: string;
  /** Further paths answered by the same SOAP server: the addresses of the WSDL's other ports or services. */
  portPaths?: string[];
  /** The WSDL, rendered for the address the server really listens on. */
  wsdl(url: string): string;
  /** The service implementation; `sleep` is cancelled by close() so slow answers never keep a process alive. */
  services(sleep: (ms: number) => Promise<void>): soap.IServices;
  /** e.g. 'soapenv' for a system whose envelopes (and fault codes) use that prefix. */
  envelopeKey?: string;
  /** Test controls beside the SOAP path, keyed `GET /sim/ledger`: each answers JSON, so a test in another process can read or steer the simulator. */
  control?: Record<string, (query: URLSearchParams) => unknown>;
}

function advertisedHost(host: string): string {
  // a wildcard bind is not an address a client can dial
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/** node-soap takes one path, or a RegExp matched against the request path with a trailing '/'. */
function anyOfPaths(paths: string[]): RegExp {
  const escaped = paths.map((p) => p.replace(/\/$/, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^(?:${escaped.join('|')})/$`);
}

/** Hosts a simulated SOAP system (node-soap's server) on a Node http.Server; shared by the simulators. */
export async function startSoapHost(spec: SoapHostSpec): Promise<SoapSimulator> {
  const host = spec.host ?? '127.0.0.1';
  // node-soap keeps this as the handler for every other path
  const http = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sim');
    const route = spec.control?.[`${req.method} ${url.pathname}`];
    if (route) {
      try {
        const body = JSON.stringify(route(url.searchParams));
        res.writeHead(200, { 'content-type': 'application/json' }).end(body);
      } catch (err) {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: (err as Error).message }));
      }
      return;
    }
    res.statusCode = 404;
    res.end('Not found');
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(spec.port ?? 0, host, () => {
      http.off('error', reject);
      resolve();
    });
  });

  // only now is the port known, and the WSDL must advertise it
  const { port } = http.address() as AddressInfo;
  const url = `http://${advertisedHost(host)}:${port}${spec.path}`;

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
        path: spec.portPaths?.length ? anyOfPaths([spec.path, ...spec.portPaths]) : spec.path,
        services: spec.services(sleep),
        xml: spec.wsdl(url),
        ...(spec.envelopeKey ? { envelopeKey: spec.envelopeKey } : {}),
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
      // a pending slow answer must not keep the process alive
      for (const t of timers) clearTimeout(t);
      timers.clear();
      http.close((err) => (err ? reject(err) : resolve()));
      http.closeAllConnections();
    }));

  return { url, wsdlUrl: `${url}?wsdl`, close, requestCount: () => requests };
}
