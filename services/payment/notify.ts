import { DataSource, EntityManager } from 'typeorm';
import type { PiiCipher } from '../../core/crypto';
import { checkNotification, lockOrder, Merchant, moveOrder, queueWriteOff } from '../../core/payments';
import { AGREEMENT_NOTIFY_TYPES, readNotification } from './notification-fields';

export interface NotificationOutcome {
  /** `stored`: first time seen, acted on; `duplicate`: seen before (notify_id, or out_trade_no + trade_status), nothing done. */
  status: 'stored' | 'duplicate';
  id?: string;
  /** What it did: moved an order, changed nothing (a repeat or late status), kept as an anomaly, or only kept. */
  outcome?: 'moved' | 'absorbed' | 'anomaly' | 'kept';
  anomaly?: string;
  message?: string;
  orderId?: string;
  state?: string;
}

const rowsOf = <T>(result: unknown): T[] => (Array.isArray(result) && Array.isArray(result[0]) ? (result[0] as T[]) : (result as T[]));

/**
 * Keeps a verified notification once and acts on it in the same transaction:
 * the order's move and its write-off's outbox row commit with the stored
 * notification, or none does (Alipay's retry then finds nothing stored and
 * does the work). A trade notification moves its order only after
 * checkNotification; agreement notifications keep the user's agreement.
 */
export async function takeNotification(
  ds: DataSource,
  cipher: PiiCipher | null,
  merchant: Merchant,
  fields: Record<string, string>,
  meta: { sourceIp: string | null; requestId: string | null; nodeId: string },
): Promise<NotificationOutcome> {
  const f = fields;
  const { row, trade } = readNotification(f);
  return ds.transaction(async (tx) => {
    const inserted = rowsOf<{ id: string }>(
      await tx.query(
        `INSERT INTO alipay_notifications
           (notify_id, notify_type, notify_time, app_id, out_trade_no, trade_no, trade_status,
            total_fen, receipt_fen, buyer_id, gmt_payment, fields, source_ip, request_id, node_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
         ON CONFLICT DO NOTHING
         RETURNING id`,
        [
          f.notify_id, f.notify_type, row.notifyTime, f.app_id, f.out_trade_no || null, f.trade_no || null, f.trade_status || null,
          row.totalFen, row.receiptFen, f.buyer_id || null, row.gmtPayment, JSON.stringify(f), meta.sourceIp, meta.requestId, meta.nodeId,
        ],
      ),
    );
    if (!inserted.length) return { status: 'duplicate' as const };
    const id = String(inserted[0].id);
    const result = trade
      ? await takeTrade(tx, cipher, merchant, trade)
      : AGREEMENT_NOTIFY_TYPES.has(f.notify_type)
        ? await takeAgreement(tx, f)
        : ({ outcome: 'kept' } as const);
    await tx.query(`UPDATE alipay_notifications SET outcome = $2, anomaly = $3 WHERE id = $1`, [id, result.outcome, 'anomaly' in result ? result.anomaly ?? null : null]);
    return { status: 'stored' as const, id, ...result };
  });
}

type Taken = Omit<NotificationOutcome, 'status' | 'id'>;

async function takeTrade(tx: EntityManager, cipher: PiiCipher | null, merchant: Merchant, trade: NonNullable<ReturnType<typeof readNotification>['trade']>): Promise<Taken> {
  const order = await lockOrder(tx, { outTradeNo: trade.outTradeNo });
  const verdict = checkNotification(trade, order, merchant);
  if (verdict.kind === 'anomaly') return { outcome: 'anomaly', anomaly: verdict.anomaly, message: verdict.message, orderId: order?.id };
  const moved = await moveOrder(
    tx,
    order!,
    verdict.event,
    'notify',
    { tradeNo: trade.tradeNo, paidAt: verdict.event === 'PAID' ? trade.paidAt ?? new Date() : null, detail: { tradeStatus: trade.tradeStatus } },
    (paid) => queueWriteOff(tx, cipher, paid),
  );
  if (moved.kind === 'forbidden') {
    return { outcome: 'anomaly', anomaly: 'FORBIDDEN_TRANSITION', message: `${trade.tradeStatus} cannot move an order in ${moved.state}`, orderId: order!.id, state: moved.state };
  }
  return { outcome: moved.kind === 'move' ? 'moved' : 'absorbed', orderId: order!.id, state: moved.order.state };
}

/** dut_user_sign / dut_user_unsign: the agreement our sign request started, now with Alipay's agreement_no, or ended. */
async function takeAgreement(tx: EntityManager, f: Record<string, string>): Promise<Taken> {
  const signing = f.notify_type === 'dut_user_sign';
  const rows = rowsOf<{ id: string; user_id: string; status: string; agreement_no: string | null }>(
    await tx.query(
      `SELECT id, user_id, status, agreement_no FROM payment_agreements WHERE external_agreement_no = $1 OR agreement_no = $2 ORDER BY id LIMIT 1 FOR UPDATE`,
      [f.external_agreement_no ?? '', f.agreement_no ?? ''],
    ),
  );
  const agreement = rows[0];
  if (!agreement) return { outcome: 'anomaly', anomaly: 'UNKNOWN_AGREEMENT', message: `no sign request has external_agreement_no ${f.external_agreement_no ?? '(none)'}` };
  if (f.alipay_user_id && f.alipay_user_id !== agreement.user_id) {
    return { outcome: 'anomaly', anomaly: 'AGREEMENT_USER_MISMATCH', message: `agreement ${f.agreement_no} was signed by another Alipay user than the one who asked` };
  }
  if (signing) {
    if (agreement.status === 'UNSIGN') return { outcome: 'absorbed' }; // an unsign that overtook its sign: stays ended
    await tx.query(`UPDATE payment_agreements SET agreement_no = $2, status = 'NORMAL', signed_at = COALESCE($3::timestamptz, now()), updated_at = now() WHERE id = $1`, [
      agreement.id,
      f.agreement_no,
      f.sign_time ? `${f.sign_time.replace(' ', 'T')}+08:00` : null,
    ]);
  } else {
    await tx.query(`UPDATE payment_agreements SET agreement_no = COALESCE(agreement_no, $2), status = 'UNSIGN', unsigned_at = now(), updated_at = now() WHERE id = $1`, [
      agreement.id,
      f.agreement_no || null,
    ]);
  }
  return { outcome: 'moved' };
}
