import { createHash, randomInt } from 'crypto';
import { Context } from 'moleculer';
import { DataSource } from 'typeorm';
import { GridbusError } from '../../core/errors';
import { lockOrder, moveOrder, OrderRow, orderOf, OPEN_FOR_PAYMENT } from '../../core/payments';
import { accountNotFound, requireBoundAccount } from '../binding/ownership';

type Meta = { user?: { id: string } | null; clientIp?: string | null; idempotencyKey?: string | null };

export interface CreateParams {
  accountNo: string;
  amountFen?: number;
  all?: boolean;
  clientRequestId?: string;
}

export interface PaymentSettings {
  timeoutMinutes: number;
  nodeId: string;
  /** Settles an expired open order at Alipay (paid after all, or closed): services/payment/sync-orders.ts. */
  settleOpen(ctx: Context, order: OrderRow): Promise<OrderRow>;
}

const rowsOf = <T>(result: unknown): T[] => (Array.isArray(result) && Array.isArray(result[0]) ? (result[0] as T[]) : (result as T[]));
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{1,64}$/;

/** Our out_trade_no: 'P', China date-time, 10 random digits (≤64, unique by index). */
export function newOutTradeNo(prefix: 'P' | 'W', at = new Date()): string {
  const stamp = new Date(at.getTime() + 8 * 3600_000).toISOString().replace(/\D/g, '').slice(0, 14);
  return `${prefix}${stamp}${String(randomInt(0, 1e10)).padStart(10, '0')}`;
}

function requestHash(p: CreateParams): string {
  return createHash('sha256').update(JSON.stringify([p.accountNo, p.amountFen ?? null, p.all === true])).digest('hex');
}

async function orderBy(ds: DataSource, sql: string, params: unknown[]): Promise<OrderRow | null> {
  const rows = rowsOf<Record<string, unknown>>(await ds.query(sql, params));
  return rows.length ? orderOf(rows[0]) : null;
}

/**
 * POST /api/v1/payments. An Idempotency-Key (or clientRequestId) sent again
 * returns the same order; an open order of the same user for the same amount
 * on the account is returned again; any other second order while one is open
 * is refused (ORDER_STATE_CONFLICT): one open order per account, by index.
 */
export async function createOrder(ctx: Context<CreateParams, Meta>, ds: DataSource, settings: PaymentSettings): Promise<{ order: OrderRow; reused: boolean }> {
  const user = ctx.meta.user;
  if (!user) throw new GridbusError('UNAUTHORIZED', 'Authentication required', { details: { reason: 'no user' } });
  const p = ctx.params;
  const key = ctx.meta.idempotencyKey ?? p.clientRequestId ?? null;
  if (key !== null && !IDEMPOTENCY_KEY.test(key)) {
    throw new GridbusError('VALIDATION_FAILED', 'Idempotency-Key must be 1-64 letters, digits or _.:-', { details: { problems: [{ field: 'Idempotency-Key', type: 'pattern', message: 'Idempotency-Key must be 1-64 letters, digits or _.:-' }] } });
  }
  if ((p.amountFen === undefined) === (p.all !== true)) {
    throw new GridbusError('VALIDATION_FAILED', 'Give either amountFen or all: true', { details: { problems: [{ field: 'amountFen', type: 'required', message: 'give either amountFen or all: true' }] } });
  }
  await requireBoundAccount(ctx as Context<unknown, Meta>, p.accountNo, 'payment.create', settings.nodeId);
  const hash = requestHash(p);

  if (key !== null) {
    const seen = await orderBy(ds, `SELECT * FROM payment_orders WHERE user_id = $1 AND idempotency_key = $2`, [user.id, key]);
    if (seen) return resumeSeen(ctx, ds, settings, seen, hash, key);
  }

  let arrears: { totalFen: number; items: Array<{ billMonth: string }> };
  try {
    arrears = (await ctx.call('marketing.queryArrears', { accountNo: p.accountNo })) as typeof arrears;
  } catch (err) {
    if ((err as GridbusError).type === 'ACCOUNT_NOT_FOUND') throw accountNotFound();
    throw err;
  }
  if (!arrears.totalFen) throw new GridbusError('NOTHING_TO_PAY', `Account ${p.accountNo} owes nothing now`);
  const amountFen = p.all ? arrears.totalFen : p.amountFen!;
  if (amountFen > arrears.totalFen) {
    throw new GridbusError('AMOUNT_EXCEEDS_ARREARS', `The amount ${amountFen} fen is more than the ${arrears.totalFen} fen owed`, { details: { owedFen: arrears.totalFen } });
  }
  const billKey = arrears.items.map((i) => i.billMonth).sort().join(',') || 'balance';

  const open = await orderBy(ds, `SELECT * FROM payment_orders WHERE account_no = $1 AND kind = 'PAY' AND state IN ('CREATED', 'WAIT_PAY')`, [p.accountNo]);
  if (open) {
    const expired = open.expiresAt.getTime() <= Date.now();
    if (!expired && open.userId === user.id && open.amountFen === amountFen) return { order: await ensureTrade(ctx, ds, settings, open), reused: true };
    if (!expired) {
      throw new GridbusError('ORDER_STATE_CONFLICT', `A payment for account ${p.accountNo} is already open until ${open.expiresAt.toISOString()}: pay or wait for it to close`, {
        details: { state: open.state, expiresAt: open.expiresAt.toISOString() },
      });
    }
    // an expired order still blocks the account until it is closed at Alipay
    const settled = await settings.settleOpen(ctx, open);
    if (OPEN_FOR_PAYMENT.has(settled.state)) {
      throw new GridbusError('ORDER_STATE_CONFLICT', `The last payment for account ${p.accountNo} is still being closed at Alipay: try again in a minute`, { details: { state: settled.state } });
    }
  }

  let order: OrderRow;
  try {
    const rows = rowsOf<Record<string, unknown>>(
      await ds.query(
        `INSERT INTO payment_orders (out_trade_no, kind, user_id, account_no, amount_fen, arrears_fen, bill_key, subject, state, idempotency_key, request_hash, expires_at)
         VALUES ($1, 'PAY', $2, $3, $4, $5, $6, $7, 'CREATED', $8, $9, now() + ($10::int * interval '1 minute')) RETURNING *`,
        [newOutTradeNo('P'), user.id, p.accountNo, amountFen, arrears.totalFen, billKey, `电费 ${p.accountNo}`, key, hash, settings.timeoutMinutes],
      ),
    );
    order = orderOf(rows[0]);
  } catch (err) {
    // a double submit raced us to the same key, or another order opened on the account meanwhile
    if ((err as { code?: string }).code === '23505') {
      if (key !== null) {
        const seen = await orderBy(ds, `SELECT * FROM payment_orders WHERE user_id = $1 AND idempotency_key = $2`, [user.id, key]);
        if (seen) return resumeSeen(ctx, ds, settings, seen, hash, key);
      }
      throw new GridbusError('ORDER_STATE_CONFLICT', `A payment for account ${p.accountNo} is already open: pay or wait for it to close`, { details: { state: 'WAIT_PAY' } });
    }
    throw err;
  }
  await ds.query(`INSERT INTO payment_order_events (order_id, event, from_state, to_state, source, detail) VALUES ($1, 'CREATED', 'CREATED', 'CREATED', 'create', $2)`, [
    order.id,
    JSON.stringify({ arrearsFen: arrears.totalFen }),
  ]);
  return { order: await ensureTrade(ctx, ds, settings, order), reused: false };
}

async function resumeSeen(ctx: Context<CreateParams, Meta>, ds: DataSource, settings: PaymentSettings, seen: OrderRow, hash: string, key: string): Promise<{ order: OrderRow; reused: boolean }> {
  const same = rowsOf<{ request_hash: string }>(await ds.query(`SELECT request_hash FROM payment_orders WHERE id = $1`, [seen.id]))[0]?.request_hash === hash;
  if (!same) throw new GridbusError('IDEMPOTENCY_KEY_REUSED', `Idempotency-Key ${key} was used for another payment request`);
  return { order: await ensureTrade(ctx, ds, settings, seen), reused: true };
}

/**
 * Asks Alipay for the trade of an order that has none yet (trade.create is
 * idempotent by out_trade_no, so a retry after a lost answer is safe). A
 * refusal fails the order; an unknown outcome leaves it CREATED for the
 * caller's retry and the sync job.
 */
async function ensureTrade(ctx: Context<unknown, Meta>, ds: DataSource, settings: PaymentSettings, order: OrderRow): Promise<OrderRow> {
  if (order.tradeNo || !OPEN_FOR_PAYMENT.has(order.state) || order.expiresAt.getTime() <= Date.now()) return order;
  const minutesLeft = Math.max(1, Math.floor((order.expiresAt.getTime() - Date.now()) / 60000));
  let tradeNo: string;
  try {
    ({ tradeNo } = (await ctx.call('alipay.tradeCreate', { outTradeNo: order.outTradeNo, amountFen: order.amountFen, subject: order.subject, buyerId: order.userId, timeoutMinutes: minutesLeft })) as {
      tradeNo: string;
    });
  } catch (err) {
    if ((err as GridbusError).type === 'PAYMENT_REFUSED') {
      await ds.transaction(async (tx) => {
        const locked = await lockOrder(tx, { id: order.id });
        if (locked) await moveOrder(tx, locked, 'CREATE_REFUSED', 'create', { lastError: (err as Error).message, detail: { subCode: ((err as GridbusError).data as { subCode?: string } | undefined)?.subCode ?? null } });
      });
    }
    throw err;
  }
  return ds.transaction(async (tx) => {
    const locked = (await lockOrder(tx, { id: order.id }))!;
    return (await moveOrder(tx, locked, 'TRADE_CREATED', 'create', { tradeNo })).order;
  });
}
