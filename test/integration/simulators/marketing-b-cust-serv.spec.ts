/**
 * YX's YxCustServService (the plates' operations) over real SOAP: a second
 * service of its WSDL at its own address, the request header, nested bodies,
 * yuan text, YX codes, answers said by result codes (E2001, E3001, E0002
 * with a body, E0003), computed from the shared dataset.
 */
import { expect } from 'chai';
import * as soap from 'soap';
import { HOUSEHOLDS, SPECIAL_CONS_NO, UNKNOWN_CONS_NO } from '../../../simulators/marketing/dataset';
import { PREPAID_CONS_NO, billOfMonth, kwhText } from '../../../simulators/marketing/plate-dataset';
import { SPECIAL_CUST_NO } from '../../../simulators/marketing-b/dataset';
import { MarketingBSimulator, startMarketingBSimulator } from '../../../simulators/marketing-b/server';

interface SoapError extends Error {
  root?: { Envelope?: { Body?: { Fault?: { faultcode?: string; faultstring?: string } } } };
}

const list = (v: unknown): Array<Record<string, unknown>> => (v == null ? [] : Array.isArray(v) ? v : [v]) as Array<Record<string, unknown>>;
const yuan = (fen: number) => (fen / 100).toFixed(2);
const HEADER = { SysCode: 'GRIDBUS', TransSeq: 'cs-0001', TransTime: '20261205103000' };

async function rejection(p: Promise<unknown>): Promise<SoapError> {
  try {
    await p;
  } catch (err) {
    return err as SoapError;
  }
  throw new Error('expected the call to fail');
}

describe('simulators - marketing B customer service (YX: plates)', () => {
  let sim: MarketingBSimulator;
  let client: soap.Client;
  const H = HOUSEHOLDS[0];
  const W = HOUSEHOLDS[1];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const yx = async (op: string, body: Record<string, unknown>, header: Record<string, unknown> = HEADER): Promise<any> =>
    (await (client as unknown as Record<string, (a: unknown) => Promise<unknown[]>>)[`${op}Async`]({ ReqHeader: header, ReqBody: body }))[0];

  before(async () => {
    sim = await startMarketingBSimulator({ slowDelayMs: 100 });
    client = await soap.createClientAsync(sim.wsdlUrl);
  });
  after(async () => {
    await sim?.close();
  });

  it('marketing-b customer service - a second service at its own address; YxBillingService unchanged', async () => {
    const described = client.describe();
    expect(Object.keys(described)).to.deep.equal(['YxBillingService', 'YxCustServService']);
    expect(Object.keys(described.YxCustServService.YxCustServSoapPort)).to.deep.equal([
      'CustVerify', 'BillListInquiry', 'BillDetailInquiry', 'AcctBalanceInquiry', 'PayRecordInquiry', 'TicketSubmit', 'TicketInquiry', 'EBillSubscribe', 'EBillInquiry',
    ]);
    expect(described.YxCustServService.YxCustServSoapPort.TicketSubmit.input.ReqBody.Ticket).to.include.keys('BizSeq', 'TicketType', 'Desc', 'AttachNum', 'Gis');
    const wsdl = await (await fetch(sim.wsdlUrl)).text();
    expect(wsdl).to.include(`<soap:address location="${new URL(sim.url).origin}/yx/services/YxCustServService"/>`);
    expect(wsdl).to.not.include('QueryBills');
  });

  it('marketing-b customer service - CustVerify: AAAAAAA with the customer when the name or tail matches, E2001 without a body when not, E0001 for a stranger', async () => {
    expect(await yx('CustVerify', { Verify: { CustNo: H.ConsNo, IdNoTail: H.CertNo.slice(-4) } })).to.deep.equal({
      RspHeader: { RspCode: 'AAAAAAA', RspDesc: '交易成功', TransSeq: HEADER.TransSeq },
      RspBody: { Cust: { CustNo: H.ConsNo, CustName: H.ConsName } },
    });
    const mismatch = await yx('CustVerify', { Verify: { CustNo: H.ConsNo, CustName: W.ConsName } });
    expect(mismatch.RspHeader.RspCode).to.equal('E2001');
    expect(mismatch).to.not.have.property('RspBody');
    expect((await yx('CustVerify', { Verify: { CustNo: UNKNOWN_CONS_NO, CustName: H.ConsName } })).RspHeader.RspCode).to.equal('E0001');
    const err = await rejection(yx('CustVerify', { Verify: { CustNo: H.ConsNo } }));
    expect(err.root?.Envelope?.Body?.Fault).to.deep.include({ faultcode: 'soapenv:Client', faultstring: 'ReqBody.Verify needs CustName or IdNoTail' });
  });

  it('marketing-b customer service - BillListInquiry: yyyy-MM periods newest first, yuan text, SettleFlag Y/P/N, IssueDate yyyy-MM-dd', async () => {
    const res = await yx('BillListInquiry', { Query: { CustNo: W.ConsNo, BeginPeriod: '2025-02', EndPeriod: '2025-03' } });
    const b = billOfMonth(W.ConsNo, '202503')!;
    expect(list(res.RspBody.Bills.BillItem)).to.deep.equal([
      { Period: '2025-03', BillAmt: yuan(b.amountFen), ElecQty: kwhText(b.kwhCenti), PaidAmt: yuan(b.amountFen - 4521), SettleFlag: 'P', IssueDate: '2025-04-03' },
      { Period: '2025-02', BillAmt: yuan(billOfMonth(W.ConsNo, '202502')!.amountFen), ElecQty: kwhText(billOfMonth(W.ConsNo, '202502')!.kwhCenti), PaidAmt: yuan(billOfMonth(W.ConsNo, '202502')!.amountFen), SettleFlag: 'Y', IssueDate: '2025-03-03' },
    ]);
    const err = await rejection(yx('BillListInquiry', { Query: { CustNo: W.ConsNo, BeginPeriod: '202502', EndPeriod: '2025-03' } }));
    expect(err.root?.Envelope?.Body?.Fault?.faultstring).to.equal('ReqBody.Query.BeginPeriod must be yyyy-MM, got 202502');
  });

  it('marketing-b customer service - BillDetailInquiry: Head, TouDetail 1-4 in yuan, FeeDetail, Reading; E3001 without a body for a period without a bill', async () => {
    const b = billOfMonth(H.ConsNo, '202501')!;
    const res = await yx('BillDetailInquiry', { Query: { CustNo: H.ConsNo, Period: '2025-01' } });
    expect(res.RspBody.Bill.Head).to.deep.equal({ CustNo: H.ConsNo, Period: '2025-01', TotalAmt: '123.45', ElecQty: kwhText(b.kwhCenti) });
    expect(list(res.RspBody.Bill.TouDetail.Item).map((i) => i.TouType)).to.deep.equal(['1', '2', '3', '4']);
    expect(list(res.RspBody.Bill.FeeDetail.Fee).map((f) => f.FeeAmt)).to.deep.equal(b.charges.map((c) => yuan(c.fen)));
    expect(list(res.RspBody.Bill.Reading.Meter)[0]).to.deep.equal({ AssetNo: b.meter.meterNo, PrevRead: kwhText(b.meter.previousCenti), CurrRead: kwhText(b.meter.currentCenti) });
    const none = await yx('BillDetailInquiry', { Query: { CustNo: H.ConsNo, Period: '2026-01' } });
    expect(none.RspHeader.RspCode).to.equal('E3001');
    expect(none).to.not.have.property('RspBody');
  });

  it('marketing-b customer service - AcctBalanceInquiry: YFF and 12.34 for the prepaid household, HFF and the deposit for a postpaid one', async () => {
    const prepaid = await yx('AcctBalanceInquiry', { Query: { CustNo: PREPAID_CONS_NO } });
    expect(prepaid.RspBody.Acct).to.include({ CustNo: PREPAID_CONS_NO, ChargeMode: 'YFF', Balance: '12.34' });
    expect(prepaid.RspBody.Acct.BalanceTime).to.match(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect((await yx('AcctBalanceInquiry', { Query: { CustNo: W.ConsNo } })).RspBody.Acct).to.include({ ChargeMode: 'HFF', Balance: '50.00' });
  });

  it('marketing-b customer service - PayRecordInquiry: history with GT/YH/WX/ZFB codes, the charges applied here as received, TxnState 1 once reversed', async () => {
    await yx('ChargeWriteOff', { Charge: { ChargeSeq: 'cs-ch-1', CustNo: H.ConsNo, ChargeAmt: '3.00', PayDate: '2026-12-04 10:15:00', ChannelCode: 'ZFB' } });
    const res = await yx('PayRecordInquiry', { Query: { CustNo: H.ConsNo, QryBgnDate: '2026-12-01', QryEndDate: '2026-12-31' } });
    expect(list(res.RspBody.RecordList.Record)).to.deep.equal([{ ChargeSeq: 'cs-ch-1', ChargeAmt: '3.00', PayDate: '2026-12-04 10:15:00', ChannelCode: 'ZFB', TxnState: '0' }]);
    const history = await yx('PayRecordInquiry', { Query: { CustNo: HOUSEHOLDS[3].ConsNo, QryBgnDate: '2025-01-01', QryEndDate: '2025-03-31' } });
    expect(list(history.RspBody.RecordList.Record).map((r) => [r.ChannelCode, r.TxnState])).to.deep.equal([['GT', '0'], ['ZFB', '0'], ['YH', '1']]);
    await yx('ChargeReverse', { Reverse: { ReverseSeq: 'cs-ch-1-r', OrigChargeSeq: 'cs-ch-1', CustNo: H.ConsNo, ReverseAmt: '3.00' } });
    const after = await yx('PayRecordInquiry', { Query: { CustNo: H.ConsNo, QryBgnDate: '2026-12-04', QryEndDate: '2026-12-04' } });
    expect(list(after.RspBody.RecordList.Record)[0]).to.include({ TxnState: '1' });
  });

  it('marketing-b customer service - TicketSubmit once per BizSeq (E0002 with the same TicketId); TicketInquiry E0003 without a body, then HandleState 0/1/2 as the control moves it', async () => {
    const ticket = { BizSeq: 'cs-yt1', TicketType: 'QD', CustNo: H.ConsNo, Desc: '有人私接电线', MobileNo: '13900001111', AttachNum: 3, Gis: { Lng: '120.1551', Lat: '30.2741' } };
    const created = await yx('TicketSubmit', { Ticket: ticket });
    expect(created.RspHeader.RspCode).to.equal('AAAAAAA');
    expect(created.RspBody.Ticket.TicketId).to.match(/^YXGD\d{8}$/);
    const again = await yx('TicketSubmit', { Ticket: ticket });
    expect(again).to.deep.include({ RspBody: { Ticket: { TicketId: created.RspBody.Ticket.TicketId } } });
    expect(again.RspHeader.RspCode).to.equal('E0002');
    expect(sim.tickets.find('cs-yt1')).to.deep.include({ kind: 'ILLEGAL_USE', photoCount: 3, location: { lat: 30.2741, lng: 120.1551 }, received: 2 });
    const none = await yx('TicketInquiry', { Query: { BizSeq: 'cs-none' } });
    expect(none.RspHeader.RspCode).to.equal('E0003');
    expect(none).to.not.have.property('RspBody');
    const state = async () => (await yx('TicketInquiry', { Query: { BizSeq: 'cs-yt1' } })).RspBody.Ticket;
    expect(await state()).to.include({ TicketId: created.RspBody.Ticket.TicketId, HandleState: '0' });
    sim.advanceTicket('cs-yt1');
    expect(await state()).to.include({ HandleState: '1' });
    sim.advanceTicket('cs-yt1');
    expect(await state()).to.have.property('ReplyMsg').that.is.a('string');
    const err = await rejection(yx('TicketSubmit', { Ticket: { ...ticket, BizSeq: 'cs-yt2', TicketType: '01' } }));
    expect(err.root?.Envelope?.Body?.Fault?.faultstring).to.equal('ReqBody.Ticket.TicketType must be QD, JY or TS, got 01');
  });

  it('marketing-b customer service - EBillSubscribe once per BizSeq (E0002, SubState the state now); EBillInquiry SubDate while subscribed', async () => {
    expect((await yx('EBillInquiry', { Query: { CustNo: W.ConsNo } })).RspBody.Sub).to.deep.equal({ CustNo: W.ConsNo, SubState: '1', SubDate: '2024-06-01 09:30:00' });
    const on = await yx('EBillSubscribe', { Sub: { BizSeq: 'cs-yb1', CustNo: H.ConsNo, SubFlag: '1', MailAddr: 'zw@example.com' } });
    expect(on).to.deep.include({ RspBody: { Sub: { SubState: '1' } } });
    const repeat = await yx('EBillSubscribe', { Sub: { BizSeq: 'cs-yb1', CustNo: H.ConsNo, SubFlag: '1' } });
    expect(repeat.RspHeader.RspCode).to.equal('E0002');
    const off = await yx('EBillSubscribe', { Sub: { BizSeq: 'cs-yb2', CustNo: H.ConsNo, SubFlag: '0' } });
    expect(off.RspBody.Sub.SubState).to.equal('0');
    expect((await yx('EBillInquiry', { Query: { CustNo: H.ConsNo } })).RspBody.Sub).to.deep.equal({ CustNo: H.ConsNo, SubState: '0' });
  });

  it('marketing-b customer service - the header is checked; the fault customer answers soapenv:Server, the system-error one E9999, the slow one late', async () => {
    const noHeader = await rejection(yx('AcctBalanceInquiry', { Query: { CustNo: H.ConsNo } }, { SysCode: 'OTHER', TransSeq: 'x', TransTime: '20261205103000' }));
    expect(noHeader.root?.Envelope?.Body?.Fault?.faultstring).to.equal('ReqHeader.SysCode OTHER is not registered');
    const down = await rejection(yx('BillListInquiry', { Query: { CustNo: SPECIAL_CUST_NO.FAULT, BeginPeriod: '2025-01', EndPeriod: '2025-03' } }));
    expect(down.root?.Envelope?.Body?.Fault).to.deep.include({ faultcode: 'soapenv:Server', faultstring: 'YX system maintenance' });
    expect((await yx('EBillInquiry', { Query: { CustNo: SPECIAL_CUST_NO.SYSTEM_ERROR } })).RspHeader.RspCode).to.equal('E9999');
    expect((await yx('AcctBalanceInquiry', { Query: { CustNo: SPECIAL_CONS_NO.SLOW } })).RspBody.Acct.ChargeMode).to.equal('HFF');
  });
});
