/**
 * Dialect A's work orders (工单): CreateWorkOrder from a report or feedback,
 * idempotent by Serial (2001 answers the original OrderNo), and
 * QueryWorkOrder by Serial (Found N when none). OrderType 01 illegal use
 * (窃电举报), 02 feedback (意见建议), 03 complaint (投诉); OrderStatus 10
 * accepted, 20 in progress, 30 closed.
 */
import type { Args, MarketingServiceOptions } from './service';
import { notFound, resolveConsNo } from './service';
import { SoapFault } from './soap-fault';
import { RET_DUPLICATE_SERIAL, RET_OK } from './ret-codes';
import { shanghaiStamp } from './plate-dataset';
import type { TicketKind, TicketStatus } from './ticket-book';

const KIND_OF: Readonly<Record<string, TicketKind>> = { '01': 'ILLEGAL_USE', '02': 'FEEDBACK', '03': 'COMPLAINT' };
const STATUS_CODE: Readonly<Record<TicketStatus, string>> = { ACCEPTED: '10', IN_PROGRESS: '20', CLOSED: '30' };

const text = (args: Args, field: string): string => {
  const v = args?.[field];
  return typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '';
};

function coordinate(args: Args, field: string, limit: number): number | null {
  const v = text(args, field);
  if (!v) return null;
  const n = Number(v);
  if (!/^-?[0-9]+(\.[0-9]+)?$/.test(v) || Math.abs(n) > limit) throw new SoapFault('soap:Client', `${field} must be a decimal degree within ±${limit}, got ${v}`);
  return n;
}

async function createWorkOrder(args: Args, opts: MarketingServiceOptions) {
  const serial = text(args, 'Serial');
  if (!serial || serial.length > 64) throw new SoapFault('soap:Client', 'Serial must be 1-64 characters');
  const kind = KIND_OF[text(args, 'OrderType')];
  if (!kind) throw new SoapFault('soap:Client', `OrderType must be 01, 02 or 03, got ${text(args, 'OrderType') || '(missing)'}`);
  const content = text(args, 'Content');
  if (!content || content.length > 500) throw new SoapFault('soap:Client', 'Content must be 1-500 characters');
  const photos = text(args, 'PhotoCount');
  if (!/^[0-9]$/.test(photos)) throw new SoapFault('soap:Client', `PhotoCount must be 0-9, got ${photos || '(missing)'}`);
  const tel = text(args, 'Mobile');
  if (tel && !/^1[0-9]{10}$/.test(tel)) throw new SoapFault('soap:Client', 'Mobile must be an 11-digit mobile number');
  const lng = coordinate(args, 'Longitude', 180);
  const lat = coordinate(args, 'Latitude', 90);
  if ((lng === null) !== (lat === null)) throw new SoapFault('soap:Client', 'Longitude and Latitude go together');
  let consNo: string | null = null;
  if (text(args, 'ConsNo')) {
    consNo = await resolveConsNo(args, opts);
    if (!opts.payments.accounts.household(consNo)) return notFound(consNo);
  }
  const { created, ticket } = opts.tickets.open(serial, {
    kind, consNo, content, contactTel: tel || null, photoCount: Number(photos), location: lat === null || lng === null ? null : { lat, lng },
  });
  if (opts.ticketDelayMs) await opts.sleep(opts.ticketDelayMs);
  if (!created) return { RetCode: RET_DUPLICATE_SERIAL, RetMsg: `Serial ${serial} already processed`, OrderNo: ticket.ticketNo };
  return { RetCode: RET_OK, RetMsg: 'OK', OrderNo: ticket.ticketNo };
}

function queryWorkOrder(args: Args, opts: MarketingServiceOptions) {
  const serial = text(args, 'Serial');
  if (!serial) throw new SoapFault('soap:Client', 'Serial is required');
  const t = opts.tickets.find(serial);
  if (!t) return { RetCode: RET_OK, RetMsg: 'OK', Found: 'N' };
  return {
    RetCode: RET_OK,
    RetMsg: 'OK',
    Found: 'Y',
    OrderNo: t.ticketNo,
    OrderStatus: STATUS_CODE[t.status],
    ...(t.reply ? { ReplyContent: t.reply } : {}),
    UpdateTime: shanghaiStamp(t.updatedAt),
  };
}

export function workOrderOperations(opts: MarketingServiceOptions) {
  return {
    CreateWorkOrder: (args: Args) => createWorkOrder(args, opts),
    QueryWorkOrder: async (args: Args) => queryWorkOrder(args, opts),
  };
}
