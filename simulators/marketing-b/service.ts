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

export const RSP_OK = 'AAAAAAA';
export const RSP_NOT_FOUND = 'E0001';
export const RSP_SYSTEM_ERROR = 'E9999';
/** CustArchiveSupplement: this BizSeq was applied before; nothing changed now ("already done"). */
export const RSP_DUPLICATE_SEQ = 'E0002';

/** The calling-system codes YX knows; anything else is refused as a client fault. */
export const KNOWN_SYS_CODES: readonly string[] = ['GRIDBUS'];

/** The SOAP envelope prefix YX answers with (Axis style), and so the prefix of its faultcodes. */
export const ENVELOPE_KEY = 'soapenv';
export const FAULT_SERVER = `${ENVELOPE_KEY}:Server`;
export const FAULT_CLIENT = `${ENVELOPE_KEY}:Client`;
export const MAINTENANCE_FAULTSTRING = 'YX system maintenance';

/**
 * node-soap turns a rejected value with a `Fault` property into a SOAP 1.1
 * Fault; statusCode 500 is what SOAP 1.1 over HTTP requires for one. The
 * faultcode prefix is bound by the envelope (`soapenv`), so YX's faultcodes
 * read `soapenv:Server` / `soapenv:Client`.
 */
export class YxSoapFault extends Error {
  readonly Fault: { faultcode: string; faultstring: string; statusCode: number };

  constructor(faultcode: typeof FAULT_SERVER | typeof FAULT_CLIENT, faultstring: string) {
    super(faultstring);
    this.name = 'YxSoapFault';
    this.Fault = { faultcode, faultstring, statusCode: 500 };
  }
}

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
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);
const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '');

/**
 * The header is checked as YX checks it: a request that does not fit is the
 * caller's fault (soapenv:Client), so a request mapping that forgets a header
 * field or writes TransTime in the wrong pattern fails loudly.
 */
function checkHeader(header: Obj | undefined): string {
  if (!header) throw new YxSoapFault(FAULT_CLIENT, 'ReqHeader is required');
  const sysCode = text(header.SysCode);
  const transSeq = text(header.TransSeq);
  const transTime = text(header.TransTime);
  if (!sysCode) throw new YxSoapFault(FAULT_CLIENT, 'ReqHeader.SysCode is required');
  if (!KNOWN_SYS_CODES.includes(sysCode)) throw new YxSoapFault(FAULT_CLIENT, `ReqHeader.SysCode ${sysCode} is not registered`);
  if (!transSeq || transSeq.length > 64) throw new YxSoapFault(FAULT_CLIENT, 'ReqHeader.TransSeq must be 1-64 characters');
  if (!/^\d{14}$/.test(transTime)) throw new YxSoapFault(FAULT_CLIENT, 'ReqHeader.TransTime must be yyyyMMddHHmmss');
  return transSeq;
}

// Response objects list their keys in schema (xsd:sequence) order: node-soap
// serialises them in insertion order.
function header(code: string, desc: string, transSeq: string) {
  return { RspCode: code, RspDesc: desc, TransSeq: transSeq };
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
  const h = findCustomer(custNo);
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

/** The service object for soap.listen, shaped YxBillingService.YxBillingSoapPort.<operation>. */
export function createMarketingBServices(opts: MarketingBServiceOptions): IServices {
  return {
    YxBillingService: {
      YxBillingSoapPort: {
        CustArrearsInquiry: (args: unknown) => custArrearsInquiry(args, opts),
        CustIdentityInquiry: async (args: unknown) => custIdentityInquiry(args),
        CustArchiveSupplement: async (args: unknown) => custArchiveSupplement(args, opts),
      },
    },
  };
}
