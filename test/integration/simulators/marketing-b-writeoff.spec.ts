import { expect } from 'chai';
import * as soap from 'soap';
import { CLOSED_CONS_NO, HOUSEHOLDS, SPECIAL_CONS_NO, UNKNOWN_CONS_NO } from '../../../simulators/marketing/dataset';
import { SPECIAL_CUST_NO } from '../../../simulators/marketing-b/dataset';
import { MarketingBSimulator, startMarketingBSimulator } from '../../../simulators/marketing-b/server';

interface SoapError extends Error {
  root?: { Envelope?: { Body?: { Fault?: { faultcode?: string; faultstring?: string } } } };
}

async function rejection(p: Promise<unknown>): Promise<SoapError> {
  try {
    await p;
  } catch (err) {
    return err as SoapError;
  }
  throw new Error('expected the call to fail');
}

const HEADER = { SysCode: 'GRIDBUS', TransSeq: 'seq-0001', TransTime: '20261204101500' };
const bills = (info: unknown): Array<Record<string, unknown>> => {
  const bill = (info as { BillList?: { Bill?: unknown } } | undefined)?.BillList?.Bill;
  return (bill == null ? [] : Array.isArray(bill) ? bill : [bill]) as Array<Record<string, unknown>>;
};

// 3301000001 owes 202501 123.45 + 1.85, 202502 98.70 + 0.99, 202503 104.56 + 0.00 = 329.55 yuan
const H = HOUSEHOLDS[0];

describe('simulators - marketing B charge write-off, inquiry, reversal (YX: yuan, nested, E-codes)', () => {
  let sim: MarketingBSimulator;
  let client: soap.Client;

  beforeEach(async () => {
    sim = await startMarketingBSimulator({ slowDelayMs: 300 });
    client = await soap.createClientAsync(sim.wsdlUrl);
  });
  afterEach(async () => {
    await sim?.close();
  });

  const charge = async (seq: string, amt: string, custNo = H.ConsNo, extra: Record<string, unknown> = {}) =>
    (await client.ChargeWriteOffAsync({
      ReqHeader: HEADER,
      ReqBody: { Charge: { ChargeSeq: seq, CustNo: custNo, ChargeAmt: amt, PayDate: '2026-12-04 10:15:00', ChannelCode: 'ZFB', ChannelTxnNo: `T${seq}`, ...extra } },
    }))[0];
  const reverse = async (seq: string, orig: string, amt: string, custNo = H.ConsNo) =>
    (await client.ChargeReverseAsync({ ReqHeader: HEADER, ReqBody: { Reverse: { ReverseSeq: seq, OrigChargeSeq: orig, CustNo: custNo, ReverseAmt: amt, Remark: 'refund' } } }))[0];
  const inquiry = async (seq: string) => (await client.ChargeInquiryAsync({ ReqHeader: HEADER, ReqBody: { Query: { ChargeSeq: seq } } }))[0];
  const arrears = async (custNo = H.ConsNo) => (await client.CustArrearsInquiryAsync({ ReqHeader: HEADER, ReqBody: { Query: { CustNo: custNo } } }))[0];

  it('marketing-b write-off - a charge in yuan is applied oldest period first, late fee first; CustArrearsInquiry answers the rest', async () => {
    const res = await charge('c-1', '126.30');
    expect(res.RspHeader).to.include({ RspCode: 'AAAAAAA', TransSeq: 'seq-0001' });
    expect(res.RspBody.Receipt.ChargeId).to.match(/^YXSF\d{8}$/);
    const after = await arrears();
    expect(after.RspBody.ArrearsInfo.TotalAmt).to.equal('203.25');
    expect(bills(after.RspBody.ArrearsInfo).map((b) => [b.Period, b.AmtDue, b.LateFee, b.PayState])).to.deep.equal([
      ['2025-02', '98.69', '0.00', 'P'],
      ['2025-03', '104.56', '0.00', 'N'],
    ]);
    expect(sim.writeOffs()).to.deep.equal([
      { serial: 'c-1', accountNo: H.ConsNo, amountFen: 12630, received: 1, applied: 1, reversedFen: 0, writeOffNo: 'WO00000001', paidAt: '2026-12-04 10:15:00' },
    ]);
  });

  it('marketing-b write-off - a ChargeSeq applied before answers E0002 without RspBody: received 2, applied 1', async () => {
    await charge('c-dup', '10.00');
    const again = await charge('c-dup', '10.00');
    expect(again.RspHeader.RspCode).to.equal('E0002');
    expect(again.RspBody).to.equal(undefined);
    expect(sim.payments.writeOff('c-dup')).to.include({ received: 2, applied: 1 });
    expect((await arrears()).RspBody.ArrearsInfo.TotalAmt).to.equal('319.55');
  });

  it('marketing-b write-off - more than owed is E1003, the closed account E1004, an unknown customer E0001, the system-error customer E9999', async () => {
    expect((await charge('c-big', '329.56')).RspHeader.RspCode).to.equal('E1003');
    expect((await charge('c-closed', '1.00', CLOSED_CONS_NO)).RspHeader.RspCode).to.equal('E1004');
    expect((await charge('c-unknown', '1.00', UNKNOWN_CONS_NO)).RspHeader.RspCode).to.equal('E0001');
    expect((await charge('c-e9999', '1.00', SPECIAL_CUST_NO.SYSTEM_ERROR)).RspHeader.RspCode).to.equal('E9999');
    expect(sim.writeOffs().map((w) => [w.serial, w.received, w.applied])).to.deep.equal([
      ['c-big', 1, 0],
      ['c-closed', 1, 0],
      ['c-unknown', 1, 0],
    ]);
    expect((await charge('c-all', '329.55')).RspHeader.RspCode).to.equal('AAAAAAA');
    expect((await arrears()).RspBody.ArrearsInfo.TotalAmt).to.equal('0.00');
  });

  it('marketing-b write-off - fen instead of yuan, an ISO pay date, an unknown channel or a missing header are soapenv:Client faults; the fault customer soapenv:Server', async () => {
    for (const [extra, why] of [
      [{ ChargeAmt: '12630' }, 'ChargeAmt must be yuan with two decimals'],
      [{ ChargeAmt: '0.00' }, 'ChargeAmt must be more than 0.00'],
      [{ PayDate: '20261204101500' }, 'PayDate must be yyyy-MM-dd HH:mm:ss'],
      [{ ChannelCode: 'ALIPAY' }, 'ChannelCode ALIPAY is not one of ZFB, WX, YH'],
    ] as const) {
      const err = await rejection(charge('c-bad', '1.00', H.ConsNo, extra));
      expect(err.root?.Envelope?.Body?.Fault?.faultcode, why).to.equal('soapenv:Client');
      expect(err.root?.Envelope?.Body?.Fault?.faultstring).to.include(why);
    }
    const noHeader = await rejection(client.ChargeWriteOffAsync({ ReqBody: { Charge: { ChargeSeq: 'x', CustNo: H.ConsNo, ChargeAmt: '1.00', PayDate: '2026-12-04 10:15:00', ChannelCode: 'ZFB' } } }));
    expect(noHeader.root?.Envelope?.Body?.Fault?.faultstring).to.equal('ReqHeader is required');
    const fault = await rejection(charge('c-fault', '1.00', SPECIAL_CONS_NO.FAULT));
    expect(fault.root?.Envelope?.Body?.Fault).to.include({ faultcode: 'soapenv:Server', faultstring: 'YX system maintenance' });
    expect(sim.writeOffs()).to.deep.equal([]);
  });

  it('marketing-b write-off - with a delay after applying, the charge is applied while the answer is on its way; before applying, not yet', async () => {
    sim.setWriteOffDelayMs(600);
    const lost = charge('c-slow', '5.00');
    await new Promise((r) => setTimeout(r, 250));
    expect(sim.payments.writeOff('c-slow')).to.include({ received: 1, applied: 1 });
    expect((await lost).RspHeader.RspCode).to.equal('AAAAAAA');

    sim.setWriteOffDelayMs(600, 'before');
    const late = charge('c-late', '5.00');
    await new Promise((r) => setTimeout(r, 250));
    expect(sim.payments.writeOff('c-late')).to.include({ received: 1, applied: 0 });
    expect((await inquiry('c-late')).RspHeader.RspCode).to.equal('E0003');
    expect((await late).RspHeader.RspCode).to.equal('AAAAAAA');
  });

  it('marketing-b write-off - ChargeInquiry: E0003 without body for an unknown sequence; TxnType 01/02, TxnState 0/1, TxnAmt in yuan', async () => {
    const none = await inquiry('nothing-here');
    expect(none.RspHeader.RspCode).to.equal('E0003');
    expect(none.RspBody).to.equal(undefined);
    await charge('q-1', '20.00');
    expect((await inquiry('q-1')).RspBody.Txn).to.deep.equal({ ChargeSeq: 'q-1', TxnType: '01', TxnState: '0', TxnAmt: '20.00' });
    await reverse('q-r1', 'q-1', '20.00');
    expect((await inquiry('q-1')).RspBody.Txn).to.include({ TxnType: '01', TxnState: '1' });
    expect((await inquiry('q-r1')).RspBody.Txn).to.deep.equal({ ChargeSeq: 'q-r1', TxnType: '02', TxnState: '0', TxnAmt: '20.00' });
  });

  it('marketing-b write-off - ChargeReverse gives a charge back in parts, bills restored exactly; E0002, E1006, E1005, E1007 refuse the rest', async () => {
    await charge('r-orig', '224.99'); // the two oldest periods, late fees included
    expect((await arrears()).RspBody.ArrearsInfo.TotalAmt).to.equal('104.56');
    expect((await reverse('r-1', 'r-orig', '50.00')).RspHeader.RspCode).to.equal('AAAAAAA');
    expect((await arrears()).RspBody.ArrearsInfo.TotalAmt).to.equal('154.56');
    expect((await reverse('r-1', 'r-orig', '50.00')).RspHeader.RspCode).to.equal('E0002');
    expect((await reverse('r-too-much', 'r-orig', '175.00')).RspHeader.RspCode).to.equal('E1006');
    expect((await reverse('r-none', 'no-such', '1.00')).RspHeader.RspCode).to.equal('E1005');
    expect((await reverse('r-other', 'r-orig', '1.00', HOUSEHOLDS[1].ConsNo)).RspHeader.RspCode).to.equal('E1007');
    expect((await reverse('r-2', 'r-orig', '174.99')).RspHeader.RspCode).to.equal('AAAAAAA');
    const restored = await arrears();
    expect(restored.RspBody.ArrearsInfo.TotalAmt).to.equal('329.55');
    expect(bills(restored.RspBody.ArrearsInfo).map((b) => [b.Period, b.AmtDue, b.LateFee, b.PayState])).to.deep.equal([
      ['2025-01', '123.45', '1.85', 'N'],
      ['2025-02', '98.70', '0.99', 'N'],
      ['2025-03', '104.56', '0.00', 'N'],
    ]);
    expect(sim.reversals().map((r) => [r.serial, r.amountFen, r.received, r.applied])).to.deep.equal([
      ['r-1', 5000, 2, 1],
      ['r-too-much', 17500, 1, 0],
      ['r-none', 100, 1, 0],
      ['r-other', 100, 1, 0],
      ['r-2', 17499, 1, 1],
    ]);
  });

  it('marketing-b write-off - GET /sim/ledger serves the same JSON as simulator A', async () => {
    await charge('l-1', '7.00');
    const ledger = await (await fetch(`${new URL(sim.url).origin}/sim/ledger`)).json();
    expect(ledger).to.deep.equal({ writeOffs: sim.writeOffs(), reversals: [] });
    expect(ledger.writeOffs[0]).to.include({ serial: 'l-1', amountFen: 700, applied: 1 });
  });
});
