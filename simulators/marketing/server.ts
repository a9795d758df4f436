import { ArchiveLedger } from '../archive-ledger';
import { SoapSimulator, startSoapHost } from '../soap-host';
import { LedgerSnapshot, PaymentLedger, ReversalRecord, WriteOffRecord } from './payment-ledger';
import { WriteOffDelay } from './payment-service';
import { createMarketingServices } from './service';
import { MARKETING_PATH, CUSTOMER_SERVICE_PATH, renderMarketingWsdl } from './wsdl';
import { EBillBook } from './ebill-book';
import { PlateControls, plateControls } from './plate-controls';
import { TicketBook } from './ticket-book';

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
  /** Where write-offs and reversals are counted (and the arrears they change); pass a stopped simulator's to keep them across a restart. */
  payments?: PaymentLedger;
  /** Write-off answers wait this long (default 0), after applying unless writeOffDelayPhase is 'before'. */
  writeOffDelayMs?: number;
  writeOffDelayPhase?: WriteOffDelay['phase'];
  /** Work orders / tickets by serial; pass a stopped simulator's to keep them across a restart. */
  tickets?: TicketBook;
  /** E-bill subscriptions; pass a stopped simulator's to keep them across a restart. */
  ebills?: EBillBook;
  /** A new ticket is answered this long after it was opened (default 0): a lost reply of a created ticket. */
  ticketDelayMs?: number;
}

/** What a test reads and steers of the money path (also over HTTP: GET /sim/ledger, POST /sim/write-off-delay?ms=&phase=). */
export interface PaymentControls {
  /** Write-offs and reversals received, by serial, and the arrears they changed. */
  payments: PaymentLedger;
  writeOffs(): WriteOffRecord[];
  reversals(): ReversalRecord[];
  /** From now on a write-off answers `ms` late; `after` (default) it was applied (a lost reply), `before` it is applied (slow, not applied yet). */
  setWriteOffDelayMs(ms: number, phase?: WriteOffDelay['phase']): void;
}

export type MarketingSimulator = SoapSimulator &
  PaymentControls &
  PlateControls & {
    /** The archive updates received, by serial. */
    archive: ArchiveLedger;
  };

/** The handle's controls and their HTTP routes (GET /sim/ledger answers LedgerSnapshot), for both dialects. */
export function paymentControls(payments: PaymentLedger, delay: WriteOffDelay) {
  const setWriteOffDelayMs = (ms: number, phase: WriteOffDelay['phase'] = 'after') => {
    if (!Number.isInteger(ms) || ms < 0) throw new Error(`write-off delay must be a whole number of ms >= 0, got ${ms}`);
    if (phase !== 'before' && phase !== 'after') throw new Error(`write-off delay phase must be before or after, got ${phase}`);
    Object.assign(delay, { ms, phase });
  };
  const controls: PaymentControls = {
    payments,
    writeOffs: () => payments.writeOffs(),
    reversals: () => payments.reversals(),
    setWriteOffDelayMs,
  };
  const routes: Record<string, (q: URLSearchParams) => unknown> = {
    'GET /sim/ledger': (): LedgerSnapshot => payments.snapshot(),
    'POST /sim/write-off-delay': (q) => {
      setWriteOffDelayMs(Number(q.get('ms') ?? 'NaN'), (q.get('phase') ?? 'after') as WriteOffDelay['phase']);
      return { ...delay };
    },
  };
  return { controls, routes };
}

/** Starts the marketing-system SOAP simulator on a Node http.Server. */
export async function startMarketingSimulator(opts: MarketingSimulatorOptions = {}): Promise<MarketingSimulator> {
  const slowDelayMs = opts.slowDelayMs ?? 3000;
  const archive = opts.archive ?? new ArchiveLedger();
  const payments = opts.payments ?? new PaymentLedger();
  const writeOffDelay: WriteOffDelay = { ms: 0, phase: 'after' };
  const { controls, routes } = paymentControls(payments, writeOffDelay);
  controls.setWriteOffDelayMs(opts.writeOffDelayMs ?? 0, opts.writeOffDelayPhase);
  const tickets = opts.tickets ?? new TicketBook();
  const ebills = opts.ebills ?? new EBillBook();
  const plates = plateControls(tickets, ebills);
  const host = await startSoapHost({
    host: opts.host,
    port: opts.port,
    path: MARKETING_PATH,
    portPaths: [CUSTOMER_SERVICE_PATH],
    wsdl: renderMarketingWsdl,
    services: (sleep) =>
      createMarketingServices({
        slowDelayMs, sleep, archive, archiveDelayMs: opts.archiveDelayMs ?? 0, archiveDropFirst: opts.archiveDropFirst ?? 0, payments, writeOffDelay, tickets, ebills, ticketDelayMs: opts.ticketDelayMs ?? 0,
      }),
    control: { ...routes, ...plates.routes },
  });
  return Object.assign(host, controls, plates.controls, { archive });
}
