import { Context, ServiceBroker, ServiceSchema } from 'moleculer';
import { GridbusError } from '../../core/errors';
import { ORDER_STATES, OrderRow, orderOf } from '../../core/payments';
import { requireBoundAccount } from '../binding/ownership';
import { requireDep, ServiceDeps } from '../service-deps';
import { createOrder, CreateParams } from './create-order';
import { fen } from './notification-fields';
import { takeNotification } from './notify';
import { operatorView, userView } from './order-views';
import { countAnomaly, registerPaymentMetrics } from './payment-metrics';
import { refundOrder, RefundParams } from './refunds';
import { settleOpenOrder, syncOpenOrders } from './sync-orders';
import { newExternalAgreementNo, withholdArrears } from './withholding';

export type { NotificationOutcome as NotifyResult } from './notify';

/** What the gateway hands over once a notification's signature, app_id and age are checked. */
export interface NotifyParams {
  fields: Record<string, string>;
  sourceIp?: string | null;
}

/** Emitted once per stored notification: the side effect a replay must not repeat. */
export const NOTIFICATION_STORED_EVENT = 'payment.notification.stored';

type Meta = { user?: { id: string } | null; clientIp?: string | null; idempotencyKey?: string | null };
type Log = { info(m: string): void; warn(m: string): void; error(m: string): void };

const ACCOUNT_NO = { type: 'string', pattern: /^[0-9]{10}$/, messages: { stringPattern: 'accountNo must be 10 digits' } };
const ORDER_ID = { type: 'string', pattern: /^[1-9][0-9]{0,18}$/, messages: { stringPattern: 'an order id is a positive integer' } };
const rowsOf = <T>(result: unknown): T[] => (Array.isArray(result) && Array.isArray(result[0]) ? (result[0] as T[]) : (result as T[]));

/**
 * The money path (docs/payments.md): orders and paying through Alipay,
 * notifications checked against the order and applied with the write-off's
 * outbox row in one transaction, the query/close and withholding jobs'
 * work, and operators' refunds. Orders move only along
 * core/payments/order-machine.ts.
 */
export function createPaymentService(deps: ServiceDeps): ServiceSchema {
  const ds = requireDep(deps.dataSource, 'the database', 'payment');
  // a write-off or reversal carries no personal data: its outbox rows need no PII key
  const cipher = null;
  const { config } = deps;
  const nodeId = config.nodeId;
  const merchant = () => ({ appId: config.alipay.appId ?? '', sellerId: config.payment.sellerId });

  const audit = (ctx: Context<unknown, Meta>, action: string, outcome: 'success' | 'failure' | 'denied', target: string | null, details: Record<string, unknown>) =>
    ctx.emit('audit.event', { actor: ctx.meta.user?.id ?? 'alipay', action, outcome, target, sourceIp: ctx.meta.clientIp ?? null, requestId: ctx.requestID, nodeId, details });

  const userId = (ctx: Context<unknown, Meta>): string => {
    const id = ctx.meta.user?.id;
    if (!id) throw new GridbusError('UNAUTHORIZED', 'Authentication required', { details: { reason: 'no user' } });
    return id;
  };

  const orderOfUser = async (ctx: Context<unknown, Meta>, id: string): Promise<OrderRow> => {
    const rows = rowsOf<Record<string, unknown>>(await ds.query(`SELECT * FROM payment_orders WHERE id = $1`, [id]));
    const order = rows.length ? orderOf(rows[0]) : null;
    if (order && order.userId === userId(ctx)) return order;
    if (order) audit(ctx, 'access.denied', 'denied', `payment:${id}`, { action: 'payment.get', reason: 'order of another user' });
    // someone else's order answers as one that does not exist
    throw new GridbusError('ORDER_NOT_FOUND', `No payment order ${id}`);
  };

  const settleOpen = (ctx: Context, order: OrderRow) => settleOpenOrder(ctx, ds, cipher, order);

  return {
    name: 'payment',
    actions: {
      notify: {
        // called by the /alipay/notify handler after the signature check, never routed
        visibility: 'public',
        params: {
          fields: { type: 'record', key: { type: 'string' }, value: { type: 'string' } },
          sourceIp: { type: 'string', optional: true, nullable: true },
        },
        async handler(this: { logger: Log; broker: ServiceBroker }, ctx: Context<NotifyParams, Meta>) {
          const f = ctx.params.fields;
          const result = await takeNotification(ds, cipher, merchant(), f, { sourceIp: ctx.params.sourceIp ?? null, requestId: ctx.requestID ?? null, nodeId });
          if (result.status === 'stored') {
            ctx.emit(NOTIFICATION_STORED_EVENT, {
              id: result.id,
              notifyId: f.notify_id,
              notifyType: f.notify_type,
              appId: f.app_id,
              outTradeNo: f.out_trade_no ?? null,
              tradeNo: f.trade_no ?? null,
              tradeStatus: f.trade_status ?? null,
              totalFen: fen('total_amount', f.total_amount, false),
              outcome: result.outcome,
            });
          }
          if (result.outcome === 'anomaly') {
            // answered (Alipay stops retrying), kept with its outcome, alarmed and audited: never written off
            this.logger.error(`req=${ctx.requestID} ALARM payment notification ${f.notify_id} kept, not applied: ${result.anomaly}: ${result.message}`);
            countAnomaly(this, result.anomaly ?? 'UNKNOWN');
            audit(ctx, 'payment.notify.anomaly', 'failure', f.out_trade_no ? `order:${f.out_trade_no}` : `notify:${f.notify_id}`, { anomaly: result.anomaly, message: result.message, notifyId: f.notify_id });
          }
          return result;
        },
      },

      /** POST /api/v1/payments: an order for a bound account's arrears (amountFen, or all: true). */
      create: {
        params: { accountNo: ACCOUNT_NO, amountFen: { type: 'number', integer: true, positive: true, max: 100_000_000_00, optional: true }, all: { type: 'boolean', optional: true }, clientRequestId: { type: 'string', optional: true, max: 64 }, $$strict: true },
        async handler(ctx: Context<CreateParams, Meta>) {
          const { order, reused } = await createOrder(ctx, ds, { timeoutMinutes: config.payment.timeoutMinutes, nodeId, settleOpen });
          if (!reused) audit(ctx, 'payment.create', 'success', `payment:${order.id}`, { accountNo: order.accountNo, amountFen: order.amountFen, outTradeNo: order.outTradeNo });
          return userView(order, { reused });
        },
      },

      /** GET /api/v1/payments: the user's own orders, newest first. */
      list: {
        params: { accountNo: { ...ACCOUNT_NO, optional: true }, limit: { type: 'number', integer: true, min: 1, max: 100, optional: true, convert: true }, $$strict: true },
        async handler(ctx: Context<{ accountNo?: string; limit?: number }, Meta>) {
          const rows = rowsOf<Record<string, unknown>>(
            await ds.query(`SELECT * FROM payment_orders WHERE user_id = $1 AND ($2::text IS NULL OR account_no = $2) ORDER BY id DESC LIMIT $3`, [userId(ctx), ctx.params.accountNo ?? null, ctx.params.limit ?? 20]),
          );
          return { payments: rows.map((r) => userView(orderOf(r))) };
        },
      },

      /** GET /api/v1/payments/:id: one of the user's own orders (anyone else's answers ORDER_NOT_FOUND). */
      get: {
        params: { id: ORDER_ID, $$strict: true },
        async handler(ctx: Context<{ id: string }, Meta>) {
          return userView(await orderOfUser(ctx, ctx.params.id));
        },
      },

      /** POST /api/v1/agreements: starts withholding for a bound account; Alipay's dut_user_sign completes it. */
      startAgreement: {
        params: { accountNo: ACCOUNT_NO, $$strict: true },
        async handler(ctx: Context<{ accountNo: string }, Meta>) {
          const user = userId(ctx);
          await requireBoundAccount(ctx as Context<unknown, Meta>, ctx.params.accountNo, 'payment.startAgreement', nodeId);
          const externalAgreementNo = newExternalAgreementNo(ctx.params.accountNo);
          await ds.query(`INSERT INTO payment_agreements (external_agreement_no, user_id, account_no, status) VALUES ($1, $2, $3, 'PENDING')`, [externalAgreementNo, user, ctx.params.accountNo]);
          audit(ctx, 'payment.agreement.start', 'success', `account:${ctx.params.accountNo}`, { externalAgreementNo });
          return { externalAgreementNo, accountNo: ctx.params.accountNo, status: 'PENDING', personalProductCode: 'GENERAL_WITHHOLDING_P', signScene: 'INDUSTRY|SATF_ACC' };
        },
      },

      /** GET /api/v1/agreements: the user's withholding agreements. */
      listAgreements: {
        params: { $$strict: true },
        async handler(ctx: Context<unknown, Meta>) {
          const rows = rowsOf<Record<string, unknown>>(
            await ds.query(`SELECT external_agreement_no, agreement_no, account_no, status, signed_at, unsigned_at FROM payment_agreements WHERE user_id = $1 ORDER BY id DESC`, [userId(ctx)]),
          );
          return {
            agreements: rows.map((r) => ({
              externalAgreementNo: r.external_agreement_no,
              agreementNo: r.agreement_no ?? null,
              accountNo: r.account_no,
              status: r.status,
              signedAt: r.signed_at ? (r.signed_at as Date).toISOString() : null,
              unsignedAt: r.unsigned_at ? (r.unsigned_at as Date).toISOString() : null,
            })),
          };
        },
      },

      /** GET /admin/api/payments?state=SUSPECT: orders for operators, newest first. */
      adminList: {
        params: { state: { type: 'enum', values: [...ORDER_STATES], optional: true }, accountNo: { ...ACCOUNT_NO, optional: true }, limit: { type: 'number', integer: true, min: 1, max: 500, optional: true, convert: true }, $$strict: true },
        async handler(ctx: Context<{ state?: string; accountNo?: string; limit?: number }>) {
          const rows = rowsOf<Record<string, unknown>>(
            await ds.query(`SELECT * FROM payment_orders WHERE ($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR account_no = $2) ORDER BY id DESC LIMIT $3`, [
              ctx.params.state ?? null,
              ctx.params.accountNo ?? null,
              ctx.params.limit ?? 50,
            ]),
          );
          return { payments: rows.map((r) => operatorView(orderOf(r))) };
        },
      },

      /** GET /admin/api/payments/:id: an order with its moves, refunds and the outbox rows that carry it to the marketing system. */
      adminGet: {
        params: { id: ORDER_ID, $$strict: true },
        async handler(ctx: Context<{ id: string }>) {
          const rows = rowsOf<Record<string, unknown>>(await ds.query(`SELECT * FROM payment_orders WHERE id = $1`, [ctx.params.id]));
          if (!rows.length) throw new GridbusError('ORDER_NOT_FOUND', `No payment order ${ctx.params.id}`);
          const order = orderOf(rows[0]);
          const events = await ds.query(`SELECT event, from_state, to_state, source, detail, at FROM payment_order_events WHERE order_id = $1 ORDER BY id`, [order.id]);
          const refunds = await ds.query(`SELECT out_request_no, amount_fen::int AS amount_fen, reason, operator, state, reversal, last_error, created_at FROM payment_refunds WHERE order_id = $1 ORDER BY id`, [order.id]);
          const outbox = await ds.query(
            `SELECT id, operation, serial, status, attempts, last_error, delivered_at FROM outbox WHERE serial = $1 OR serial IN (SELECT out_request_no FROM payment_refunds WHERE order_id = $2) ORDER BY id`,
            [order.outTradeNo, order.id],
          );
          return { order: operatorView(order), events, refunds, outbox };
        },
      },

      /** POST /admin/api/payments/:id/refunds: an operator's refund with a reason (audited); reverses the write-off when there was one. */
      refund: {
        params: { id: ORDER_ID, amountFen: { type: 'number', integer: true, positive: true, max: 100_000_000_00 }, reason: { type: 'string', min: 3, max: 500, trim: true }, requestNo: { type: 'string', pattern: /^[A-Za-z0-9_-]{1,40}$/, optional: true }, $$strict: true },
        async handler(ctx: Context<RefundParams, Meta>) {
          const operator = ctx.meta.user?.id ?? 'unknown';
          try {
            const { order, refund } = await refundOrder(ctx as Context<RefundParams>, ds, cipher, operator);
            audit(ctx, 'payment.refund', 'success', `payment:${order.id}`, { amountFen: refund.amountFen, reason: ctx.params.reason, outRequestNo: refund.outRequestNo, reversal: refund.reversal, state: refund.state });
            return { order: operatorView(order), refund };
          } catch (err) {
            audit(ctx, 'payment.refund', 'failure', `payment:${ctx.params.id}`, { amountFen: ctx.params.amountFen, reason: ctx.params.reason, error: (err as GridbusError).type ?? 'INTERNAL' });
            throw err;
          }
        },
      },

      /** The payments-sync job: asks Alipay about orders whose notification has not come, closes expired ones. */
      sync: {
        visibility: 'public',
        params: { limit: { type: 'number', integer: true, min: 1, max: 10000, optional: true }, $$strict: true },
        async handler(this: { logger: Log }, ctx: Context<{ limit?: number }>) {
          return syncOpenOrders(ctx, ds, cipher, config.payment.queryAfterS, ctx.params.limit ?? 200, this.logger);
        },
      },

      /** The withholding job: pays the arrears of accounts with a signed agreement, once per bill. */
      withhold: {
        visibility: 'public',
        params: { $$strict: true },
        async handler(this: { logger: Log }, ctx: Context) {
          return withholdArrears(ctx, ds, cipher, config.payment.timeoutMinutes, this.logger);
        },
      },
    },
    started(this: { broker: ServiceBroker }) {
      registerPaymentMetrics(this.broker);
    },
  };
}
