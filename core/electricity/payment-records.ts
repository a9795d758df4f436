/**
 * One list of an account's payments from two sources: the bus's own payment
 * orders (payment_orders, paid through the life number) and what the
 * marketing system booked (marketing.listPayments, every channel). Our
 * out_trade_no is the write-off serial, so a payment both know is one record
 * (`source: 'both'`), never two.
 */

/** A paid order of the bus (state PAID, SUSPECT, WRITTEN_OFF, PARKED or REFUNDED). */
export interface BusPayment {
  outTradeNo: string;
  amountFen: number;
  refundedFen: number;
  /** ISO 8601 */
  paidAt: string;
  state: string;
}

/** An item of marketing.listPayments. */
export interface BookedPayment {
  serial: string;
  amountFen: number;
  paidAt: string;
  channel: string;
  status: 'POSTED' | 'REVERSED';
}

/**
 * POSTED / REVERSED: as the marketing system booked it. For a payment only the
 * bus knows (yet): POSTING (paid, its write-off under way), NOT_POSTED (the
 * write-off was refused: parked for an operator), REFUNDED (paid back to the buyer).
 */
export type RecordStatus = 'POSTED' | 'REVERSED' | 'POSTING' | 'NOT_POSTED' | 'REFUNDED';

export interface PaymentRecord {
  serial: string;
  amountFen: number;
  paidAt: string;
  channel: string;
  source: 'life-number' | 'marketing' | 'both';
  status: RecordStatus;
  /** The bus's order state (null when only the marketing system knows the payment). */
  orderState: string | null;
  /** The marketing system's status (null when it has not booked the payment). */
  bookedStatus: 'POSTED' | 'REVERSED' | null;
  refundedFen: number;
}

/** The channel our own payments are booked under (core/payments/write-off.ts PAYMENT_CHANNEL). */
export const LIFE_NUMBER_CHANNEL = 'ALIPAY';

function busOnlyStatus(state: string): RecordStatus {
  if (state === 'WRITTEN_OFF') return 'POSTED';
  if (state === 'PARKED') return 'NOT_POSTED';
  if (state === 'REFUNDED') return 'REFUNDED';
  return 'POSTING'; // PAID, SUSPECT
}

/** Merged, newest first. The amount and time of a payment both know are the bus's (what the buyer paid, when). */
export function mergePaymentRecords(bus: readonly BusPayment[], booked: readonly BookedPayment[], channel = LIFE_NUMBER_CHANNEL): PaymentRecord[] {
  const bySerial = new Map<string, PaymentRecord>();
  for (const b of booked) {
    bySerial.set(b.serial, { serial: b.serial, amountFen: b.amountFen, paidAt: b.paidAt, channel: b.channel, source: 'marketing', status: b.status, orderState: null, bookedStatus: b.status, refundedFen: 0 });
  }
  for (const o of bus) {
    const known = bySerial.get(o.outTradeNo);
    bySerial.set(
      o.outTradeNo,
      known
        ? { ...known, amountFen: o.amountFen, paidAt: o.paidAt, source: 'both', orderState: o.state, refundedFen: o.refundedFen }
        : { serial: o.outTradeNo, amountFen: o.amountFen, paidAt: o.paidAt, channel, source: 'life-number', status: busOnlyStatus(o.state), orderState: o.state, bookedStatus: null, refundedFen: o.refundedFen },
    );
  }
  return [...bySerial.values()].sort((a, b) => Date.parse(b.paidAt) - Date.parse(a.paidAt) || (a.serial < b.serial ? -1 : a.serial > b.serial ? 1 : 0));
}
