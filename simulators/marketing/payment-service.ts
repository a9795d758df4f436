/**
 * Dialect A's money operations: WriteOff (销账), QueryPayment and
 * ReverseWriteOff (冲正). Flat elements, amounts as integer fen, times as
 * yyyyMMddHHmmss, four-digit RetCodes. The ledger counts a request before
 * anything is decided, so "received" covers refused and late answers too.
 */
import type { PaymentLedger } from './payment-ledger';
import { SoapFault } from './soap-fault';

import {
  RET_ACCOUNT_CLOSED,
  RET_AMOUNT_EXCEEDS,
  RET_DUPLICATE_SERIAL,
  RET_NOT_FOUND,
  RET_OK,
  RET_ORIGINAL_NOT_FOUND,
  RET_REVERSAL_NOT_ALLOWED,
} from './ret-codes';

/**
 * How long WriteOff waits: `after` the write-off is applied (the caller that
 * times out meanwhile lost the reply of an applied write-off) or `before`
 * it is applied (slow, not applied yet).
 */
export interface WriteOffDelay {
  ms: number;
  phase: 'before' | 'after';
}

type Args = Record<string, unknown> | undefined;

export interface PaymentServiceOptions {
  payments: PaymentLedger;
  writeOffDelay: WriteOffDelay;
  sleep: (ms: number) => Promise<void>;
}

function requiredText(args: Args, field: string, max = 64): string {
  const v = args?.[field];
  const text = typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '';
  if (!text) throw new SoapFault('soap:Client', `${field} is required`);
  if (text.length > max) throw new SoapFault('soap:Client', `${field} is longer than ${max} characters`);
  return text;
}

/** xsd:long fen, positive: node-soap hands it over as text. */
function fen(args: Args, field: string): number {
  const text = requiredText(args, field, 15);
  if (!/^[0-9]+$/.test(text) || Number(text) <= 0) throw new SoapFault('soap:Client', `${field} must be a positive whole number of fen, got ${text}`);
  return Number(text);
}

async function writeOff(args: Args, opts: PaymentServiceOptions, resolveConsNo: (args: Args) => Promise<string>) {
  const serial = requiredText(args, 'Serial');
  const consNo = await resolveConsNo(args);
  const amountFen = fen(args, 'PayAmt');
  const payTime = requiredText(args, 'PayTime');
  if (!/^\d{14}$/.test(payTime)) throw new SoapFault('soap:Client', 'PayTime must be yyyyMMddHHmmss');
  const channel = requiredText(args, 'Channel', 16);

  opts.payments.receiveWriteOff(serial, consNo, amountFen, payTime, channel);
  const { ms, phase } = opts.writeOffDelay;
  if (ms > 0 && phase === 'before') await opts.sleep(ms);
  const result = opts.payments.applyWriteOff(serial, consNo, amountFen);
  if (ms > 0 && phase === 'after') await opts.sleep(ms);

  switch (result.kind) {
    case 'APPLIED':
      return { RetCode: RET_OK, RetMsg: 'OK', WriteOffNo: result.writeOffNo };
    case 'DUPLICATE':
      return { RetCode: RET_DUPLICATE_SERIAL, RetMsg: `Serial ${serial} already processed`, WriteOffNo: result.writeOffNo };
    case 'ACCOUNT_NOT_FOUND':
      return { RetCode: RET_NOT_FOUND, RetMsg: `Customer ${consNo} not found` };
    case 'ACCOUNT_CLOSED':
      return { RetCode: RET_ACCOUNT_CLOSED, RetMsg: `Account ${consNo} is closed` };
    case 'MORE_THAN_OWED':
      return { RetCode: RET_AMOUNT_EXCEEDS, RetMsg: `PayAmt ${amountFen} is more than the ${result.owedFen} owed` };
  }
}

function queryPayment(args: Args, opts: PaymentServiceOptions) {
  const serial = requiredText(args, 'Serial');
  const found = opts.payments.find(serial);
  if (!found) return { RetCode: RET_OK, RetMsg: 'OK', Found: 'N' };
  return {
    RetCode: RET_OK,
    RetMsg: 'OK',
    Found: 'Y',
    Kind: found.kind === 'WRITE_OFF' ? 'W' : 'R',
    Status: found.status === 'POSTED' ? '1' : '2',
    Amt: found.amountFen,
  };
}

async function reverseWriteOff(args: Args, opts: PaymentServiceOptions, resolveConsNo: (args: Args) => Promise<string>) {
  const serial = requiredText(args, 'Serial');
  const origSerial = requiredText(args, 'OrigSerial');
  const consNo = await resolveConsNo(args);
  const amountFen = fen(args, 'Amt');

  opts.payments.receiveReversal(serial, origSerial, consNo, amountFen);
  const result = opts.payments.applyReversal(serial, origSerial, consNo, amountFen);
  switch (result.kind) {
    case 'APPLIED':
      return { RetCode: RET_OK, RetMsg: 'OK' };
    case 'DUPLICATE':
      return { RetCode: RET_DUPLICATE_SERIAL, RetMsg: `Serial ${serial} already processed` };
    case 'ORIGINAL_NOT_FOUND':
      return { RetCode: RET_ORIGINAL_NOT_FOUND, RetMsg: `No write-off with serial ${origSerial}` };
    case 'MORE_THAN_LEFT':
      return { RetCode: RET_AMOUNT_EXCEEDS, RetMsg: `Amt ${amountFen} is more than the ${result.leftFen} left of ${origSerial}` };
    case 'NOT_ALLOWED':
      return { RetCode: RET_REVERSAL_NOT_ALLOWED, RetMsg: `Reversal not allowed: ${result.why}` };
  }
}

/** The three operations, for the MarketingPort object of soap.listen. */
export function paymentOperations(opts: PaymentServiceOptions, resolveConsNo: (args: Args) => Promise<string>) {
  return {
    WriteOff: (args: Args) => writeOff(args, opts, resolveConsNo),
    QueryPayment: async (args: Args) => queryPayment(args, opts),
    ReverseWriteOff: (args: Args) => reverseWriteOff(args, opts, resolveConsNo),
  };
}
