import type { OrderRow } from '../../core/payments';

/** What a household sees of its order: amounts in fen, the trade_no for my.tradePay while it can be paid. */
export function userView(o: OrderRow, extra: { reused?: boolean } = {}) {
  return {
    id: o.id,
    outTradeNo: o.outTradeNo,
    kind: o.kind,
    accountNo: o.accountNo,
    amountFen: o.amountFen,
    state: o.state,
    tradeNo: o.tradeNo,
    refundedFen: o.refundedFen,
    createdAt: o.createdAt.toISOString(),
    expiresAt: o.expiresAt.toISOString(),
    paidAt: o.paidAt ? o.paidAt.toISOString() : null,
    ...(extra.reused !== undefined ? { reused: extra.reused } : {}),
  };
}

/** The operator's view adds who, why it is stuck, and the bill it pays. */
export function operatorView(o: OrderRow) {
  return { ...userView(o), userId: o.userId, arrearsFen: o.arrearsFen, billKey: o.billKey, subject: o.subject, lastError: o.lastError, updatedAt: o.updatedAt.toISOString() };
}
