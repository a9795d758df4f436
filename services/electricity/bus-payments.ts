import { DataSource } from 'typeorm';
import type { BusPayment } from '../../core/electricity/payment-records';
import { chinaIso } from '../../core/payments/write-off';

/** Orders that are a payment: paid, whatever became of the write-off (services/payment, core/payments/order-machine.ts). */
const PAID_STATES = ['PAID', 'SUSPECT', 'WRITTEN_OFF', 'PARKED', 'REFUNDED'];

/** The bus's own payments of an account paid on from..to (days in China Standard Time, as the marketing system books). */
export async function busPaymentsOf(ds: DataSource, accountNo: string, from: string, to: string): Promise<BusPayment[]> {
  const rows = (await ds.query(
    `SELECT out_trade_no, amount_fen, refunded_fen, paid_at, state
       FROM payment_orders
      WHERE account_no = $1 AND paid_at IS NOT NULL AND state = ANY($2::text[])
        AND (paid_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN $3::date AND $4::date`,
    [accountNo, PAID_STATES, from, to],
  )) as Array<{ out_trade_no: string; amount_fen: string; refunded_fen: string; paid_at: Date; state: string }>;
  return rows.map((r) => ({ outTradeNo: r.out_trade_no, amountFen: Number(r.amount_fen), refundedFen: Number(r.refunded_fen), paidAt: chinaIso(r.paid_at), state: r.state }));
}
