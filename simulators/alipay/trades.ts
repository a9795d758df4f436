import { AMOUNT, Payload, bizContent, failure, newTradeNo, ok, text, toFen, toYuan } from './answers';
import { AgreementBook, maskedLogonId } from './agreements';
import { chinaTime } from './signing';

/**
 * The trades of the simulated merchant, and what Alipay's trade methods do
 * to them: create, query, close, refund (with its query) and withholding
 * pay. Amounts are kept as Alipay's yuan text and computed in integer fen.
 */
export type TradeStatus = 'WAIT_BUYER_PAY' | 'TRADE_SUCCESS' | 'TRADE_CLOSED' | 'TRADE_FINISHED';

export interface SimTrade {
  tradeNo: string;
  outTradeNo: string;
  totalAmount: string;
  subject: string;
  buyerId: string;
  status: TradeStatus;
  notifyUrl: string | null;
  createdAt: Date;
  paidAt: Date | null;
  closedAt: Date | null;
  /** Refunded so far (fen); the whole amount refunded closes the trade. */
  refundedFen: number;
  /** `GENERAL_WITHHOLDING` for a trade paid by agreement, else null. */
  productCode: string | null;
  agreementNo: string | null;
}

/** One refund request key (out_request_no) of one trade, and how often it came and was applied. */
export interface SimRefund {
  outRequestNo: string;
  outTradeNo: string;
  tradeNo: string;
  /** The amount applied, or the amount last asked while none was applied. */
  refundAmount: string;
  received: number;
  /** 0 or 1: an out_request_no refunds once. */
  applied: number;
  refundedAt: Date | null;
}

export const WITHHOLDING_PRODUCT = 'GENERAL_WITHHOLDING';

const TRADE_NOT_EXIST = () => failure('40004', 'ACQ.TRADE_NOT_EXIST', '交易不存在');
const invalid = (what: string) => failure('40004', 'ACQ.INVALID_PARAMETER', `参数无效: ${what}`);

function validAmount(amount: string): boolean {
  return AMOUNT.test(amount) && toFen(amount) >= 1 && toFen(amount) <= 10_000_000_000;
}

export class TradeBook {
  private readonly byOut = new Map<string, SimTrade>();
  private readonly refundsByKey = new Map<string, SimRefund>(); // `${tradeNo} ${outRequestNo}`

  constructor(
    private readonly agreements: AgreementBook,
    private readonly isBalanceShort: (userId: string) => boolean,
  ) {}

  get(outTradeNo: string): SimTrade | undefined {
    return this.byOut.get(outTradeNo);
  }

  list(): SimTrade[] {
    return [...this.byOut.values()].map((t) => ({ ...t }));
  }

  refunds(): SimRefund[] {
    return [...this.refundsByKey.values()].map((r) => ({ ...r }));
  }

  /** The buyer pays a waiting trade in the Alipay app (my.tradePay). */
  markPaid(trade: SimTrade): void {
    trade.status = 'TRADE_SUCCESS';
    trade.paidAt = new Date();
  }

  /** The refund period of a paid trade ends: TRADE_FINISHED, no refund any more. */
  finish(trade: SimTrade): void {
    if (!trade.paidAt || trade.status !== 'TRADE_SUCCESS') throw new Error(`trade ${trade.outTradeNo} is ${trade.status}: only a paid trade (TRADE_SUCCESS) finishes`);
    trade.status = 'TRADE_FINISHED';
    trade.closedAt = new Date();
  }

  private find(biz: Record<string, unknown>): SimTrade | undefined {
    const outTradeNo = text(biz, 'out_trade_no');
    if (outTradeNo) return this.byOut.get(outTradeNo);
    const tradeNo = text(biz, 'trade_no');
    return tradeNo ? [...this.byOut.values()].find((t) => t.tradeNo === tradeNo) : undefined;
  }

  create(params: Record<string, string>): Payload {
    const biz = bizContent(params);
    const outTradeNo = text(biz, 'out_trade_no');
    const totalAmount = text(biz, 'total_amount');
    const subject = text(biz, 'subject');
    const buyerId = text(biz, 'buyer_id') || text(biz, 'buyer_open_id');
    if (!outTradeNo || outTradeNo.length > 64) return invalid('out_trade_no');
    if (!validAmount(totalAmount)) return invalid('total_amount');
    if (!subject) return invalid('subject');
    if (!buyerId) return invalid('buyer_id');
    const existing = this.byOut.get(outTradeNo);
    if (existing) {
      if (existing.paidAt) return failure('40004', 'ACQ.TRADE_HAS_SUCCESS', '交易已被支付');
      if (existing.status === 'TRADE_CLOSED') return failure('40004', 'ACQ.TRADE_HAS_CLOSE', '交易已经关闭');
      if (existing.totalAmount !== totalAmount || existing.buyerId !== buyerId) return failure('40004', 'ACQ.CONTEXT_INCONSISTENT', '交易信息被篡改');
      return ok({ out_trade_no: outTradeNo, trade_no: existing.tradeNo });
    }
    const trade = this.newTrade(outTradeNo, totalAmount, subject, buyerId, params.notify_url || null);
    return ok({ out_trade_no: outTradeNo, trade_no: trade.tradeNo });
  }

  query(params: Record<string, string>): Payload {
    const trade = this.find(bizContent(params));
    if (!trade) return TRADE_NOT_EXIST();
    const paid = trade.paidAt ? { receipt_amount: trade.totalAmount, buyer_pay_amount: trade.totalAmount, send_pay_date: chinaTime(trade.paidAt) } : {};
    return ok({ trade_no: trade.tradeNo, out_trade_no: trade.outTradeNo, buyer_user_id: trade.buyerId, trade_status: trade.status, total_amount: trade.totalAmount, ...paid });
  }

  /** Only a trade waiting for the buyer can be closed (Alipay sends no notification for a merchant's close). */
  close(params: Record<string, string>): Payload {
    const trade = this.find(bizContent(params));
    if (!trade) return TRADE_NOT_EXIST();
    if (trade.status !== 'WAIT_BUYER_PAY') return failure('40004', 'ACQ.TRADE_STATUS_ERROR', '交易状态不合法');
    trade.status = 'TRADE_CLOSED';
    trade.closedAt = new Date();
    return ok({ trade_no: trade.tradeNo, out_trade_no: trade.outTradeNo });
  }

  /**
   * out_request_no is the idempotency key within a trade: asked again, the
   * refund is answered again (fund_change N) and not made twice. Without it
   * only the whole amount can be refunded, as on Alipay.
   */
  refund(params: Record<string, string>): Payload {
    const biz = bizContent(params);
    const trade = this.find(biz);
    if (!trade) return TRADE_NOT_EXIST();
    const amount = text(biz, 'refund_amount');
    if (!validAmount(amount)) return invalid('refund_amount');
    const givenKey = text(biz, 'out_request_no');
    if (givenKey.length > 64) return invalid('out_request_no');
    const outRequestNo = givenKey || trade.outTradeNo;
    const key = `${trade.tradeNo} ${outRequestNo}`;
    let record = this.refundsByKey.get(key);
    if (!record) {
      record = { outRequestNo, outTradeNo: trade.outTradeNo, tradeNo: trade.tradeNo, refundAmount: amount, received: 0, applied: 0, refundedAt: null };
      this.refundsByKey.set(key, record);
    }
    record.received++;
    const answer = (fundChange: 'Y' | 'N', at: Date) =>
      ok({
        trade_no: trade.tradeNo,
        out_trade_no: trade.outTradeNo,
        buyer_logon_id: maskedLogonId(trade.buyerId),
        buyer_user_id: trade.buyerId,
        fund_change: fundChange,
        refund_fee: toYuan(trade.refundedFen),
        send_back_fee: fundChange === 'Y' ? amount : '0.00',
        gmt_refund_pay: chinaTime(at),
      });
    if (record.applied) return answer('N', record.refundedAt!);

    const refused = (subCode: string, subMsg: string) =>
      failure('40004', subCode, subMsg, { out_trade_no: trade.outTradeNo, trade_no: trade.tradeNo, refund_fee: toYuan(trade.refundedFen), send_back_fee: '0.00' });
    record.refundAmount = amount;
    if (!trade.paidAt) return refused('ACQ.TRADE_STATUS_ERROR', '交易状态不合法');
    if (trade.status === 'TRADE_FINISHED') return refused('ACQ.TRADE_HAS_FINISHED', '交易已完结');
    if (trade.status === 'TRADE_CLOSED') return refused('ACQ.TRADE_HAS_CLOSE', '交易已经关闭');
    const fen = toFen(amount);
    const totalFen = toFen(trade.totalAmount);
    if (!givenKey && fen !== totalFen) return refused('ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', '撤销或退款金额与订单金额不一致');
    if (trade.refundedFen + fen > totalFen) return refused('ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', '退款金额超限');

    const now = new Date();
    record.applied = 1;
    record.refundedAt = now;
    trade.refundedFen += fen;
    if (trade.refundedFen === totalFen) {
      trade.status = 'TRADE_CLOSED';
      trade.closedAt = now;
    }
    return answer('Y', now);
  }

  /** A refund not found is answered 10000 without refund_amount nor refund_status, as Alipay does. */
  refundQuery(params: Record<string, string>): Payload {
    const biz = bizContent(params);
    const trade = this.find(biz);
    if (!trade) return TRADE_NOT_EXIST();
    const outRequestNo = text(biz, 'out_request_no');
    if (!outRequestNo) return invalid('out_request_no');
    const record = this.refundsByKey.get(`${trade.tradeNo} ${outRequestNo}`);
    if (!record?.applied) return ok({ trade_no: trade.tradeNo, out_trade_no: trade.outTradeNo });
    return ok({
      trade_no: trade.tradeNo,
      out_trade_no: trade.outTradeNo,
      out_request_no: outRequestNo,
      total_amount: trade.totalAmount,
      refund_amount: record.refundAmount,
      refund_status: 'REFUND_SUCCESS',
      gmt_refund_pay: chinaTime(record.refundedAt!),
    });
  }

  /**
   * `alipay.trade.pay` by agreement (product_code GENERAL_WITHHOLDING): paid
   * at once or refused; a paid out_trade_no is answered ACQ.TRADE_HAS_SUCCESS,
   * never charged twice. `paid` is the trade when this call took the money.
   */
  withhold(params: Record<string, string>): { payload: Payload; paid: SimTrade | null } {
    const refuse = (payload: Payload) => ({ payload, paid: null });
    const biz = bizContent(params);
    if (text(biz, 'product_code') !== WITHHOLDING_PRODUCT) return refuse(invalid(`product_code (the simulator pays only ${WITHHOLDING_PRODUCT})`));
    const outTradeNo = text(biz, 'out_trade_no');
    const totalAmount = text(biz, 'total_amount');
    const subject = text(biz, 'subject');
    const agreementParams = biz.agreement_params;
    const agreementNo = agreementParams && typeof agreementParams === 'object' ? text(agreementParams as Record<string, unknown>, 'agreement_no') : '';
    if (!outTradeNo || outTradeNo.length > 64) return refuse(invalid('out_trade_no'));
    if (!validAmount(totalAmount)) return refuse(invalid('total_amount'));
    if (!subject) return refuse(invalid('subject'));
    if (!agreementNo) return refuse(invalid('agreement_params.agreement_no'));

    const existing = this.byOut.get(outTradeNo);
    if (existing?.paidAt) return refuse(failure('40004', 'ACQ.TRADE_HAS_SUCCESS', '交易已被支付'));
    if (existing?.status === 'TRADE_CLOSED') return refuse(failure('40004', 'ACQ.TRADE_HAS_CLOSE', '交易已经关闭'));
    if (existing && existing.totalAmount !== totalAmount) return refuse(failure('40004', 'ACQ.CONTEXT_INCONSISTENT', '交易信息被篡改'));
    const agreement = this.agreements.get(agreementNo);
    // Alipay: "确认代扣业务传入的协议号对应的协议是否已解约": an unsigned agreement no longer exists for paying.
    if (!agreement || agreement.status !== 'NORMAL') return refuse(failure('40004', 'ACQ.AGREEMENT_NOT_EXIST', '用户协议不存在'));
    if (existing && existing.buyerId !== agreement.alipayUserId) return refuse(failure('40004', 'ACQ.TRADE_BUYER_NOT_MATCH', '交易买家不匹配'));
    if (this.isBalanceShort(agreement.alipayUserId)) return refuse(failure('40004', 'ACQ.BUYER_BALANCE_NOT_ENOUGH', '买家余额不足'));

    const trade = existing ?? this.newTrade(outTradeNo, totalAmount, subject, agreement.alipayUserId, params.notify_url || null);
    trade.productCode = WITHHOLDING_PRODUCT;
    trade.agreementNo = agreementNo;
    if (params.notify_url) trade.notifyUrl = params.notify_url;
    this.markPaid(trade);
    const payload = ok({
      trade_no: trade.tradeNo,
      out_trade_no: trade.outTradeNo,
      buyer_logon_id: maskedLogonId(trade.buyerId),
      buyer_user_id: trade.buyerId,
      total_amount: trade.totalAmount,
      receipt_amount: trade.totalAmount,
      buyer_pay_amount: trade.totalAmount,
      invoice_amount: trade.totalAmount,
      point_amount: '0.00',
      gmt_payment: chinaTime(trade.paidAt!),
      fund_bill_list: [{ fund_channel: 'ALIPAYACCOUNT', amount: trade.totalAmount }],
    });
    return { payload, paid: trade };
  }

  private newTrade(outTradeNo: string, totalAmount: string, subject: string, buyerId: string, notifyUrl: string | null): SimTrade {
    const now = new Date();
    const trade: SimTrade = {
      tradeNo: newTradeNo(now),
      outTradeNo,
      totalAmount,
      subject,
      buyerId,
      status: 'WAIT_BUYER_PAY',
      notifyUrl,
      createdAt: now,
      paidAt: null,
      closedAt: null,
      refundedFen: 0,
      productCode: null,
      agreementNo: null,
    };
    this.byOut.set(outTradeNo, trade);
    return trade;
  }
}
