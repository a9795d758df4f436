import { GridbusError } from '../../core/errors';
import { fenToYuan, yuanToFen } from '../../core/mapping/money';
import type { AlipayClient } from '../service-deps';

type Body = { code: string; msg: string; sub_code?: string; sub_msg?: string; [k: string]: unknown };

/** Codes after which Alipay's outcome is unknown: query the trade, never repeat blindly. */
const UNKNOWN_SUB_CODES = new Set(['ACQ.SYSTEM_ERROR', 'isp.unknow-error', 'aop.ACQ.SYSTEM_ERROR']);

/** Alipay times are China Standard Time without a zone. */
export function chinaTimeToDate(value: unknown): Date | null {
  if (typeof value !== 'string') return null;
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/.exec(value);
  return m ? new Date(`${m[1]}T${m[2]}+08:00`) : null;
}

function fenOf(value: unknown): number | null {
  if (value === undefined || value === null || value === '') return null;
  try {
    return yuanToFen(value);
  } catch {
    throw new GridbusError('BACKEND_BAD_RESPONSE', `Alipay answered an amount that is not yuan: ${String(value).slice(0, 20)}`);
  }
}

/**
 * A business refusal becomes PAYMENT_REFUSED (nothing was charged) carrying
 * Alipay's sub_code; an answer that leaves the outcome open (20000,
 * ACQ.SYSTEM_ERROR) becomes a retryable BACKEND_UNAVAILABLE, which callers
 * settle by querying.
 */
export function refusal(method: string, body: Body): GridbusError {
  const detail = `${body.code} ${body.msg}${body.sub_code ? ` (${body.sub_code}${body.sub_msg ? `: ${body.sub_msg}` : ''})` : ''}`;
  const details = { method, alipayCode: body.code, subCode: body.sub_code ?? null };
  if (body.code === '20000' || body.code === '40005' || (body.sub_code && UNKNOWN_SUB_CODES.has(body.sub_code))) {
    return new GridbusError('BACKEND_UNAVAILABLE', `${method}: Alipay answered ${detail}; the outcome is unknown`, { retryable: true, details });
  }
  return new GridbusError('PAYMENT_REFUSED', `${method}: Alipay refused: ${detail}`, { details, publicMessage: true });
}

export interface TradeState {
  found: boolean;
  tradeNo: string | null;
  tradeStatus: 'WAIT_BUYER_PAY' | 'TRADE_SUCCESS' | 'TRADE_FINISHED' | 'TRADE_CLOSED' | null;
  totalFen: number | null;
  paidAt: string | null;
}

/** The trade calls of the money path, amounts in fen in and out. */
export class TradeCalls {
  constructor(private readonly client: AlipayClient) {}

  async create(p: { outTradeNo: string; amountFen: number; subject: string; buyerId: string; timeoutMinutes: number }): Promise<{ tradeNo: string }> {
    const r = await this.client.call('alipay.trade.create', {
      bizContent: { out_trade_no: p.outTradeNo, total_amount: fenToYuan(p.amountFen), subject: p.subject, buyer_id: p.buyerId, timeout_express: `${p.timeoutMinutes}m` },
    });
    if (!r.ok) throw refusal('alipay.trade.create', r.body);
    if (typeof r.body.trade_no !== 'string') throw new GridbusError('BACKEND_BAD_RESPONSE', 'alipay.trade.create answered without trade_no');
    return { tradeNo: r.body.trade_no };
  }

  async query(outTradeNo: string): Promise<TradeState> {
    const r = await this.client.call('alipay.trade.query', { bizContent: { out_trade_no: outTradeNo } });
    if (!r.ok) {
      if (r.body.sub_code === 'ACQ.TRADE_NOT_EXIST') return { found: false, tradeNo: null, tradeStatus: null, totalFen: null, paidAt: null };
      throw refusal('alipay.trade.query', r.body);
    }
    const status = r.body.trade_status as TradeState['tradeStatus'];
    return {
      found: true,
      tradeNo: (r.body.trade_no as string) ?? null,
      tradeStatus: status ?? null,
      totalFen: fenOf(r.body.total_amount),
      paidAt: chinaTimeToDate(r.body.send_pay_date)?.toISOString() ?? null,
    };
  }

  /** Closes an unpaid trade; `paid` when Alipay says it is paid after all (the caller queries it). */
  async close(outTradeNo: string): Promise<'closed' | 'not-exist' | 'paid'> {
    const r = await this.client.call('alipay.trade.close', { bizContent: { out_trade_no: outTradeNo } });
    if (r.ok) return 'closed';
    if (r.body.sub_code === 'ACQ.TRADE_NOT_EXIST') return 'not-exist';
    if (r.body.sub_code === 'ACQ.TRADE_STATUS_ERROR') return 'paid';
    throw refusal('alipay.trade.close', r.body);
  }

  /** Refunds part or all of a paid trade; the same outRequestNo again refunds nothing more. Answers the cumulative refunded amount. */
  async refund(p: { outTradeNo: string; amountFen: number; outRequestNo: string; reason: string }): Promise<{ refundedFen: number | null; fundChange: boolean }> {
    const r = await this.client.call('alipay.trade.refund', {
      bizContent: { out_trade_no: p.outTradeNo, refund_amount: fenToYuan(p.amountFen), out_request_no: p.outRequestNo, refund_reason: p.reason.slice(0, 256) },
    });
    if (!r.ok) throw refusal('alipay.trade.refund', r.body);
    return { refundedFen: fenOf(r.body.refund_fee), fundChange: r.body.fund_change === 'Y' };
  }

  /** Withholding: pays by the user's agreement, synchronously. */
  async agreementPay(p: { outTradeNo: string; amountFen: number; subject: string; agreementNo: string }): Promise<TradeState> {
    const r = await this.client.call('alipay.trade.pay', {
      bizContent: {
        out_trade_no: p.outTradeNo,
        total_amount: fenToYuan(p.amountFen),
        subject: p.subject,
        product_code: 'GENERAL_WITHHOLDING',
        agreement_params: { agreement_no: p.agreementNo },
      },
    });
    if (!r.ok) throw refusal('alipay.trade.pay', r.body);
    return {
      found: true,
      tradeNo: (r.body.trade_no as string) ?? null,
      tradeStatus: (r.body.trade_status as TradeState['tradeStatus']) ?? 'TRADE_SUCCESS',
      totalFen: fenOf(r.body.total_amount),
      paidAt: chinaTimeToDate(r.body.gmt_payment)?.toISOString() ?? null,
    };
  }
}
