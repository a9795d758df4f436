import type { TradeNotification } from '../../../core/payments/notification-check';

/** What Alipay knows of one of our orders: the truth the bus must end up agreeing with. */
export interface AlipayTrade {
  outTradeNo: string;
  tradeNo: string;
  amountFen: number;
  /** the household's money was taken */
  paid: boolean;
  paidAt: Date | null;
  /** closed unpaid (our close job); a payment racing the close can still land */
  closed: boolean;
  /** given back to the household (alipay.trade.refund) */
  refundedFen: number;
}

/** One notification Alipay keeps sending until it is answered `success`. */
export interface NotifyStream {
  id: number;
  n: TradeNotification;
  /** false: forged amount, unknown order, foreign app (signed, so past the gateway, but never to be applied) */
  legit: boolean;
  what: string;
  attempts: number;
  acked: boolean;
}

export const MERCHANT = { appId: '2021004100000001', sellerId: '2088100000000001' };
export const FOREIGN_APP = '2021009900000009';
