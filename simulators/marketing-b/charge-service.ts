/**
 * YX's money operations, on purpose unlike dialect A: ChargeWriteOff,
 * ChargeInquiry and ChargeReverse, each with the request header, bodies
 * nested one level deeper, amounts as yuan text ("123.45"), pay dates as
 * "yyyy-MM-dd HH:mm:ss", channel codes (ZFB, WX, YH), seven-character
 * RspCodes, and "no such transaction" said by a code (E0003) rather than by
 * a flag. The ledger (shared with A, in fen) counts a request before anything
 * is decided.
 */
import type { PaymentLedger } from '../marketing/payment-ledger';
import type { WriteOffDelay } from '../marketing/payment-service';
import { SPECIAL_CUST_NO } from './dataset';
import {
  FAULT_CLIENT,
  FAULT_SERVER,
  MAINTENANCE_FAULTSTRING,
  Obj,
  RSP_DUPLICATE_SEQ,
  RSP_NOT_FOUND,
  RSP_OK,
  RSP_SYSTEM_ERROR,
  YxSoapFault,
  checkHeader,
  header,
  obj,
  text,
} from './yx-protocol';

/** ChargeInquiry: no charge or reversal with this sequence number (an answer without RspBody). */
export const RSP_TXN_NOT_FOUND = 'E0003';
/** ChargeWriteOff: ChargeAmt is more than the customer owes (late fees included). */
export const RSP_AMOUNT_EXCEEDS_ARREARS = 'E1003';
/** ChargeWriteOff: the customer's account is closed (销户). */
export const RSP_CUSTOMER_CLOSED = 'E1004';
/** ChargeReverse: no charge with OrigChargeSeq. */
export const RSP_ORIGINAL_NOT_FOUND = 'E1005';
/** ChargeReverse: ReverseAmt is more than is left of the charge. */
export const RSP_REVERSE_EXCEEDS = 'E1006';
/** ChargeReverse: refused (CustNo is not the charge's customer). */
export const RSP_REVERSE_NOT_ALLOWED = 'E1007';

/** The collection channels YX knows (渠道编码). */
export const CHANNEL_CODES: readonly string[] = ['ZFB', 'WX', 'YH'];
/** TxnType: 01 charge (缴费), 02 reversal (冲正). TxnState: 0 normal, 1 reversed (已冲正). */
export const TXN_TYPE = { WRITE_OFF: '01', REVERSAL: '02' } as const;
export const TXN_STATE = { POSTED: '0', REVERSED: '1' } as const;


export interface ChargeServiceOptions {
  payments: PaymentLedger;
  writeOffDelay: WriteOffDelay;
  slowDelayMs: number;
  sleep: (ms: number) => Promise<void>;
}

function required(from: Obj | undefined, where: string, field: string, max = 64): string {
  const v = text(from?.[field]);
  if (!v) throw new YxSoapFault(FAULT_CLIENT, `${where}.${field} is required`);
  if (v.length > max) throw new YxSoapFault(FAULT_CLIENT, `${where}.${field} is longer than ${max} characters`);
  return v;
}

/** Yuan text with exactly two decimals, > 0, to fen: YX refuses anything else (a mapping that forgot to convert fails loudly). */
function yuanToFen(where: string, value: string): number {
  const m = /^([0-9]+)\.([0-9]{2})$/.exec(value);
  if (!m) throw new YxSoapFault(FAULT_CLIENT, `${where} must be yuan with two decimals (123.45), got ${value}`);
  const fen = Number(m[1]) * 100 + Number(m[2]);
  if (fen <= 0) throw new YxSoapFault(FAULT_CLIENT, `${where} must be more than 0.00`);
  return fen;
}

function fenToYuan(fen: number): string {
  return `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
}

/** The scripted customers, as in CustArrearsInquiry: a fault, a system error answer, a slow answer (the plates' operations too). */
export async function special(custNo: string, transSeq: string, opts: ChargeServiceOptions) {
  if (custNo === SPECIAL_CUST_NO.FAULT) throw new YxSoapFault(FAULT_SERVER, MAINTENANCE_FAULTSTRING);
  if (custNo === SPECIAL_CUST_NO.SYSTEM_ERROR) return { RspHeader: header(RSP_SYSTEM_ERROR, '系统繁忙，请稍后再试 (system error)', transSeq) };
  if (custNo === SPECIAL_CUST_NO.SLOW) await opts.sleep(opts.slowDelayMs);
  return undefined;
}

async function chargeWriteOff(args: unknown, opts: ChargeServiceOptions) {
  const req = obj(args);
  const transSeq = checkHeader(obj(req?.ReqHeader));
  const c = obj(obj(req?.ReqBody)?.Charge);
  const where = 'ReqBody.Charge';
  const seq = required(c, where, 'ChargeSeq');
  const custNo = required(c, where, 'CustNo');
  const fen = yuanToFen(`${where}.ChargeAmt`, required(c, where, 'ChargeAmt', 16));
  const payDate = required(c, where, 'PayDate');
  if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(payDate)) throw new YxSoapFault(FAULT_CLIENT, `${where}.PayDate must be yyyy-MM-dd HH:mm:ss, got ${payDate}`);
  const channel = required(c, where, 'ChannelCode');
  if (!CHANNEL_CODES.includes(channel)) throw new YxSoapFault(FAULT_CLIENT, `${where}.ChannelCode ${channel} is not one of ${CHANNEL_CODES.join(', ')}`);
  const early = await special(custNo, transSeq, opts);
  if (early) return early;

  opts.payments.receiveWriteOff(seq, custNo, fen, payDate, channel);
  const { ms, phase } = opts.writeOffDelay;
  if (ms > 0 && phase === 'before') await opts.sleep(ms);
  const result = opts.payments.applyWriteOff(seq, custNo, fen);
  if (ms > 0 && phase === 'after') await opts.sleep(ms);

  switch (result.kind) {
    case 'APPLIED':
      // the charge number is YX's own, not the shared ledger's
      return { RspHeader: header(RSP_OK, '交易成功', transSeq), RspBody: { Receipt: { ChargeId: `YXSF${result.writeOffNo.slice(2)}` } } };
    case 'DUPLICATE':
      return { RspHeader: header(RSP_DUPLICATE_SEQ, `缴费流水 ${seq} 已处理 (already processed)`, transSeq) };
    case 'ACCOUNT_NOT_FOUND':
      return { RspHeader: header(RSP_NOT_FOUND, `客户 ${custNo} 不存在 (customer not found)`, transSeq) };
    case 'ACCOUNT_CLOSED':
      return { RspHeader: header(RSP_CUSTOMER_CLOSED, `客户 ${custNo} 已销户 (account closed)`, transSeq) };
    case 'MORE_THAN_OWED':
      return { RspHeader: header(RSP_AMOUNT_EXCEEDS_ARREARS, `缴费金额大于欠费 ${fenToYuan(result.owedFen)} (more than owed)`, transSeq) };
  }
}

function chargeInquiry(args: unknown, opts: ChargeServiceOptions) {
  const req = obj(args);
  const transSeq = checkHeader(obj(req?.ReqHeader));
  const seq = required(obj(obj(req?.ReqBody)?.Query), 'ReqBody.Query', 'ChargeSeq');
  const found = opts.payments.find(seq);
  if (!found) return { RspHeader: header(RSP_TXN_NOT_FOUND, `交易 ${seq} 不存在 (no such transaction)`, transSeq) };
  return {
    RspHeader: header(RSP_OK, '交易成功', transSeq),
    RspBody: {
      Txn: {
        ChargeSeq: seq,
        TxnType: TXN_TYPE[found.kind],
        TxnState: TXN_STATE[found.status],
        TxnAmt: fenToYuan(found.amountFen),
      },
    },
  };
}

async function chargeReverse(args: unknown, opts: ChargeServiceOptions) {
  const req = obj(args);
  const transSeq = checkHeader(obj(req?.ReqHeader));
  const r = obj(obj(req?.ReqBody)?.Reverse);
  const where = 'ReqBody.Reverse';
  const seq = required(r, where, 'ReverseSeq');
  const orig = required(r, where, 'OrigChargeSeq');
  const custNo = required(r, where, 'CustNo');
  const fen = yuanToFen(`${where}.ReverseAmt`, required(r, where, 'ReverseAmt', 16));
  const early = await special(custNo, transSeq, opts);
  if (early) return early;

  opts.payments.receiveReversal(seq, orig, custNo, fen);
  const result = opts.payments.applyReversal(seq, orig, custNo, fen);
  const answer = (code: string, desc: string) => ({ RspHeader: header(code, desc, transSeq) });
  switch (result.kind) {
    case 'APPLIED':
      return answer(RSP_OK, '交易成功');
    case 'DUPLICATE':
      return answer(RSP_DUPLICATE_SEQ, `冲正流水 ${seq} 已处理 (already processed)`);
    case 'ORIGINAL_NOT_FOUND':
      return answer(RSP_ORIGINAL_NOT_FOUND, `原缴费流水 ${orig} 不存在 (original charge not found)`);
    case 'MORE_THAN_LEFT':
      return answer(RSP_REVERSE_EXCEEDS, `冲正金额大于可冲正金额 ${fenToYuan(result.leftFen)} (more than left)`);
    case 'NOT_ALLOWED':
      return answer(RSP_REVERSE_NOT_ALLOWED, `不允许冲正 (not allowed): ${result.why}`);
  }
}

/** The three operations, for the YxBillingSoapPort object of soap.listen. */
export function chargeOperations(opts: ChargeServiceOptions) {
  return {
    ChargeWriteOff: (args: unknown) => chargeWriteOff(args, opts),
    ChargeInquiry: async (args: unknown) => chargeInquiry(args, opts),
    ChargeReverse: (args: unknown) => chargeReverse(args, opts),
  };
}
