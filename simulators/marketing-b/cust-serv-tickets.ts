/**
 * YX's tickets and e-bills: TicketSubmit (TicketType QD illegal use 窃电,
 * JY suggestion 建议, TS complaint 投诉; a repeated BizSeq answers E0002 with
 * the same TicketId), TicketInquiry (E0003 without RspBody when no ticket has
 * this BizSeq; HandleState 0 accepted 受理, 1 in progress 处理中, 2 closed
 * 办结), EBillSubscribe (SubFlag 1 subscribe, 0 end; E0002 on a repeated
 * BizSeq) and EBillInquiry (SubState 1/0, SubDate).
 */
import type { MarketingBServiceOptions } from './service';
import { customerCheck, field, request } from './cust-serv-service';
import { FAULT_CLIENT, RSP_DUPLICATE_SEQ, RSP_OK, YxSoapFault, header, obj, text } from './yx-protocol';
import { RSP_TXN_NOT_FOUND } from './charge-service';
import type { TicketKind, TicketStatus } from '../marketing/ticket-book';
import { shanghaiStamp } from '../marketing/plate-dataset';
import { yxStamp, yxStampOf } from './yx-time';

const KIND_OF: Readonly<Record<string, TicketKind>> = { QD: 'ILLEGAL_USE', JY: 'FEEDBACK', TS: 'COMPLAINT' };
const HANDLE_STATE: Readonly<Record<TicketStatus, string>> = { ACCEPTED: '0', IN_PROGRESS: '1', CLOSED: '2' };

function degrees(v: unknown, where: string, limit: number): number {
  const t = text(v);
  if (!/^-?[0-9]+(\.[0-9]+)?$/.test(t) || Math.abs(Number(t)) > limit) throw new YxSoapFault(FAULT_CLIENT, `${where} must be decimal degrees within ±${limit}, got ${t || '(missing)'}`);
  return Number(t);
}

async function ticketSubmit(args: unknown, opts: MarketingBServiceOptions) {
  const r = request(args, 'Ticket');
  const bizSeq = field(r, 'Ticket', 'BizSeq', /^.{1,64}$/, '1-64 characters');
  const kind = KIND_OF[field(r, 'Ticket', 'TicketType', /^(QD|JY|TS)$/, 'QD, JY or TS')];
  const desc = field(r, 'Ticket', 'Desc', /^[\s\S]{1,500}$/, '1-500 characters');
  const attachNum = field(r, 'Ticket', 'AttachNum', /^[0-9]$/, '0-9');
  const tel = text(r.body?.MobileNo);
  if (tel && !/^1[0-9]{10}$/.test(tel)) throw new YxSoapFault(FAULT_CLIENT, 'ReqBody.Ticket.MobileNo must be an 11-digit mobile number');
  const gis = obj(r.body?.Gis);
  const location = gis ? { lng: degrees(gis.Lng, 'ReqBody.Ticket.Gis.Lng', 180), lat: degrees(gis.Lat, 'ReqBody.Ticket.Gis.Lat', 90) } : null;
  const custNo = text(r.body?.CustNo) || null;
  if (custNo) {
    const refused = await customerCheck(custNo, r, opts);
    if (refused) return refused;
  }
  const { created, ticket } = opts.tickets.open(bizSeq, { kind, consNo: custNo, content: desc, contactTel: tel || null, photoCount: Number(attachNum), location });
  if (opts.ticketDelayMs) await opts.sleep(opts.ticketDelayMs);
  const code = created ? header(RSP_OK, '交易成功', r.transSeq) : header(RSP_DUPLICATE_SEQ, `业务流水 ${bizSeq} 已处理 (already processed)`, r.transSeq);
  // YX numbers its tickets its own way; the shared book's number is the sequence
  return { RspHeader: code, RspBody: { Ticket: { TicketId: `YXGD${ticket.ticketNo.slice(2)}` } } };
}

function ticketInquiry(args: unknown, opts: MarketingBServiceOptions) {
  const r = request(args, 'Query');
  const bizSeq = field(r, 'Query', 'BizSeq');
  const t = opts.tickets.find(bizSeq);
  if (!t) return { RspHeader: header(RSP_TXN_NOT_FOUND, `工单 ${bizSeq} 不存在 (no such ticket)`, r.transSeq) };
  return {
    RspHeader: header(RSP_OK, '交易成功', r.transSeq),
    RspBody: {
      Ticket: { TicketId: `YXGD${t.ticketNo.slice(2)}`, HandleState: HANDLE_STATE[t.status], ...(t.reply ? { ReplyMsg: t.reply } : {}), LastUpdTime: yxStamp(t.updatedAt) },
    },
  };
}

async function eBillSubscribe(args: unknown, opts: MarketingBServiceOptions) {
  const r = request(args, 'Sub');
  const bizSeq = field(r, 'Sub', 'BizSeq', /^.{1,64}$/, '1-64 characters');
  const custNo = field(r, 'Sub', 'CustNo');
  const subscribe = field(r, 'Sub', 'SubFlag', /^[01]$/, '1 (subscribe) or 0 (end)') === '1';
  const refused = await customerCheck(custNo, r, opts);
  if (refused) return refused;
  const { applied, state } = opts.ebills.apply(bizSeq, custNo, subscribe, text(r.body?.MailAddr) || null, shanghaiStamp(new Date()));
  const code = applied ? header(RSP_OK, '交易成功', r.transSeq) : header(RSP_DUPLICATE_SEQ, `业务流水 ${bizSeq} 已处理 (already processed)`, r.transSeq);
  return { RspHeader: code, RspBody: { Sub: { SubState: state.subscribed ? '1' : '0' } } };
}

async function eBillInquiry(args: unknown, opts: MarketingBServiceOptions) {
  const r = request(args, 'Query');
  const custNo = field(r, 'Query', 'CustNo');
  const refused = await customerCheck(custNo, r, opts);
  if (refused) return refused;
  const s = opts.ebills.state(custNo);
  return { RspHeader: header(RSP_OK, '交易成功', r.transSeq), RspBody: { Sub: { CustNo: custNo, SubState: s.subscribed ? '1' : '0', ...(s.since ? { SubDate: yxStampOf(s.since) } : {}) } } };
}

export function ticketOperations(opts: MarketingBServiceOptions) {
  return {
    TicketSubmit: (args: unknown) => ticketSubmit(args, opts),
    TicketInquiry: async (args: unknown) => ticketInquiry(args, opts),
    EBillSubscribe: (args: unknown) => eBillSubscribe(args, opts),
    EBillInquiry: (args: unknown) => eBillInquiry(args, opts),
  };
}
