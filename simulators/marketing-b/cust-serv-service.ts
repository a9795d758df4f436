/**
 * YX's customer-service operations (service YxCustServService, its own
 * address beside YxBillingService), on purpose unlike dialect A: the request
 * header, bodies nested under ReqBody, yuan text, periods yyyy-MM, dates
 * yyyy-MM-dd, times "yyyy-MM-dd HH:mm:ss", YX codes (TouType 1-4, SettleFlag
 * Y/P/N, ChargeMode YFF/HFF, ChannelCode ZFB/WX/YH/GT), and answers said by
 * result codes: a holder that does not match is E2001, a month without a
 * bill E3001, no such ticket E0003.
 */
import type { MarketingBServiceOptions } from './service';
import { special } from './charge-service';
import { fenToYuanText, periodOf } from './dataset';
import { FAULT_CLIENT, Obj, RSP_NOT_FOUND, RSP_OK, YxSoapFault, checkHeader, header, obj, text } from './yx-protocol';
import { balanceOf, billOfMonth, billsOfAccount, historyOfAccount, kwhText } from '../marketing/plate-dataset';
import { billStatusOf, holderMatches } from '../marketing/plate-rules';
import { yxStamp, yxStampOf } from './yx-time';
import { ticketOperations } from './cust-serv-tickets';

/** CustVerify: the name or the ID number's tail is not the holder's (no RspBody). */
export const RSP_VERIFY_MISMATCH = 'E2001';
/** BillDetailInquiry: no bill of this customer for the period. */
export const RSP_BILL_NOT_FOUND = 'E3001';

const SETTLE_FLAG = { PAID: 'Y', PARTLY_PAID: 'P', UNPAID: 'N' } as const;
const TOU_TYPE = { SHARP: '1', PEAK: '2', FLAT: '3', VALLEY: '4' } as const;
/** YX's channel codes of the payment history (GT = counter, 柜台). */
const CHANNEL_CODE: Readonly<Record<string, string>> = { ALIPAY: 'ZFB', WECHAT: 'WX', BANK: 'YH', COUNTER: 'GT' };

const yxDate = (s: string) => `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`;

export interface YxRequest {
  transSeq: string;
  body: Obj | undefined;
}

/** Header checked, the body part `part` of ReqBody. */
export function request(args: unknown, part: string): YxRequest {
  const req = obj(args);
  const transSeq = checkHeader(obj(req?.ReqHeader));
  return { transSeq, body: obj(obj(req?.ReqBody)?.[part]) };
}

export function field(r: YxRequest, where: string, name: string, re?: RegExp, form?: string): string {
  const v = text(r.body?.[name]);
  if (!v) throw new YxSoapFault(FAULT_CLIENT, `ReqBody.${where}.${name} is required`);
  if (re && !re.test(v)) throw new YxSoapFault(FAULT_CLIENT, `ReqBody.${where}.${name} must be ${form}, got ${v}`);
  return v;
}

/** The scripted customers, then the unknown ones: an answer to give instead, or undefined to go on. */
export async function customerCheck(custNo: string, r: YxRequest, opts: MarketingBServiceOptions): Promise<object | undefined> {
  const early = await special(custNo, r.transSeq, opts);
  if (early) return early;
  if (!opts.payments.accounts.household(custNo)) return { RspHeader: header(RSP_NOT_FOUND, `客户 ${custNo} 不存在 (customer not found)`, r.transSeq) };
  return undefined;
}

const ok = (transSeq: string) => header(RSP_OK, '交易成功', transSeq);

async function custVerify(args: unknown, opts: MarketingBServiceOptions) {
  const r = request(args, 'Verify');
  const custNo = field(r, 'Verify', 'CustNo');
  const name = text(r.body?.CustName);
  const tail = text(r.body?.IdNoTail);
  if (!name && !tail) throw new YxSoapFault(FAULT_CLIENT, 'ReqBody.Verify needs CustName or IdNoTail');
  if (tail && !/^[0-9]{3,5}[0-9Xx]$/.test(tail)) throw new YxSoapFault(FAULT_CLIENT, `ReqBody.Verify.IdNoTail must be the last 4-6 characters of the ID number, got ${tail}`);
  const refused = await customerCheck(custNo, r, opts);
  if (refused) return refused;
  const h = opts.payments.accounts.household(custNo)!;
  if (!holderMatches(h, name, tail)) return { RspHeader: header(RSP_VERIFY_MISMATCH, '客户信息核验不符 (holder does not match)', r.transSeq) };
  return { RspHeader: ok(r.transSeq), RspBody: { Cust: { CustNo: custNo, CustName: h.ConsName } } };
}

async function billListInquiry(args: unknown, opts: MarketingBServiceOptions) {
  const r = request(args, 'Query');
  const custNo = field(r, 'Query', 'CustNo');
  const from = field(r, 'Query', 'BeginPeriod', /^[0-9]{4}-[0-9]{2}$/, 'yyyy-MM');
  const to = field(r, 'Query', 'EndPeriod', /^[0-9]{4}-[0-9]{2}$/, 'yyyy-MM');
  const refused = await customerCheck(custNo, r, opts);
  if (refused) return refused;
  const bills = (billsOfAccount(custNo) ?? []).filter((b) => periodOf(b.billMonth) >= from && periodOf(b.billMonth) <= to).reverse();
  return {
    RspHeader: ok(r.transSeq),
    RspBody: {
      CustNo: custNo,
      Bills: {
        BillItem: bills.map((b) => {
          const { paidFen, status } = billStatusOf(b, opts.payments.accounts);
          return { Period: periodOf(b.billMonth), BillAmt: fenToYuanText(b.amountFen), ElecQty: kwhText(b.kwhCenti), PaidAmt: fenToYuanText(paidFen), SettleFlag: SETTLE_FLAG[status], IssueDate: yxDate(b.issuedOn) };
        }),
      },
    },
  };
}

async function billDetailInquiry(args: unknown, opts: MarketingBServiceOptions) {
  const r = request(args, 'Query');
  const custNo = field(r, 'Query', 'CustNo');
  const period = field(r, 'Query', 'Period', /^[0-9]{4}-[0-9]{2}$/, 'yyyy-MM');
  const refused = await customerCheck(custNo, r, opts);
  if (refused) return refused;
  const b = billOfMonth(custNo, period.replace('-', ''));
  if (!b) return { RspHeader: header(RSP_BILL_NOT_FOUND, `账期 ${period} 无账单 (no bill)`, r.transSeq) };
  return {
    RspHeader: ok(r.transSeq),
    RspBody: {
      Bill: {
        Head: { CustNo: custNo, Period: period, TotalAmt: fenToYuanText(b.amountFen), ElecQty: kwhText(b.kwhCenti) },
        TouDetail: { Item: b.tou.map((t) => ({ TouType: TOU_TYPE[t.period], Qty: kwhText(t.kwhCenti), Amt: fenToYuanText(t.fen) })) },
        FeeDetail: { Fee: b.charges.map((c) => ({ FeeName: c.item, FeeAmt: fenToYuanText(c.fen) })) },
        Reading: { Meter: [{ AssetNo: b.meter.meterNo, PrevRead: kwhText(b.meter.previousCenti), CurrRead: kwhText(b.meter.currentCenti) }] },
      },
    },
  };
}

async function acctBalanceInquiry(args: unknown, opts: MarketingBServiceOptions) {
  const r = request(args, 'Query');
  const custNo = field(r, 'Query', 'CustNo');
  const refused = await customerCheck(custNo, r, opts);
  if (refused) return refused;
  const b = balanceOf(custNo);
  return { RspHeader: ok(r.transSeq), RspBody: { Acct: { CustNo: custNo, ChargeMode: b.prepaid ? 'YFF' : 'HFF', Balance: fenToYuanText(b.balanceFen), BalanceTime: yxStamp(new Date()) } } };
}

async function payRecordInquiry(args: unknown, opts: MarketingBServiceOptions) {
  const r = request(args, 'Query');
  const custNo = field(r, 'Query', 'CustNo');
  const from = field(r, 'Query', 'QryBgnDate', /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/, 'yyyy-MM-dd');
  const to = field(r, 'Query', 'QryEndDate', /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/, 'yyyy-MM-dd');
  const refused = await customerCheck(custNo, r, opts);
  if (refused) return refused;
  // the dataset's history in A's terms, the charges applied here as YX received them
  const history = historyOfAccount(custNo).map((p) => ({ ...p, paidAt: yxStampOf(p.paidAt), channel: CHANNEL_CODE[p.channel] }));
  const records = [...history, ...opts.payments.postedWriteOffs(custNo)]
    .filter((p) => p.paidAt.slice(0, 10) >= from && p.paidAt.slice(0, 10) <= to)
    .sort((a, b) => b.paidAt.localeCompare(a.paidAt));
  return {
    RspHeader: ok(r.transSeq),
    RspBody: {
      RecordList: {
        Record: records.map((p) => ({ ChargeSeq: p.serial, ChargeAmt: fenToYuanText(p.amountFen), PayDate: p.paidAt, ChannelCode: p.channel, TxnState: p.status === 'POSTED' ? '0' : '1' })),
      },
    },
  };
}

/** The operations of YxCustServSoapPort, for soap.listen. */
export function custServOperations(opts: MarketingBServiceOptions) {
  return {
    CustVerify: (args: unknown) => custVerify(args, opts),
    BillListInquiry: (args: unknown) => billListInquiry(args, opts),
    BillDetailInquiry: (args: unknown) => billDetailInquiry(args, opts),
    AcctBalanceInquiry: (args: unknown) => acctBalanceInquiry(args, opts),
    PayRecordInquiry: (args: unknown) => payRecordInquiry(args, opts),
    ...ticketOperations(opts),
  };
}
