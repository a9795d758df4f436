import { GridbusError } from '../../core/errors';
import { MoneyFormatError, yuanToFen } from '../../core/mapping/money';
import type { TradeNotification } from '../../core/payments';

const CHINA_TIME = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/;
const TRADE_STATUSES = new Set(['WAIT_BUYER_PAY', 'TRADE_SUCCESS', 'TRADE_FINISHED', 'TRADE_CLOSED']);
/** The notification kinds the payment service acts on; any other is kept and acknowledged. */
export const AGREEMENT_NOTIFY_TYPES = new Set(['dut_user_sign', 'dut_user_unsign']);

export function invalid(field: string, problem: string): GridbusError {
  return new GridbusError('VALIDATION_FAILED', `notification field ${field} ${problem}`, { details: { field } });
}

/** Alipay times are China Standard Time (UTC+8) without a zone. */
export function chinaTimeToIso(field: string, value: string | undefined, required: boolean): string | null {
  if (value === undefined || value === '') {
    if (required) throw invalid(field, 'is missing');
    return null;
  }
  const m = CHINA_TIME.exec(value);
  if (!m || Number.isNaN(Date.parse(`${m[1]}T${m[2]}+08:00`))) throw invalid(field, 'is not a time yyyy-MM-dd HH:mm:ss');
  return `${m[1]}T${m[2]}+08:00`;
}

export function fen(field: string, value: string | undefined, required: boolean): number | null {
  if (value === undefined || value === '') {
    if (required) throw invalid(field, 'is missing');
    return null;
  }
  try {
    return yuanToFen(value);
  } catch (err) {
    if (err instanceof MoneyFormatError) throw invalid(field, 'is not an amount in yuan with at most 2 decimals');
    throw err;
  }
}

/** The stored columns of a notification, read strictly: a malformed one is refused (4xx) and Alipay retries it. */
export function readNotification(f: Record<string, string>) {
  for (const field of ['notify_id', 'notify_type', 'app_id']) {
    if (!f[field]) throw invalid(field, 'is missing');
  }
  const isTrade = f.notify_type === 'trade_status_sync';
  if (isTrade) {
    if (!f.out_trade_no) throw invalid('out_trade_no', 'is missing');
    if (!TRADE_STATUSES.has(f.trade_status ?? '')) throw invalid('trade_status', 'is not one of WAIT_BUYER_PAY, TRADE_SUCCESS, TRADE_FINISHED, TRADE_CLOSED');
  }
  if (AGREEMENT_NOTIFY_TYPES.has(f.notify_type)) {
    if (!f.external_agreement_no && !f.agreement_no) throw invalid('agreement_no', 'is missing');
  }
  const row = {
    notifyTime: chinaTimeToIso('notify_time', f.notify_time, true),
    totalFen: fen('total_amount', f.total_amount, isTrade),
    receiptFen: fen('receipt_amount', f.receipt_amount, false),
    gmtPayment: chinaTimeToIso('gmt_payment', f.gmt_payment, false),
  };
  const trade: TradeNotification | null = isTrade
    ? {
        outTradeNo: f.out_trade_no,
        tradeNo: f.trade_no || null,
        tradeStatus: f.trade_status as TradeNotification['tradeStatus'],
        totalFen: row.totalFen!,
        appId: f.app_id,
        sellerId: f.seller_id || null,
        paidAt: row.gmtPayment ? new Date(row.gmtPayment) : null,
      }
    : null;
  return { row, trade };
}
