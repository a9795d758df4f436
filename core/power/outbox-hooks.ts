import type { SqlRunner } from '../outbox/outbox-writer';
import type { OutboxSettleHook } from '../outbox/settle-hook';
import { WRITE_OFF_OPERATION } from '../payments/write-off';
import { EARN_RULES } from './earn-rules';
import { earnPoints } from './points-ledger';
import { lockReportBySerial, recordReportStatus } from './report-store';

export const CREATE_TICKET_OPERATION = 'marketing.createTicket';

const rowsOf = <T>(r: unknown): T[] => (Array.isArray(r) && Array.isArray(r[0]) ? (r[0] as T[]) : (r as T[]));

/** A report is ACCEPTED (with its ticket number) when its ticket is created, REFUSED when the ticket is given up; points for an accepted report, once. */
export const reportTicketHook: OutboxSettleHook = {
  operation: CREATE_TICKET_OPERATION,
  async onSettled(tx: SqlRunner, row, settlement) {
    const report = await lockReportBySerial(tx, row.serial);
    if (!report || report.status !== 'SUBMITTED') return;
    if (settlement.status === 'delivered') {
      const ticketNo = (settlement.answer as { ticketNo?: unknown } | null)?.ticketNo;
      await recordReportStatus(tx, report, { status: 'ACCEPTED', ticketNo: typeof ticketNo === 'string' ? ticketNo : null }, 'outbox');
      await earnPoints(tx, { userId: report.userId, points: EARN_RULES.reportAccepted, reason: 'REPORT_ACCEPTED', sourceEvent: `report:${report.id}`, actor: 'outbox' });
    } else if (settlement.status === 'dead' || settlement.status === 'discarded') {
      await recordReportStatus(tx, report, { status: 'REFUSED', reply: null }, 'outbox');
    }
  },
};

/**
 * Points for a payment, in the transaction that records its write-off as
 * delivered (after the payment's own hook moved the order): exactly once per
 * order, whatever node delivers it.
 */
export const paymentPointsHook: OutboxSettleHook = {
  operation: WRITE_OFF_OPERATION,
  async onSettled(tx: SqlRunner, row, settlement) {
    if (settlement.status !== 'delivered') return;
    const [order] = rowsOf<{ user_id: string; amount_fen: string; state: string }>(await tx.query(`SELECT user_id, amount_fen, state FROM payment_orders WHERE out_trade_no = $1`, [row.serial]));
    if (!order || order.state !== 'WRITTEN_OFF') return;
    await earnPoints(tx, {
      userId: order.user_id,
      points: EARN_RULES.paymentWrittenOff(Number(order.amount_fen)),
      reason: 'PAYMENT_WRITTEN_OFF',
      sourceEvent: `payment:${row.serial}`,
      actor: 'outbox',
    });
  },
};

export const SUBSCRIBE_EBILL_OPERATION = 'marketing.subscribeEBill';

/**
 * Points for switching to e-bills, when the marketing system applied the
 * subscription (services/electricity's request, found by its serial): once per
 * user and account, the same source event as `electricity.ebill.subscribed`.
 */
export const ebillPointsHook: OutboxSettleHook = {
  operation: SUBSCRIBE_EBILL_OPERATION,
  async onSettled(tx: SqlRunner, row, settlement) {
    if (settlement.status !== 'delivered' || (settlement.answer as { subscribed?: unknown } | null)?.subscribed !== true) return;
    const [request] = rowsOf<{ user_id: string; account_no: string; subscribe: boolean }>(
      await tx.query(`SELECT user_id, account_no, subscribe FROM electricity_ebill_requests WHERE serial = $1`, [row.serial]),
    );
    if (!request?.subscribe) return;
    await earnPoints(tx, { userId: request.user_id, points: EARN_RULES.ebillSubscribed, reason: 'EBILL_SUBSCRIBED', sourceEvent: `ebill:${request.user_id}:${request.account_no}`, actor: 'outbox' });
  },
};

/** Every hook the power services add to the outbox (after the payment hooks: the order has moved when points are counted). */
export const POWER_OUTBOX_HOOKS: readonly OutboxSettleHook[] = [reportTicketHook, paymentPointsHook, ebillPointsHook];
