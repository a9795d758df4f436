import { ArchiveLedger } from '../archive-ledger';
import { startSoapHost } from '../soap-host';
import { PaymentLedger } from '../marketing/payment-ledger';
import type { WriteOffDelay } from '../marketing/payment-service';
import { MarketingSimulator, MarketingSimulatorOptions, paymentControls } from '../marketing/server';
import { ENVELOPE_KEY, createMarketingBServices } from './service';
import { CUST_SERV_PATH, MARKETING_B_PATH, renderMarketingBWsdl } from './wsdl';
import { EBillBook } from '../marketing/ebill-book';
import { plateControls } from '../marketing/plate-controls';
import { TicketBook } from '../marketing/ticket-book';

/** Same options as simulator A: host (127.0.0.1), port (0 = any free one), slowDelayMs (3000), payments, writeOffDelayMs. */
export type MarketingBSimulatorOptions = MarketingSimulatorOptions;
/** Same shape as simulator A: { url, wsdlUrl, close(), requestCount(), archive, payments, writeOffs(), reversals(), setWriteOffDelayMs(), tickets, ebills, advanceTicket() }. */
export type MarketingBSimulator = MarketingSimulator;

/** Starts the second marketing-system simulator ("YX", SOAP) on a Node http.Server. */
export async function startMarketingBSimulator(opts: MarketingBSimulatorOptions = {}): Promise<MarketingBSimulator> {
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
    path: MARKETING_B_PATH,
    portPaths: [CUST_SERV_PATH],
    wsdl: renderMarketingBWsdl,
    services: (sleep) => createMarketingBServices({ slowDelayMs, sleep, archive, payments, writeOffDelay, tickets, ebills, ticketDelayMs: opts.ticketDelayMs ?? 0 }),
    // YX answers <soapenv:Envelope>, so its faultcodes read soapenv:Server / soapenv:Client
    envelopeKey: ENVELOPE_KEY,
    control: { ...routes, ...plates.routes },
  });
  return Object.assign(host, controls, plates.controls, { archive });
}
