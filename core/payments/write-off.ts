import type { PiiCipher } from '../crypto';
import { enqueueOutbox, SqlRunner } from '../outbox/outbox-writer';
import type { OrderRow } from './order-store';

export const WRITE_OFF_OPERATION = 'marketing.writeOff';
export const REVERSAL_OPERATION = 'marketing.reverseWriteOff';
/** Asks the marketing system whether a serial was posted (the write-off mappings' settle query). */
export const PAYMENT_QUERY_OPERATION = 'marketing.queryPayment';
/** The channel the marketing system books our payments under. */
export const PAYMENT_CHANNEL = 'ALIPAY';

/** ISO 8601 in China Standard Time, the zone the marketing system books in. */
export function chinaIso(at: Date): string {
  return `${new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`;
}

/**
 * Queues the write-off of a paid order on the caller's transaction (the one
 * that moved it to PAID). Its serial is the order's out_trade_no: the
 * marketing system applies a serial once, so no retry can post it twice.
 */
export async function queueWriteOff(tx: SqlRunner, cipher: PiiCipher | null, order: OrderRow): Promise<void> {
  await enqueueOutbox(tx, cipher, {
    operation: WRITE_OFF_OPERATION,
    partitionKey: order.accountNo,
    serial: order.outTradeNo,
    piiFields: [],
    payload: {
      accountNo: order.accountNo,
      amountFen: order.amountFen,
      paidAt: chinaIso(order.paidAt ?? new Date()),
      channel: PAYMENT_CHANNEL,
      ...(order.tradeNo ? { tradeNo: order.tradeNo } : {}),
    },
  });
}

/** Queues the reversal of (part of) a written-off payment, serial = the refund's out_request_no. */
export async function queueReversal(tx: SqlRunner, cipher: PiiCipher | null, order: OrderRow, refund: { outRequestNo: string; amountFen: number; reason: string }): Promise<void> {
  await enqueueOutbox(tx, cipher, {
    operation: REVERSAL_OPERATION,
    partitionKey: order.accountNo,
    serial: refund.outRequestNo,
    piiFields: [],
    payload: { originalSerial: order.outTradeNo, accountNo: order.accountNo, amountFen: refund.amountFen, reason: refund.reason.slice(0, 200) },
  });
}
