import type { IServices } from 'soap';
import {
  Household,
  MISSING_CUST_NO_ANSWER,
  SPECIAL_CUST_NO,
  findCustomer,
  findCustomersByIdentity,
  totalAmtOf,
  yxBillsOf,
} from './dataset';
import type { ArchiveLedger } from '../archive-ledger';
import type { PaymentLedger } from '../marketing/payment-ledger';
import type { WriteOffDelay } from '../marketing/payment-service';
import { chargeOperations } from './charge-service';
import { custServOperations } from './cust-serv-service';
import type { EBillBook } from '../marketing/ebill-book';
import type { TicketBook } from '../marketing/ticket-book';
import { FAULT_CLIENT, FAULT_SERVER, MAINTENANCE_FAULTSTRING, RSP_DUPLICATE_SEQ, RSP_NOT_FOUND, RSP_OK, RSP_SYSTEM_ERROR, YxSoapFault, checkHeader, header, obj, text } from './yx-protocol';

export * from './yx-protocol';

export interface MarketingBServiceOptions {
  /** How long the SLOW customer takes to answer. */
  slowDelayMs: number;
  /** Waits ms; supplied by the server so it can cancel pending waits on close. */
  sleep: (ms: number) => Promise<void>;
  /** Archive supplements received, by BizSeq (read by tests). */
  archive: ArchiveLedger;
  /** Charges and reversals by serial, and the arrears they change (read by tests). */
  payments: PaymentLedger;
  /** How long a ChargeWriteOff answer waits, before or after applying; changed live. */
  writeOffDelay: WriteOffDelay;
  /** Tickets by BizSeq (YxCustServService). */
  tickets: TicketBook;
  /** E-bill subscriptions (YxCustServService). */
  ebills: EBillBook;
  /** TicketSubmit answers this long after opening the ticket (0: at once). */
  ticketDelayMs?: number;
}

function arrearsOf(h: Household, transSeq: string) {
  return {
    RspHeader: header(RSP_OK, '交易成功', transSeq),
    RspBody: {
      CustInfo: { Basic: { CustNo: h.ConsNo, CustName: h.ConsName, OrgCode: h.OrgNo } },
      ArrearsInfo: { BillList: { Bill: yxBillsOf(h) }, TotalAmt: totalAmtOf(h) },
    },
  };
}

function missingCustNo(transSeq: string) {
  const a = MISSING_CUST_NO_ANSWER;
  return {
    RspHeader: header(RSP_OK, '交易成功', transSeq),
    RspBody: {
      CustInfo: { Basic: { CustName: a.CustName, OrgCode: a.OrgCode } },
      ArrearsInfo: { BillList: { Bill: a.bills.map((b) => ({ ...b })) }, TotalAmt: a.TotalAmt },
    },
  };
}

async function custArrearsInquiry(args: unknown, opts: MarketingBServiceOptions) {
  const req = obj(args);
  const transSeq = checkHeader(obj(req?.ReqHeader));
  const custNo = text(obj(obj(obj(req?.ReqBody)?.Query))?.CustNo);
  if (!custNo) throw new YxSoapFault(FAULT_CLIENT, 'ReqBody.Query.CustNo is required');

  switch (custNo) {
    case SPECIAL_CUST_NO.FAULT:
      throw new YxSoapFault(FAULT_SERVER, MAINTENANCE_FAULTSTRING);
    case SPECIAL_CUST_NO.SYSTEM_ERROR:
      return { RspHeader: header(RSP_SYSTEM_ERROR, '系统繁忙，请稍后再试 (system error)', transSeq) };
    case SPECIAL_CUST_NO.MISSING_CUST_NO:
      return missingCustNo(transSeq);
    case SPECIAL_CUST_NO.SLOW:
      await opts.sleep(opts.slowDelayMs);
      break;
  }
  // the arrears as charges and reversals left them
  const h = opts.payments.accounts.current(custNo);
  if (!h) return { RspHeader: header(RSP_NOT_FOUND, `客户 ${custNo} 不存在 (customer not found)`, transSeq) };
  return arrearsOf(h, transSeq);
}

/** Customers of one holder: IdType 01 only; nobody with this ID number and name is E0001, as YX reports an empty search. */
function custIdentityInquiry(args: unknown) {
  const req = obj(args);
  const transSeq = checkHeader(obj(req?.ReqHeader));
  const query = obj(obj(obj(req?.ReqBody)?.Query));
  const idType = text(query?.IdType);
  const idNo = text(query?.IdNo);
  const custName = text(query?.CustName);
  if (idType !== '01') throw new YxSoapFault(FAULT_CLIENT, `ReqBody.Query.IdType ${idType || '(missing)'} is not supported (01 = resident ID card)`);
  if (!idNo) throw new YxSoapFault(FAULT_CLIENT, 'ReqBody.Query.IdNo is required');
  if (!custName) throw new YxSoapFault(FAULT_CLIENT, 'ReqBody.Query.CustName is required');
  const found = findCustomersByIdentity(idNo, custName);
  if (!found.length) return { RspHeader: header(RSP_NOT_FOUND, '未查询到客户 (no customer found)', transSeq) };
  return {
    RspHeader: header(RSP_OK, '交易成功', transSeq),
    RspBody: { CustList: { Cust: found.map((h) => ({ CustNo: h.ConsNo, CustName: h.ConsName, OrgCode: h.OrgNo, Addr: h.Address })) } },
  };
}

/** Archive supplement of one customer; BizSeq is the idempotency key (a repeat answers E0002 and changes nothing). */
function custArchiveSupplement(args: unknown, opts: MarketingBServiceOptions) {
  const req = obj(args);
  const transSeq = checkHeader(obj(req?.ReqHeader));
  const a = obj(obj(req?.ReqBody)?.Archive);
  const bizSeq = text(a?.BizSeq);
  const custNo = text(a?.CustNo);
  if (!bizSeq) throw new YxSoapFault(FAULT_CLIENT, 'ReqBody.Archive.BizSeq is required');
  if (!custNo) throw new YxSoapFault(FAULT_CLIENT, 'ReqBody.Archive.CustNo is required');
  if (text(a?.IdType) !== '01') throw new YxSoapFault(FAULT_CLIENT, 'ReqBody.Archive.IdType must be 01 (resident ID card)');
  if (!text(a?.IdNo)) throw new YxSoapFault(FAULT_CLIENT, 'ReqBody.Archive.IdNo is required');
  if (!text(a?.CustName)) throw new YxSoapFault(FAULT_CLIENT, 'ReqBody.Archive.CustName is required');
  if (custNo === SPECIAL_CUST_NO.FAULT) throw new YxSoapFault(FAULT_SERVER, MAINTENANCE_FAULTSTRING);
  if (!findCustomer(custNo)) return { RspHeader: header(RSP_NOT_FOUND, `客户 ${custNo} 不存在 (customer not found)`, transSeq) };
  if (!opts.archive.receive(bizSeq, custNo)) return { RspHeader: header(RSP_DUPLICATE_SEQ, `业务流水 ${bizSeq} 已处理 (already processed)`, transSeq) };
  return { RspHeader: header(RSP_OK, '交易成功', transSeq) };
}

/** The service object for soap.listen: YxBillingService.YxBillingSoapPort.<operation>, YxCustServService.YxCustServSoapPort.<operation>. */
export function createMarketingBServices(opts: MarketingBServiceOptions): IServices {
  return {
    YxBillingService: {
      YxBillingSoapPort: {
        CustArrearsInquiry: (args: unknown) => custArrearsInquiry(args, opts),
        CustIdentityInquiry: async (args: unknown) => custIdentityInquiry(args),
        CustArchiveSupplement: async (args: unknown) => custArchiveSupplement(args, opts),
        ...chargeOperations(opts),
      },
    },
    YxCustServService: { YxCustServSoapPort: custServOperations(opts) },
  };
}
