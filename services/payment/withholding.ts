import { randomInt } from 'crypto';
import { Context } from 'moleculer';
import { DataSource } from 'typeorm';
import type { PiiCipher } from '../../core/crypto';
import { GridbusError } from '../../core/errors';
import { lockOrder, moveOrder, orderOf, queueWriteOff } from '../../core/payments';
import type { TradeState } from '../alipay/trade-calls';

const rowsOf = <T>(result: unknown): T[] => (Array.isArray(result) && Array.isArray(result[0]) ? (result[0] as T[]) : (result as T[]));

export interface WithholdCounts {
  agreements: number;
  nothingOwed: number;
  paid: number;
  failed: number;
  alreadyDone: number;
  unknown: number;
}

/** Our external_agreement_no for a sign request: the account and a random tail. */
export function newExternalAgreementNo(accountNo: string): string {
  return `GBA${accountNo}${Date.now().toString(36).toUpperCase()}${String(randomInt(0, 1e6)).padStart(6, '0')}`;
}

/**
 * The withholding job's run: for every signed agreement, the account's
 * arrears are paid by agreement (alipay.trade.pay, GENERAL_WITHHOLDING), once
 * per bill: the order is keyed by (account, bill) in the database and its
 * out_trade_no is derived from the bill, so another node, a restart or a
 * second run finds it and pays nothing twice. A refusal (balance short,
 * agreement revoked) fails the order and leaves a notice for the messaging
 * service; an unknown outcome stays CREATED for payments-sync to ask Alipay.
 */
export async function withholdArrears(ctx: Context, ds: DataSource, cipher: PiiCipher | null, timeoutMinutes: number, log: { warn(m: string): void }): Promise<WithholdCounts> {
  const counts: WithholdCounts = { agreements: 0, nothingOwed: 0, paid: 0, failed: 0, alreadyDone: 0, unknown: 0 };
  const agreements = rowsOf<{ user_id: string; account_no: string; agreement_no: string }>(
    await ds.query(`SELECT DISTINCT ON (account_no) user_id, account_no, agreement_no FROM payment_agreements WHERE status = 'NORMAL' ORDER BY account_no, signed_at DESC`),
  );
  for (const a of agreements) {
    counts.agreements++;
    let arrears: { totalFen: number; items: Array<{ billMonth: string }> };
    try {
      arrears = (await ctx.call('marketing.queryArrears', { accountNo: a.account_no })) as typeof arrears;
    } catch (err) {
      counts.unknown++;
      log.warn(`withholding: arrears of ${a.account_no} not read now: ${(err as Error).message}`);
      continue;
    }
    if (!arrears.totalFen) {
      counts.nothingOwed++;
      continue;
    }
    const billKey = arrears.items.map((i) => i.billMonth).sort().join(',') || 'balance';
    const outTradeNo = `W${a.account_no}${billKey.replace(/\D/g, '').slice(-24)}`;
    const inserted = rowsOf<Record<string, unknown>>(
      await ds.query(
        `INSERT INTO payment_orders (out_trade_no, kind, user_id, account_no, amount_fen, arrears_fen, bill_key, subject, state, expires_at)
         VALUES ($1, 'WITHHOLD', $2, $3, $4, $4, $5, $6, 'CREATED', now() + ($7::int * interval '1 minute'))
         ON CONFLICT DO NOTHING RETURNING *`,
        [outTradeNo, a.user_id, a.account_no, arrears.totalFen, billKey, `电费代扣 ${a.account_no}`, timeoutMinutes],
      ),
    );
    if (!inserted.length) {
      counts.alreadyDone++;
      continue;
    }
    const order = orderOf(inserted[0]);
    let trade: TradeState;
    try {
      trade = (await ctx.call('alipay.agreementPay', { outTradeNo, amountFen: order.amountFen, subject: order.subject, agreementNo: a.agreement_no })) as TradeState;
    } catch (err) {
      const refused = (err as GridbusError).type === 'PAYMENT_REFUSED';
      if (!refused) {
        counts.unknown++;
        log.warn(`withholding: ${outTradeNo} outcome unknown (${(err as Error).message}); payments-sync asks Alipay`);
        continue;
      }
      counts.failed++;
      const subCode = ((err as GridbusError).data as { subCode?: string } | undefined)?.subCode ?? 'PAYMENT_REFUSED';
      await ds.transaction(async (tx) => {
        const locked = (await lockOrder(tx, { id: order.id }))!;
        await moveOrder(tx, locked, 'CREATE_REFUSED', 'withhold', { lastError: (err as Error).message, detail: { subCode } });
        await tx.query(`INSERT INTO payment_notices (user_id, account_no, kind, reason, order_id) VALUES ($1, $2, 'WITHHOLD_FAILED', $3, $4)`, [a.user_id, a.account_no, subCode, order.id]);
      });
      continue;
    }
    if (trade.tradeStatus !== 'TRADE_SUCCESS' && trade.tradeStatus !== 'TRADE_FINISHED') {
      counts.unknown++;
      continue; // WAIT_BUYER_PAY: Alipay is still deciding; the notification or payments-sync settles it
    }
    counts.paid++;
    await ds.transaction(async (tx) => {
      const locked = (await lockOrder(tx, { id: order.id }))!;
      await moveOrder(tx, locked, 'PAID', 'withhold', { tradeNo: trade.tradeNo, paidAt: trade.paidAt ? new Date(trade.paidAt) : new Date() }, (paid) => queueWriteOff(tx, cipher, paid));
    });
  }
  return counts;
}
