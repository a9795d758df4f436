import { ArchiveLedger } from '../archive-ledger';
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
  /** Where archive updates are counted; pass the ledger of a stopped simulator to keep its memory across a restart. */
  archive?: ArchiveLedger;
  /** UpdateArchive answers this long after applying (default 0). */
  archiveDelayMs?: number;
  /** The first N UpdateArchive requests are dropped before applying (answer late with a fault). */
  archiveDropFirst?: number;
}

export type MarketingSimulator = SoapSimulator & {
  /** The archive updates received, by serial. */
  archive: ArchiveLedger;
};

/** Starts the marketing-system SOAP simulator on a Node http.Server. */
export async function startMarketingSimulator(opts: MarketingSimulatorOptions = {}): Promise<MarketingSimulator> {
  const slowDelayMs = opts.slowDelayMs ?? 3000;
  const archive = opts.archive ?? new ArchiveLedger();
  const host = await startSoapHost({
    host: opts.host,
    port: opts.port,
    path: MARKETING_PATH,
    wsdl: renderMarketingWsdl,
    services: (sleep) => createMarketingServices({ slowDelayMs, sleep, archive, archiveDelayMs: opts.archiveDelayMs ?? 0, archiveDropFirst: opts.archiveDropFirst ?? 0 }),
  });
  return Object.assign(host, { archive });
}
