/**
 * Dialect A's customer-service port (CustomerServicePort, its own address
 * beside MarketingPort): holder check, bills, bill detail, balance, payment
 * history, work orders and e-bill subscription. Flat elements, integer fen,
 * kWh as decimal text, months yyyyMM, days yyyyMMdd, times yyyyMMddHHmmss
 * (Asia/Shanghai), four-digit RetCodes.
 */
import { Args, MarketingServiceOptions, notFound, resolveConsNo } from './service';
import { SoapFault } from './soap-fault';
import { RET_BILL_NOT_FOUND, RET_DUPLICATE_SERIAL, RET_NOT_FOUND, RET_OK } from './ret-codes';
import { balanceOf, billOfMonth, billsOfAccount, historyOfAccount, kwhText, shanghaiStamp } from './plate-dataset';
import { billStatusOf, holderMatches } from './plate-rules';
import { workOrderOperations } from './work-orders';

const OK = { RetCode: RET_OK, RetMsg: 'OK' };
const BILL_STATUS = { PAID: '1', PARTLY_PAID: '2', UNPAID: '3' } as const;
const TOU_CODE = { SHARP: 'J', PEAK: 'F', FLAT: 'P', VALLEY: 'G' } as const;

function text(args: Args, field: string): string {
  const v = args?.[field];
  return typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '';
}

function pattern(args: Args, field: string, re: RegExp, form: string): string {
  const v = text(args, field);
  if (!re.test(v)) throw new SoapFault('soap:Client', `${field} must be ${form}, got ${v || '(missing)'}`);
  return v;
}

async function knownConsNo(args: Args, opts: MarketingServiceOptions): Promise<string | undefined> {
  const consNo = await resolveConsNo(args, opts);
  return opts.payments.accounts.household(consNo) ? consNo : undefined;
}

async function verifyHolder(args: Args, opts: MarketingServiceOptions) {
  const name = text(args, 'ConsName');
  const tail = text(args, 'CertTail');
  if (!name && !tail) throw new SoapFault('soap:Client', 'ConsName or CertTail is required');
  if (tail && !/^[0-9]{3,5}[0-9Xx]$/.test(tail)) throw new SoapFault('soap:Client', `CertTail must be the last 4 to 6 characters of the ID number, got ${tail}`);
  const consNo = await resolveConsNo(args, opts);
  const h = opts.payments.accounts.household(consNo);
  if (!h) return notFound(consNo);
  const matched = holderMatches(h, name, tail);
  // the name only goes back to a caller who knew it or the ID number's tail
  return { ...OK, ConsNo: consNo, Matched: matched ? 'Y' : 'N', ...(matched ? { ConsName: h.ConsName } : {}) };
}

async function queryBills(args: Args, opts: MarketingServiceOptions) {
  const from = pattern(args, 'StartMonth', /^[0-9]{6}$/, 'yyyyMM');
  const to = pattern(args, 'EndMonth', /^[0-9]{6}$/, 'yyyyMM');
  const consNo = await knownConsNo(args, opts);
  if (!consNo) return notFound(text(args, 'ConsNo'));
  const bills = (billsOfAccount(consNo) ?? []).filter((b) => b.billMonth >= from && b.billMonth <= to).reverse();
  return {
    ...OK,
    ConsNo: consNo,
    BillList: {
      Bill: bills.map((b) => {
        const { paidFen, status } = billStatusOf(b, opts.payments.accounts);
        return { BillMonth: b.billMonth, BillFen: b.amountFen, Kwh: kwhText(b.kwhCenti), PaidFen: paidFen, BillStatus: BILL_STATUS[status], IssueDate: b.issuedOn };
      }),
    },
  };
}

async function getBillDetail(args: Args, opts: MarketingServiceOptions) {
  const month = pattern(args, 'BillMonth', /^[0-9]{6}$/, 'yyyyMM');
  const consNo = await knownConsNo(args, opts);
  if (!consNo) return notFound(text(args, 'ConsNo'));
  const b = billOfMonth(consNo, month);
  if (!b) return { RetCode: RET_BILL_NOT_FOUND, RetMsg: `No bill of ${consNo} for ${month}` };
  return {
    ...OK,
    ConsNo: consNo,
    BillMonth: b.billMonth,
    TotalFen: b.amountFen,
    Kwh: kwhText(b.kwhCenti),
    TouList: { Tou: b.tou.map((t) => ({ TouCode: TOU_CODE[t.period], Kwh: kwhText(t.kwhCenti), AmtFen: t.fen })) },
    ChargeList: { Charge: b.charges.map((c) => ({ ItemName: c.item, AmtFen: c.fen })) },
    MeterList: { Meter: [{ MeterNo: b.meter.meterNo, LastReading: kwhText(b.meter.previousCenti), ThisReading: kwhText(b.meter.currentCenti) }] },
  };
}

async function queryBalance(args: Args, opts: MarketingServiceOptions) {
  const consNo = await knownConsNo(args, opts);
  if (!consNo) return notFound(text(args, 'ConsNo'));
  const b = balanceOf(consNo);
  return { ...OK, ConsNo: consNo, PayMode: b.prepaid ? '2' : '1', BalanceFen: b.balanceFen, QueryTime: shanghaiStamp(new Date()) };
}

/** The history of the dataset and the write-offs applied through WriteOff, paid on local days StartDate..EndDate, newest first. */
async function queryPayHistory(args: Args, opts: MarketingServiceOptions) {
  const from = pattern(args, 'StartDate', /^[0-9]{8}$/, 'yyyyMMdd');
  const to = pattern(args, 'EndDate', /^[0-9]{8}$/, 'yyyyMMdd');
  const consNo = await knownConsNo(args, opts);
  if (!consNo) return notFound(text(args, 'ConsNo'));
  const pays = [...historyOfAccount(consNo), ...opts.payments.postedWriteOffs(consNo)]
    .filter((p) => p.paidAt.slice(0, 8) >= from && p.paidAt.slice(0, 8) <= to)
    .sort((a, b) => b.paidAt.localeCompare(a.paidAt));
  return {
    ...OK,
    ConsNo: consNo,
    PayList: { Pay: pays.map((p) => ({ Serial: p.serial, PayFen: p.amountFen, PayTime: p.paidAt, Channel: p.channel, PayStatus: p.status === 'POSTED' ? '1' : '2' })) },
  };
}

async function setEBill(args: Args, opts: MarketingServiceOptions) {
  const serial = pattern(args, 'Serial', /^.{1,64}$/, '1-64 characters');
  const subscribe = pattern(args, 'Subscribe', /^[YN]$/, 'Y or N') === 'Y';
  const consNo = await knownConsNo(args, opts);
  if (!consNo) return notFound(text(args, 'ConsNo'));
  const { applied, state } = opts.ebills.apply(serial, consNo, subscribe, text(args, 'Email') || null, shanghaiStamp(new Date()));
  const answer = applied ? OK : { RetCode: RET_DUPLICATE_SERIAL, RetMsg: `Serial ${serial} already processed` };
  return { ...answer, Subscribed: state.subscribed ? 'Y' : 'N' };
}

async function getEBill(args: Args, opts: MarketingServiceOptions) {
  const consNo = await knownConsNo(args, opts);
  if (!consNo) return notFound(text(args, 'ConsNo'));
  const s = opts.ebills.state(consNo);
  return { ...OK, ConsNo: consNo, Subscribed: s.subscribed ? 'Y' : 'N', ...(s.since ? { SubscribeTime: s.since } : {}) };
}

/** The operations of CustomerServicePort, for soap.listen. */
export function customerServiceOperations(opts: MarketingServiceOptions) {
  return {
    VerifyHolder: (args: Args) => verifyHolder(args, opts),
    QueryBills: (args: Args) => queryBills(args, opts),
    GetBillDetail: (args: Args) => getBillDetail(args, opts),
    QueryBalance: (args: Args) => queryBalance(args, opts),
    QueryPayHistory: (args: Args) => queryPayHistory(args, opts),
    ...workOrderOperations(opts),
    SetEBill: (args: Args) => setEBill(args, opts),
    GetEBill: (args: Args) => getEBill(args, opts),
  };
}
