import { expect } from 'chai';
import { checkNotification, Merchant, TradeNotification } from '../../../../core/payments/notification-check';

const MERCHANT: Merchant = { appId: '2021004100000001', sellerId: '2088100000000001' };
const ORDER = { amountFen: 32955 };

function notice(over: Partial<TradeNotification> = {}): TradeNotification {
  return { outTradeNo: 'GB202612040001', tradeNo: '2026120422001400001', tradeStatus: 'TRADE_SUCCESS', totalFen: 32955, appId: MERCHANT.appId, sellerId: MERCHANT.sellerId, paidAt: new Date('2026-12-04T02:15:00Z'), ...over };
}

describe('payments notification check - only our own order at its exact amount moves', () => {
  it('applies each trade status as its machine event', () => {
    expect(checkNotification(notice(), ORDER, MERCHANT)).to.deep.equal({ kind: 'apply', event: 'PAID' });
    expect(checkNotification(notice({ tradeStatus: 'TRADE_FINISHED' }), ORDER, MERCHANT)).to.deep.equal({ kind: 'apply', event: 'PAID' });
    expect(checkNotification(notice({ tradeStatus: 'TRADE_CLOSED' }), ORDER, MERCHANT)).to.deep.equal({ kind: 'apply', event: 'CLOSED' });
    expect(checkNotification(notice({ tradeStatus: 'WAIT_BUYER_PAY' }), ORDER, MERCHANT)).to.deep.equal({ kind: 'apply', event: 'TRADE_CREATED' });
  });

  it('keeps a notification for an order that does not exist as UNKNOWN_ORDER', () => {
    const v = checkNotification(notice({ outTradeNo: 'GB-NOPE' }), null, MERCHANT);
    expect(v).to.include({ kind: 'anomaly', anomaly: 'UNKNOWN_ORDER' });
    expect((v as { message: string }).message).to.contain('GB-NOPE');
  });

  it('refuses an amount one fen off either way, 0.01 yuan against a bill, zero and negative amounts', () => {
    for (const totalFen of [32954, 32956, 1, 0, -32955]) {
      expect(checkNotification(notice({ totalFen }), ORDER, MERCHANT), `${totalFen}`).to.include({ kind: 'anomaly', anomaly: 'AMOUNT_MISMATCH' });
    }
  });

  it('refuses another app and another seller, and checks the seller only when ours is configured', () => {
    expect(checkNotification(notice({ appId: '2021009900000009' }), ORDER, MERCHANT)).to.include({ kind: 'anomaly', anomaly: 'APP_MISMATCH' });
    expect(checkNotification(notice({ sellerId: '2088999999999999' }), ORDER, MERCHANT)).to.include({ kind: 'anomaly', anomaly: 'SELLER_MISMATCH' });
    expect(checkNotification(notice({ sellerId: '2088999999999999' }), ORDER, { ...MERCHANT, sellerId: null })).to.deep.equal({ kind: 'apply', event: 'PAID' });
    expect(checkNotification(notice({ sellerId: null }), ORDER, MERCHANT)).to.deep.equal({ kind: 'apply', event: 'PAID' });
  });

  it('names a foreign app before looking the order up (an unknown order from another app is a foreign app)', () => {
    expect(checkNotification(notice({ appId: 'x' }), null, MERCHANT)).to.include({ anomaly: 'APP_MISMATCH' });
  });

  it('refuses a wrong amount even for a closing notification (nothing a forged notice says is applied)', () => {
    expect(checkNotification(notice({ tradeStatus: 'TRADE_CLOSED', totalFen: 1 }), ORDER, MERCHANT)).to.include({ anomaly: 'AMOUNT_MISMATCH' });
  });
});
