import type { IServices } from 'soap';
import { findHousehold, findHouseholdsByIdentity, Household, SPECIAL_CONS_NO, totalFen } from './dataset';
import { SoapFault } from './soap-fault';
import type { ArchiveLedger } from '../archive-ledger';
import type { PaymentLedger } from './payment-ledger';
import { WriteOffDelay, paymentOperations } from './payment-service';
import { RET_DUPLICATE_SERIAL, RET_NOT_FOUND, RET_OK } from './ret-codes';
import { customerServiceOperations } from './customer-service';
import type { EBillBook } from './ebill-book';
import type { TicketBook } from './ticket-book';

export * from './ret-codes';

export interface MarketingServiceOptions {
  /** How long the SLOW account takes to answer. */
  slowDelayMs: number;
  /** Waits ms; supplied by the server so it can cancel pending waits on close. */
  sleep: (ms: number) => Promise<void>;
  /** Archive updates received, by serial (read by tests). */
  archive: ArchiveLedger;
  /** UpdateArchive answers this long after it applied the update (0: at once): a caller that dies meanwhile never learns it was applied. */
  archiveDelayMs?: number;
  /** The first N UpdateArchive requests are dropped before applying: no answer within this delay, then a fault (default none). */
  archiveDropFirst?: number;
  /** Write-offs and reversals by serial, and the arrears they change (read by tests). */
  payments: PaymentLedger;
  /** How long a WriteOff answer waits, and whether before or after applying; changed live by setWriteOffDelayMs. */
  writeOffDelay: WriteOffDelay;
  /** Work orders by serial (CustomerServicePort). */
  tickets: TicketBook;
  /** E-bill subscriptions (CustomerServicePort). */
  ebills: EBillBook;
  /** CreateWorkOrder answers this long after opening the ticket (0: at once): a caller that times out meanwhile never learns it was created. */
  ticketDelayMs?: number;
}

export type Args = Record<string, unknown> | undefined;

/**
 * Shared entry of every operation: reads ConsNo and plays the special
 * accounts. A missing ConsNo violates the schema, so it is the caller's
 * fault (soap:Client), as a real SOAP stack would report it.
 */
export async function resolveConsNo(args: Args, opts: MarketingServiceOptions): Promise<string> {
  const consNo = typeof args?.ConsNo === 'string' ? args.ConsNo.trim() : '';
  if (!consNo) throw new SoapFault('soap:Client', 'ConsNo is required');
  if (consNo === SPECIAL_CONS_NO.FAULT) throw new SoapFault('soap:Server', 'Core billing database unavailable');
  if (consNo === SPECIAL_CONS_NO.SLOW) await opts.sleep(opts.slowDelayMs);
  return consNo;
}

export function notFound(consNo: string) {
  return { RetCode: RET_NOT_FOUND, RetMsg: `Customer ${consNo} not found` };
}

// Response objects list their keys in schema (xsd:sequence) order: node-soap
// serialises them in insertion order.
function queryArrears(h: Household) {
  return {
    RetCode: RET_OK,
    RetMsg: 'OK',
    Customer: { ConsNo: h.ConsNo, ConsName: h.ConsName, OrgNo: h.OrgNo, Address: h.Address },
    ArrearsList: {
      Item: h.arrears.map((i) => ({ BillMonth: i.BillMonth, ArrearsFen: i.ArrearsFen, PenaltyFen: i.PenaltyFen, Status: i.Status })),
    },
    TotalFen: totalFen(h),
  };
}

function getCustomer(h: Household) {
  return {
    RetCode: RET_OK,
    RetMsg: 'OK',
    Customer: {
      ConsNo: h.ConsNo, ConsName: h.ConsName, OrgNo: h.OrgNo, Address: h.Address, Mobile: h.Mobile, CertNo: h.CertNo,
    },
  };
}

/** Both CertNo and ConsName are required by the schema: a missing one is the caller's fault. */
function findCustomersByIdentity(args: Args) {
  const certNo = typeof args?.CertNo === 'string' ? args.CertNo.trim() : '';
  const consName = typeof args?.ConsName === 'string' ? args.ConsName.trim() : '';
  if (!certNo) throw new SoapFault('soap:Client', 'CertNo is required');
  if (!consName) throw new SoapFault('soap:Client', 'ConsName is required');
  const found = findHouseholdsByIdentity(certNo, consName);
  return {
    RetCode: RET_OK,
    RetMsg: 'OK',
    CustomerList: { Customer: found.map((h) => ({ ConsNo: h.ConsNo, ConsName: h.ConsName, OrgNo: h.OrgNo, Address: h.Address })) },
  };
}

/**
 * Archive supplement after a binding: the holder's ID number, mobile and name
 * for one account. Serial is the caller's idempotency key: a serial seen
 * before answers RET_DUPLICATE_SERIAL and changes nothing.
 */
async function updateArchive(args: Args, opts: MarketingServiceOptions) {
  const serial = typeof args?.Serial === 'string' ? args.Serial.trim() : '';
  if (!serial) throw new SoapFault('soap:Client', 'Serial is required');
  const consNo = await resolveConsNo(args, opts);
  for (const field of ['CertNo', 'ConsName']) {
    if (typeof args?.[field] !== 'string' || !(args[field] as string).trim()) throw new SoapFault('soap:Client', `${field} is required`);
  }
  if (!findHousehold(consNo)) return notFound(consNo);
  if (opts.archiveDropFirst && opts.archiveDropFirst > 0) {
    opts.archiveDropFirst -= 1;
    await opts.sleep(Math.max(opts.archiveDelayMs ?? 0, 1000));
    throw new SoapFault('soap:Server', 'request dropped before it was applied');
  }
  if (!opts.archive.receive(serial, consNo)) return { RetCode: RET_DUPLICATE_SERIAL, RetMsg: `Serial ${serial} already processed` };
  if (opts.archiveDelayMs) await opts.sleep(opts.archiveDelayMs);
  return { RetCode: RET_OK, RetMsg: 'OK' };
}

/** The service object for soap.listen, shaped MarketingService.<port>.<operation> (MarketingPort, CustomerServicePort). */
export function createMarketingServices(opts: MarketingServiceOptions): IServices {
  return {
    MarketingService: {
      MarketingPort: {
        async QueryArrears(args: Args) {
          const consNo = await resolveConsNo(args, opts);
          // the arrears as write-offs and reversals left them
          const h = opts.payments.accounts.current(consNo);
          return h ? queryArrears(h) : notFound(consNo);
        },
        async GetCustomer(args: Args) {
          const consNo = await resolveConsNo(args, opts);
          const h = findHousehold(consNo) ?? opts.payments.accounts.household(consNo);
          return h ? getCustomer(h) : notFound(consNo);
        },
        async FindCustomersByIdentity(args: Args) {
          return findCustomersByIdentity(args);
        },
        async UpdateArchive(args: Args) {
          return updateArchive(args, opts);
        },
        async QueryArchiveUpdate(args: Args) {
          const serial = typeof args?.Serial === 'string' ? args.Serial.trim() : '';
          if (!serial) throw new SoapFault('soap:Client', 'Serial is required');
          return { RetCode: RET_OK, RetMsg: 'OK', Found: opts.archive.get(serial) ? 'Y' : 'N' };
        },
        ...paymentOperations(opts, (args) => resolveConsNo(args, opts)),
      },
      CustomerServicePort: customerServiceOperations(opts),
    },
  };
}
