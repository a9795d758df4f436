import { Context } from 'moleculer';
import { TradeCalls } from './trade-calls';

const OUT_NO = { type: 'string', pattern: /^[A-Za-z0-9_-]{1,64}$/ };
const FEN = { type: 'number', integer: true, min: 1, max: 100_000_000_00 };

/**
 * The trade calls of the money path as internal actions of the alipay service
 * (visibility public: other services call them, the gateway never routes
 * them). Amounts are fen; Alipay's refusals are PAYMENT_REFUSED, unknown
 * outcomes a retryable BACKEND_UNAVAILABLE (services/alipay/trade-calls.ts).
 */
export function tradeActions(trades: () => TradeCalls) {
  return {
    tradeCreate: {
      visibility: 'public' as const,
      params: { outTradeNo: OUT_NO, amountFen: FEN, subject: { type: 'string', min: 1, max: 256 }, buyerId: { type: 'string', min: 1, max: 32 }, timeoutMinutes: { type: 'number', integer: true, min: 1, max: 1440 }, $$strict: true },
      handler: (ctx: Context<Parameters<TradeCalls['create']>[0]>) => trades().create(ctx.params),
    },
    tradeQuery: {
      visibility: 'public' as const,
      params: { outTradeNo: OUT_NO, $$strict: true },
      handler: (ctx: Context<{ outTradeNo: string }>) => trades().query(ctx.params.outTradeNo),
    },
    tradeClose: {
      visibility: 'public' as const,
      params: { outTradeNo: OUT_NO, $$strict: true },
      handler: async (ctx: Context<{ outTradeNo: string }>) => ({ result: await trades().close(ctx.params.outTradeNo) }),
    },
    tradeRefund: {
      visibility: 'public' as const,
      params: { outTradeNo: OUT_NO, amountFen: FEN, outRequestNo: OUT_NO, reason: { type: 'string', min: 1, max: 256 }, $$strict: true },
      handler: (ctx: Context<Parameters<TradeCalls['refund']>[0]>) => trades().refund(ctx.params),
    },
    agreementPay: {
      visibility: 'public' as const,
      params: { outTradeNo: OUT_NO, amountFen: FEN, subject: { type: 'string', min: 1, max: 256 }, agreementNo: { type: 'string', min: 1, max: 64 }, $$strict: true },
      handler: (ctx: Context<Parameters<TradeCalls['agreementPay']>[0]>) => trades().agreementPay(ctx.params),
    },
  };
}
