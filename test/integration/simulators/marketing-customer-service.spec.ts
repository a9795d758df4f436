/**
 * Dialect A's CustomerServicePort (the plates' operations) over real SOAP:
 * its own port and address in the one WSDL, flat elements, integer fen, kWh
 * as decimal text, four-digit RetCodes, answers computed from the shared
 * dataset (plate-dataset.ts) and the ledgers a write-off changes.
 */
import { expect } from 'chai';
import * as soap from 'soap';
import { HOUSEHOLDS, SPECIAL_CONS_NO, UNKNOWN_CONS_NO } from '../../../simulators/marketing/dataset';
import { ENERGY_ITEM, PREPAID_CONS_NO, SURCHARGE_ITEM, billOfMonth, billsOfAccount, historyOfAccount, kwhText } from '../../../simulators/marketing/plate-dataset';
import { MarketingSimulator, startMarketingSimulator } from '../../../simulators/marketing/server';
import { CLOSING_REPLY } from '../../../simulators/marketing/ticket-book';

interface SoapError extends Error {
  root?: { Envelope?: { Body?: { Fault?: { faultcode?: string; faultstring?: string } } } };
}

/** node-soap gives back an array for maxOccurs="unbounded", one object for one, and nothing for none. */
const list = (v: unknown): Array<Record<string, unknown>> => (v == null ? [] : Array.isArray(v) ? v : [v]) as Array<Record<string, unknown>>;

async function rejection(p: Promise<unknown>): Promise<SoapError> {
  try {
    await p;
  } catch (err) {
    return err as SoapError;
  }
  throw new Error('expected the call to fail');
}

describe('simulators - marketing customer service port (dialect A: plates)', () => {
  let sim: MarketingSimulator;
  let client: soap.Client;
  const H = HOUSEHOLDS[0];
  const W = HOUSEHOLDS[1];

  before(async () => {
    sim = await startMarketingSimulator({ slowDelayMs: 100 });
    client = await soap.createClientAsync(sim.wsdlUrl);
  });
  after(async () => {
    await sim?.close();
  });

  it('marketing customer service - a second port of MarketingService at its own address; MarketingPort unchanged', async () => {
    const services = client.describe().MarketingService;
    expect(Object.keys(services)).to.deep.equal(['MarketingPort', 'CustomerServicePort']);
    expect(Object.keys(services.CustomerServicePort)).to.deep.equal([
      'VerifyHolder', 'QueryBills', 'GetBillDetail', 'QueryBalance', 'QueryPayHistory', 'CreateWorkOrder', 'QueryWorkOrder', 'SetEBill', 'GetEBill',
    ]);
    expect(Object.keys(services.MarketingPort)).to.not.include('QueryBills');
    const wsdl = await (await fetch(sim.wsdlUrl)).text();
    expect(wsdl).to.include(`<soap:address location="${new URL(sim.url).origin}/marketing/soap/customer-service"/>`);
    expect(wsdl).to.include(`<soap:address location="${sim.url}"/>`);
    expect(wsdl).to.include('TouCode J = sharp');
  });

  it('marketing customer service - VerifyHolder: Matched Y with the name for the right name or ID tail, N without it; 1001 for a stranger; neither piece is a client fault', async () => {
    const [byName] = await client.VerifyHolderAsync({ ConsNo: H.ConsNo, ConsName: H.ConsName });
    expect(byName).to.deep.equal({ RetCode: '0000', RetMsg: 'OK', ConsNo: H.ConsNo, Matched: 'Y', ConsName: H.ConsName });
    const [byTail] = await client.VerifyHolderAsync({ ConsNo: H.ConsNo, CertTail: H.CertNo.slice(-6) });
    expect(byTail).to.include({ Matched: 'Y', ConsName: H.ConsName });
    const [wrong] = await client.VerifyHolderAsync({ ConsNo: H.ConsNo, ConsName: W.ConsName });
    expect(wrong).to.deep.equal({ RetCode: '0000', RetMsg: 'OK', ConsNo: H.ConsNo, Matched: 'N' });
    const [stranger] = await client.VerifyHolderAsync({ ConsNo: UNKNOWN_CONS_NO, ConsName: H.ConsName });
    expect(stranger.RetCode).to.equal('1001');
    const err = await rejection(client.VerifyHolderAsync({ ConsNo: H.ConsNo }));
    expect(err.root?.Envelope?.Body?.Fault).to.deep.include({ faultcode: 'soap:Client', faultstring: 'ConsName or CertTail is required' });
  });

  it('marketing customer service - QueryBills: the months asked, newest first, BillFen/PaidFen fen, Kwh text, BillStatus 1/2/3, IssueDate yyyyMMdd', async () => {
    const [res] = await client.QueryBillsAsync({ ConsNo: W.ConsNo, StartMonth: '202410', EndMonth: '202503' });
    const bills = list(res.BillList?.Bill);
    expect(bills.map((b) => b.BillMonth)).to.deep.equal(billsOfAccount(W.ConsNo)!.map((b) => b.billMonth).reverse());
    const partly = billOfMonth(W.ConsNo, '202503')!;
    expect(bills[0]).to.deep.equal({ BillMonth: '202503', BillFen: partly.amountFen, Kwh: kwhText(partly.kwhCenti), PaidFen: partly.amountFen - 4521, BillStatus: '2', IssueDate: '20250403' });
    expect(bills.slice(1).every((b) => b.BillStatus === '1' && b.PaidFen === b.BillFen)).to.equal(true);
    const [unpaid] = await client.QueryBillsAsync({ ConsNo: H.ConsNo, StartMonth: '202501', EndMonth: '202501' });
    expect(list(unpaid.BillList?.Bill)[0]).to.include({ BillFen: 12345, PaidFen: 0, BillStatus: '3' });
  });

  it('marketing customer service - GetBillDetail: TOU J/F/P/G adding up to the kWh, charges adding up to TotalFen, the meter readings; 1003 for a month without a bill', async () => {
    const [res] = await client.GetBillDetailAsync({ ConsNo: H.ConsNo, BillMonth: '202502' });
    const b = billOfMonth(H.ConsNo, '202502')!;
    expect(res).to.include({ RetCode: '0000', ConsNo: H.ConsNo, BillMonth: '202502', TotalFen: 9870, Kwh: kwhText(b.kwhCenti) });
    const tou = list(res.TouList.Tou);
    expect(tou.map((t) => t.TouCode)).to.deep.equal(['J', 'F', 'P', 'G']);
    expect(tou.reduce((n, t) => n + Number(String(t.Kwh).replace('.', '')), 0)).to.equal(b.kwhCenti);
    const charges = list(res.ChargeList.Charge);
    expect(charges.map((c) => c.ItemName)).to.deep.equal([ENERGY_ITEM, SURCHARGE_ITEM]);
    expect(charges.reduce((n, c) => n + (c.AmtFen as number), 0)).to.equal(9870);
    expect(tou.reduce((n, t) => n + (t.AmtFen as number), 0)).to.equal(charges[0].AmtFen);
    expect(list(res.MeterList.Meter)[0]).to.deep.equal({ MeterNo: b.meter.meterNo, LastReading: kwhText(b.meter.previousCenti), ThisReading: kwhText(b.meter.currentCenti) });
    const [none] = await client.GetBillDetailAsync({ ConsNo: H.ConsNo, BillMonth: '202601' });
    expect(none).to.deep.equal({ RetCode: '1003', RetMsg: `No bill of ${H.ConsNo} for 202601` });
  });

  it('marketing customer service - QueryBalance: PayMode 2 and the low balance of the prepaid household, 1 and the deposit of a postpaid one', async () => {
    const [prepaid] = await client.QueryBalanceAsync({ ConsNo: PREPAID_CONS_NO });
    expect(prepaid).to.include({ RetCode: '0000', PayMode: '2', BalanceFen: 1234 });
    expect(prepaid.QueryTime).to.match(/^\d{14}$/);
    const [postpaid] = await client.QueryBalanceAsync({ ConsNo: W.ConsNo });
    expect(postpaid).to.include({ PayMode: '1', BalanceFen: 5000 });
  });

  it('marketing customer service - QueryPayHistory: the dataset history and the applied write-offs, newest first, within the days asked', async () => {
    await client.WriteOffAsync({ Serial: 'cs-wo-1', ConsNo: H.ConsNo, PayAmt: 300, PayTime: '20261204101500', Channel: 'ALIPAY' });
    const [res] = await client.QueryPayHistoryAsync({ ConsNo: H.ConsNo, StartDate: '20241101', EndDate: '20261231' });
    const pays = list(res.PayList.Pay);
    expect(pays[0]).to.deep.equal({ Serial: 'cs-wo-1', PayFen: 300, PayTime: '20261204101500', Channel: 'ALIPAY', PayStatus: '1' });
    const history = historyOfAccount(H.ConsNo).filter((p) => p.paidAt >= '20241101');
    expect(pays.slice(1).map((p) => p.Serial)).to.deep.equal([...history].sort((a, b) => b.paidAt.localeCompare(a.paidAt)).map((p) => p.serial));
    await client.ReverseWriteOffAsync({ Serial: 'cs-wo-1-r', OrigSerial: 'cs-wo-1', ConsNo: H.ConsNo, Amt: 300 });
    const [after] = await client.QueryPayHistoryAsync({ ConsNo: H.ConsNo, StartDate: '20261204', EndDate: '20261204' });
    expect(list(after.PayList?.Pay)).to.deep.equal([{ Serial: 'cs-wo-1', PayFen: 300, PayTime: '20261204101500', Channel: 'ALIPAY', PayStatus: '2' }]);
  });

  it('marketing customer service - CreateWorkOrder once per Serial (2001 with the same OrderNo); QueryWorkOrder follows POST /sim/tickets/advance', async () => {
    const order = { Serial: 'cs-t1', OrderType: '02', Content: '希望增加营业厅周末服务时间', PhotoCount: 0 };
    const [created] = await client.CreateWorkOrderAsync(order);
    expect(created.RetCode).to.equal('0000');
    expect(created.OrderNo).to.match(/^GD\d{8}$/);
    const [again] = await client.CreateWorkOrderAsync(order);
    expect(again).to.include({ RetCode: '2001', OrderNo: created.OrderNo });
    const [none] = await client.QueryWorkOrderAsync({ Serial: 'cs-none' });
    expect(none).to.deep.equal({ RetCode: '0000', RetMsg: 'OK', Found: 'N' });
    const status = async () => (await client.QueryWorkOrderAsync({ Serial: 'cs-t1' }))[0];
    expect(await status()).to.include({ Found: 'Y', OrderNo: created.OrderNo, OrderStatus: '10' });
    const base = new URL(sim.url).origin;
    for (const expected of ['20', '30', '30']) {
      const res = await fetch(`${base}/sim/tickets/advance?serial=cs-t1`, { method: 'POST' });
      expect(res.status).to.equal(200);
      expect(await status()).to.include({ OrderStatus: expected });
    }
    expect(await status()).to.include({ ReplyContent: CLOSING_REPLY });
    expect((await fetch(`${base}/sim/tickets/advance?serial=cs-none`, { method: 'POST' })).status).to.equal(400);
    const tickets = await (await fetch(`${base}/sim/tickets`)).json();
    expect(tickets.map((t: { serial: string }) => t.serial)).to.include('cs-t1');
  });

  it('marketing customer service - CreateWorkOrder refuses a bad type, photo count, half a location or a long text as client faults; an unknown ConsNo is 1001', async () => {
    const base = { Serial: 'cs-bad', OrderType: '01', Content: 'x', PhotoCount: 1 };
    for (const [bad, message] of [
      [{ OrderType: '09' }, 'OrderType must be 01, 02 or 03, got 09'],
      [{ PhotoCount: 10 }, 'PhotoCount must be 0-9, got 10'],
      [{ Longitude: '120.1' }, 'Longitude and Latitude go together'],
      [{ Content: 'x'.repeat(501) }, 'Content must be 1-500 characters'],
    ] as const) {
      const err = await rejection(client.CreateWorkOrderAsync({ ...base, ...bad }));
      expect(err.root?.Envelope?.Body?.Fault?.faultstring, message).to.equal(message);
    }
    const [unknown] = await client.CreateWorkOrderAsync({ ...base, ConsNo: UNKNOWN_CONS_NO });
    expect(unknown.RetCode).to.equal('1001');
    expect(sim.tickets.find('cs-bad')).to.equal(undefined);
  });

  it('marketing customer service - SetEBill applies a Serial once (2001 after, Subscribed the state now); GetEBill answers SubscribeTime only while subscribed', async () => {
    const [subscribed] = await client.GetEBillAsync({ ConsNo: W.ConsNo });
    expect(subscribed).to.include({ Subscribed: 'Y', SubscribeTime: '20240601093000' });
    const [set] = await client.SetEBillAsync({ Serial: 'cs-e1', ConsNo: H.ConsNo, Subscribe: 'Y', Email: 'zw@example.com' });
    expect(set).to.deep.equal({ RetCode: '0000', RetMsg: 'OK', Subscribed: 'Y' });
    const [end] = await client.SetEBillAsync({ Serial: 'cs-e2', ConsNo: H.ConsNo, Subscribe: 'N' });
    expect(end.Subscribed).to.equal('N');
    const [repeat] = await client.SetEBillAsync({ Serial: 'cs-e1', ConsNo: H.ConsNo, Subscribe: 'Y' });
    expect(repeat).to.include({ RetCode: '2001', Subscribed: 'N' });
    const [state] = await client.GetEBillAsync({ ConsNo: H.ConsNo });
    expect(state).to.deep.equal({ RetCode: '0000', RetMsg: 'OK', ConsNo: H.ConsNo, Subscribed: 'N' });
  });

  it('marketing customer service - the special accounts: FAULT answers soap:Server, SLOW answers late, every operation', async () => {
    const calls: Array<[string, Record<string, unknown>]> = [
      ['VerifyHolderAsync', { ConsName: 'x' }],
      ['QueryBillsAsync', { StartMonth: '202501', EndMonth: '202503' }],
      ['GetBillDetailAsync', { BillMonth: '202501' }],
      ['QueryBalanceAsync', {}],
      ['QueryPayHistoryAsync', { StartDate: '20250101', EndDate: '20250131' }],
      ['GetEBillAsync', {}],
    ];
    for (const [op, args] of calls) {
      const err = await rejection((client as unknown as Record<string, (a: unknown) => Promise<unknown>>)[op]({ ConsNo: SPECIAL_CONS_NO.FAULT, ...args }));
      expect(err.root?.Envelope?.Body?.Fault?.faultcode, op).to.equal('soap:Server');
    }
    const [slow] = await client.QueryBalanceAsync({ ConsNo: SPECIAL_CONS_NO.SLOW });
    expect(slow).to.include({ RetCode: '0000', PayMode: '1' });
  });
});
