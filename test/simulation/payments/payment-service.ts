import type { PiiCipher } from '../../../core/crypto';
import { checkNotification, Merchant, NotificationAnomaly, TradeNotification } from '../../../core/payments/notification-check';
import type { OrderEvent } from '../../../core/payments/order-machine';
import { EventSource, lockOrder, moveOrder } from '../../../core/payments/order-store';
import { queueWriteOff } from '../../../core/payments/write-off';
import type { MemoryDb } from './memory-db';

export type ApplyOutcome = { kind: 'anomaly'; anomaly: NotificationAnomaly } | { kind: 'move' | 'absorbed' | 'forbidden'; event: OrderEvent; from: string; writeOff: boolean } | { kind: 'no-order' };

/**
 * The payment service's glue, in memory, over the real functions: load and
 * lock the order, checkNotification, then moveOrder (the machine's table) with
 * queueWriteOff on entering PAID, all in one transaction. The caller answers
 * `success` only after this resolved (committed).
 *
 * `trustNotifiedAmount` is a deliberate bug for the checker's own test: the
 * order's amount is not compared with the notification's.
 */
export function applyNotification(db: MemoryDb, cipher: PiiCipher, merchant: Merchant, n: TradeNotification, trustNotifiedAmount = false): Promise<ApplyOutcome> {
  return db.transaction(async (tx) => {
    const order = await lockOrder(tx, { outTradeNo: n.outTradeNo });
    const facts = order ? { amountFen: trustNotifiedAmount ? n.totalFen : order.amountFen } : null;
    const verdict = checkNotification(n, facts, merchant);
    if (verdict.kind === 'anomaly') return { kind: 'anomaly', anomaly: verdict.anomaly };
    const moved = await moveOrder(tx, order!, verdict.event, 'notify', { tradeNo: n.tradeNo, paidAt: n.paidAt }, (o) => queueWriteOff(tx, cipher, o));
    return { kind: moved.kind, event: verdict.event, from: order!.state, writeOff: moved.kind === 'move' && moved.writeOff };
  });
}

/**
 * An operator's full refund of a PARKED payment as services/payment/refunds.ts
 * does it once Alipay refunded: no reversal (it holds a parked payment was
 * never posted), the dead or unknown write-off discarded, the order REFUNDED,
 * in one transaction.
 */
export function refundParkedWhole(db: MemoryDb, outTradeNo: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const order = await lockOrder(tx, { outTradeNo });
    if (!order || order.state !== 'PARKED') return false;
    for (const r of db.outbox) if (r.serial === outTradeNo && (r.status === 'dead' || r.status === 'unknown')) r.status = 'discarded';
    const moved = await moveOrder(tx, order, 'REFUNDED_FULL', 'refund', { refundedFen: order.amountFen });
    return moved.kind === 'move';
  });
}

/** An event the service itself learnt (trade.create answered, the close job, a trade.query): same table, same write-off rule. */
export function applyEvent(db: MemoryDb, cipher: PiiCipher, outTradeNo: string, event: OrderEvent, source: EventSource, facts: { tradeNo?: string | null; paidAt?: Date | null } = {}): Promise<ApplyOutcome> {
  return db.transaction(async (tx) => {
    const order = await lockOrder(tx, { outTradeNo });
    if (!order) return { kind: 'no-order' };
    const moved = await moveOrder(tx, order, event, source, facts, (o) => queueWriteOff(tx, cipher, o));
    return { kind: moved.kind, event, from: order.state, writeOff: moved.kind === 'move' && moved.writeOff };
  });
}
