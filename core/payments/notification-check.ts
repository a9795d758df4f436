import type { OrderEvent } from './order-machine';

/** A trade_status_sync notification, its amounts already in fen. */
export interface TradeNotification {
  outTradeNo: string;
  tradeNo: string | null;
  tradeStatus: 'WAIT_BUYER_PAY' | 'TRADE_SUCCESS' | 'TRADE_FINISHED' | 'TRADE_CLOSED';
  totalFen: number;
  appId: string;
  sellerId: string | null;
  paidAt: Date | null;
}

/** What the notification is checked against: the order it names, and who we are. */
export interface OrderFacts {
  amountFen: number;
}

export interface Merchant {
  appId: string;
  /** ALIPAY_SELLER_ID: checked when set (the notification's seller_id must be ours). */
  sellerId: string | null;
}

/** Why a signed notification is kept but never applied: each is alarmed and audited. */
export type NotificationAnomaly = 'UNKNOWN_ORDER' | 'AMOUNT_MISMATCH' | 'APP_MISMATCH' | 'SELLER_MISMATCH';

export type NotificationVerdict = { kind: 'apply'; event: OrderEvent } | { kind: 'anomaly'; anomaly: NotificationAnomaly; message: string };

const EVENT_OF: Record<TradeNotification['tradeStatus'], OrderEvent> = {
  WAIT_BUYER_PAY: 'TRADE_CREATED',
  TRADE_SUCCESS: 'PAID',
  TRADE_FINISHED: 'PAID',
  TRADE_CLOSED: 'CLOSED',
};

/**
 * Whether a notification may move its order, pure: the order must exist, the
 * app and seller must be ours and the amount must equal the order's to the
 * fen. Anything else is an anomaly: answered (so Alipay stops retrying),
 * kept, alarmed, never written off.
 */
export function checkNotification(n: TradeNotification, order: OrderFacts | null, merchant: Merchant): NotificationVerdict {
  if (n.appId !== merchant.appId) return { kind: 'anomaly', anomaly: 'APP_MISMATCH', message: `app_id ${n.appId} is not ours (${merchant.appId})` };
  if (merchant.sellerId && n.sellerId !== null && n.sellerId !== merchant.sellerId) {
    return { kind: 'anomaly', anomaly: 'SELLER_MISMATCH', message: `seller_id ${n.sellerId} is not ours` };
  }
  if (!order) return { kind: 'anomaly', anomaly: 'UNKNOWN_ORDER', message: `no order has out_trade_no ${n.outTradeNo}` };
  if (n.totalFen !== order.amountFen) {
    return { kind: 'anomaly', anomaly: 'AMOUNT_MISMATCH', message: `total_amount ${n.totalFen} fen differs from the order's ${order.amountFen} fen` };
  }
  return { kind: 'apply', event: EVENT_OF[n.tradeStatus] };
}
