import { Context, ServiceSchema } from 'moleculer';
import { GridbusError } from '../../core/errors';
import { MoneyFormatError, yuanToFen } from '../../core/mapping/money';
import { requireDep, ServiceDeps } from '../service-deps';

/** What the gateway hands over once a notification's signature, app_id and age are checked. */
export interface NotifyParams {
  fields: Record<string, string>;
  sourceIp?: string | null;
}

export interface NotifyResult {
  /** `stored`: first time seen, work done; `duplicate`: seen before (notify_id or out_trade_no + trade_status), nothing done. */
  status: 'stored' | 'duplicate';
  id?: string;
}

/** Emitted once per stored notification: the side effect a replay must not repeat. */
export const NOTIFICATION_STORED_EVENT = 'payment.notification.stored';

const CHINA_TIME = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/;
const TRADE_STATUSES = new Set(['WAIT_BUYER_PAY', 'TRADE_SUCCESS', 'TRADE_FINISHED', 'TRADE_CLOSED']);

/** Alipay times are China Standard Time (UTC+8) without a zone. */
function chinaTimeToIso(field: string, value: string | undefined, required: boolean): string | null {
  if (value === undefined || value === '') {
    if (required) throw invalid(field, 'is missing');
    return null;
  }
  const m = CHINA_TIME.exec(value);
  if (!m || Number.isNaN(Date.parse(`${m[1]}T${m[2]}+08:00`))) throw invalid(field, 'is not a time yyyy-MM-dd HH:mm:ss');
  return `${m[1]}T${m[2]}+08:00`;
}

function invalid(field: string, problem: string): GridbusError {
  return new GridbusError('VALIDATION_FAILED', `notification field ${field} ${problem}`, { details: { field } });
}

function fen(field: string, value: string | undefined, required: boolean): number | null {
  if (value === undefined || value === '') {
    if (required) throw invalid(field, 'is missing');
    return null;
  }
  try {
    return yuanToFen(value);
  } catch (err) {
    if (err instanceof MoneyFormatError) throw invalid(field, 'is not an amount in yuan with at most 2 decimals');
    throw err;
  }
}

/**
 * Payments. For now only Alipay's asynchronous notifications: each one is
 * stored once in PostgreSQL, keyed by notify_id and by (out_trade_no,
 * trade_status); a replay is answered `duplicate` and changes nothing.
 * Orders, the amount check against the order and the write-off outbox
 * come with `payment.create`.
 */
export function createPaymentService(deps: ServiceDeps): ServiceSchema {
  const dataSource = requireDep(deps.dataSource, 'the database', 'payment');
  const nodeId = deps.config.nodeId;

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
        async handler(this: { logger: { warn: (m: string) => void } }, ctx: Context<NotifyParams>): Promise<NotifyResult> {
          const f = ctx.params.fields;
          for (const field of ['notify_id', 'notify_type', 'app_id']) {
            if (!f[field]) throw invalid(field, 'is missing');
          }
          const isTrade = f.notify_type === 'trade_status_sync';
          if (isTrade) {
            if (!f.out_trade_no) throw invalid('out_trade_no', 'is missing');
            if (!TRADE_STATUSES.has(f.trade_status ?? '')) throw invalid('trade_status', 'is not one of WAIT_BUYER_PAY, TRADE_SUCCESS, TRADE_FINISHED, TRADE_CLOSED');
          }
          const row = {
            notifyTime: chinaTimeToIso('notify_time', f.notify_time, true),
            totalFen: fen('total_amount', f.total_amount, isTrade),
            receiptFen: fen('receipt_amount', f.receipt_amount, false),
            gmtPayment: chinaTimeToIso('gmt_payment', f.gmt_payment, false),
          };
          const inserted: Array<{ id: string }> = await dataSource.query(
            `INSERT INTO alipay_notifications
               (notify_id, notify_type, notify_time, app_id, out_trade_no, trade_no, trade_status,
                total_fen, receipt_fen, buyer_id, gmt_payment, fields, source_ip, request_id, node_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
             ON CONFLICT DO NOTHING
             RETURNING id`,
            [
              f.notify_id, f.notify_type, row.notifyTime, f.app_id, f.out_trade_no || null, f.trade_no || null, f.trade_status || null,
              row.totalFen, row.receiptFen, f.buyer_id || null, row.gmtPayment, JSON.stringify(f), ctx.params.sourceIp ?? null, ctx.requestID ?? null, nodeId,
            ],
          );
          if (!inserted.length) {
            const [seen] = await dataSource.query(
              `SELECT notify_id, total_fen FROM alipay_notifications
                WHERE notify_id = $1 OR (out_trade_no = $2 AND trade_status = $3) LIMIT 1`,
              [f.notify_id, f.out_trade_no || null, f.trade_status || null],
            );
            if (seen && row.totalFen !== null && seen.total_fen !== null && Number(seen.total_fen) !== row.totalFen) {
              this.logger.warn(`req=${ctx.requestID} Alipay notification ${f.notify_id} repeats ${seen.notify_id} with another total_amount (${row.totalFen} fen, stored ${seen.total_fen}): kept the first`);
            }
            return { status: 'duplicate' };
          }
          ctx.emit(NOTIFICATION_STORED_EVENT, {
            id: inserted[0].id,
            notifyId: f.notify_id,
            notifyType: f.notify_type,
            appId: f.app_id,
            outTradeNo: f.out_trade_no ?? null,
            tradeNo: f.trade_no ?? null,
            tradeStatus: f.trade_status ?? null,
            totalFen: row.totalFen,
          });
          return { status: 'stored', id: String(inserted[0].id) };
        },
      },
    },
  };
}
