import { expect } from 'chai';
import * as soap from 'soap';
import { CLOSED_CONS_NO, HOUSEHOLDS, SPECIAL_CONS_NO, UNKNOWN_CONS_NO, totalFen } from '../../../simulators/marketing/dataset';
import { MarketingSimulator, startMarketingSimulator } from '../../../simulators/marketing/server';

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

const items = (list: unknown): Array<Record<string, unknown>> => {
  const item = (list as { Item?: unknown } | null | undefined)?.Item;
  return (item == null ? [] : Array.isArray(item) ? item : [item]) as Array<Record<string, unknown>>;
};

// 3301000001 owes 202501 12345 + 185, 202502 9870 + 99, 202503 10456 + 0 = 32955 fen
const H = HOUSEHOLDS[0];

describe('simulators - marketing write-off, query payment, reversal (dialect A)', () => {
  let sim: MarketingSimulator;
  let client: soap.Client;

  beforeEach(async () => {
    sim = await startMarketingSimulator({ slowDelayMs: 300 });
    client = await soap.createClientAsync(sim.wsdlUrl);
  });
  afterEach(async () => {
    await sim?.close();
  });

  const writeOff = async (serial: string, amt: number, consNo = H.ConsNo) =>
    (await client.WriteOffAsync({ Serial: serial, ConsNo: consNo, PayAmt: amt, PayTime: '20261204101500', Channel: 'ALIPAY', ChannelTradeNo: `T${serial}` }))[0];
  const reverse = async (serial: string, orig: string, amt: number, consNo = H.ConsNo) =>
    (await client.ReverseWriteOffAsync({ Serial: serial, OrigSerial: orig, ConsNo: consNo, Amt: amt, Reason: 'refund' }))[0];
  const queryPayment = async (serial: string) => (await client.QueryPaymentAsync({ Serial: serial }))[0];
  const arrears = async (consNo = H.ConsNo) => (await client.QueryArrearsAsync({ ConsNo: consNo }))[0];

  it('marketing write-off - applies a payment oldest month first, penalty first; QueryArrears answers the rest', async () => {
    expect(totalFen(H)).to.equal(32955);
    const res = await writeOff('w-1', 12530 + 100);
    expect(res).to.include({ RetCode: '0000' });
    expect(res.WriteOffNo).to.match(/^WO\d{8}$/);
    const after = await arrears();
    expect(Number(after.TotalFen)).to.equal(32955 - 12630);
    expect(items(after.ArrearsList).map((i) => [i.BillMonth, Number(i.ArrearsFen), Number(i.PenaltyFen), i.Status])).to.deep.equal([
      ['202502', 9870 - 1, 0, '02'],
      ['202503', 10456, 0, '01'],
    ]);
    expect(sim.writeOffs()).to.deep.equal([{ serial: 'w-1', accountNo: H.ConsNo, amountFen: 12630, received: 1, applied: 1, reversedFen: 0, writeOffNo: res.WriteOffNo, paidAt: '20261204101500' }]);
  });

  it('marketing write-off - a serial applied before answers 2001 with the original WriteOffNo: received 2, applied 1, arrears once', async () => {
    const first = await writeOff('w-dup', 1000);
    const again = await writeOff('w-dup', 1000);
    expect(again).to.include({ RetCode: '2001', WriteOffNo: first.WriteOffNo });
    expect(sim.payments.writeOff('w-dup')).to.include({ received: 2, applied: 1 });
    expect(Number((await arrears()).TotalFen)).to.equal(32955 - 1000);
  });

  it('marketing write-off - more than owed (penalties included) answers 3001 and changes nothing; exactly what is owed is applied', async () => {
    expect(await writeOff('w-big', 32956)).to.include({ RetCode: '3001' });
    expect(sim.payments.writeOff('w-big')).to.include({ received: 1, applied: 0, writeOffNo: null });
    expect(Number((await arrears()).TotalFen)).to.equal(32955);
    expect(await writeOff('w-all', 32955)).to.include({ RetCode: '0000' });
    const after = await arrears();
    expect(Number(after.TotalFen)).to.equal(0);
    expect(items(after.ArrearsList)).to.deep.equal([]);
  });

  it('marketing write-off - the closed account answers 3002 (its old arrears still readable), an unknown account 1001', async () => {
    expect(await writeOff('w-closed', 100, CLOSED_CONS_NO)).to.include({ RetCode: '3002' });
    expect((await arrears(CLOSED_CONS_NO)).RetCode).to.equal('0000');
    expect(await writeOff('w-unknown', 100, UNKNOWN_CONS_NO)).to.include({ RetCode: '1001' });
    expect(sim.writeOffs().map((w) => [w.serial, w.received, w.applied])).to.deep.equal([
      ['w-closed', 1, 0],
      ['w-unknown', 1, 0],
    ]);
  });

  it('marketing write-off - a request that breaks the schema is a soap:Client fault, the FAULT account a soap:Server fault; neither is received', async () => {
    const base = { Serial: 's', ConsNo: H.ConsNo, PayAmt: 100, PayTime: '20261204101500', Channel: 'ALIPAY' };
    for (const [bad, why] of [
      [{ Serial: '' }, 'Serial is required'],
      [{ PayTime: '2026-12-04T10:15:00+08:00' }, 'PayTime must be yyyyMMddHHmmss'],
      [{ PayAmt: 0 }, 'PayAmt must be a positive whole number'],
      [{ Channel: '' }, 'Channel is required'],
    ] as const) {
      const err = await rejection(client.WriteOffAsync({ ...base, ...bad }));
      expect(err.root?.Envelope?.Body?.Fault?.faultcode, why).to.equal('soap:Client');
      expect(err.root?.Envelope?.Body?.Fault?.faultstring).to.include(why);
    }
    const fault = await rejection(client.WriteOffAsync({ ...base, ConsNo: SPECIAL_CONS_NO.FAULT }));
    expect(fault.root?.Envelope?.Body?.Fault?.faultcode).to.equal('soap:Server');
    expect(sim.writeOffs()).to.deep.equal([]);
  });

  it('marketing write-off - with a delay after applying, the write-off is applied while the answer is still on its way (a lost reply)', async () => {
    sim.setWriteOffDelayMs(600);
    const started = Date.now();
    const pending = writeOff('w-slow', 500);
    await new Promise((r) => setTimeout(r, 250));
    expect(sim.payments.writeOff('w-slow')).to.include({ received: 1, applied: 1 });
    expect(await queryPayment('w-slow')).to.include({ Found: 'Y', Kind: 'W', Status: '1' });
    expect(await pending).to.include({ RetCode: '0000' });
    expect(Date.now() - started).to.be.at.least(550);
  });

  it('marketing write-off - with a delay before applying, the write-off is received but not applied until the delay ends', async () => {
    sim.setWriteOffDelayMs(600, 'before');
    const pending = writeOff('w-late', 500);
    await new Promise((r) => setTimeout(r, 250));
    expect(sim.payments.writeOff('w-late')).to.include({ received: 1, applied: 0 });
    expect(await queryPayment('w-late')).to.include({ Found: 'N' });
    expect(await pending).to.include({ RetCode: '0000' });
    expect(sim.payments.writeOff('w-late')).to.include({ received: 1, applied: 1 });
  });

  it('marketing write-off - QueryPayment: an unknown serial is Found N; a write-off W/1 with its Amt; once fully reversed 2; a reversal R/1', async () => {
    const unknown = await queryPayment('nothing-here');
    expect(unknown).to.include({ RetCode: '0000', Found: 'N' });
    expect(unknown.Kind).to.equal(undefined);
    await writeOff('q-1', 2000);
    expect(await queryPayment('q-1')).to.deep.include({ Found: 'Y', Kind: 'W', Status: '1' });
    expect(Number((await queryPayment('q-1')).Amt)).to.equal(2000);
    await reverse('q-r1', 'q-1', 2000);
    expect(await queryPayment('q-1')).to.include({ Found: 'Y', Kind: 'W', Status: '2' });
    const rev = await queryPayment('q-r1');
    expect(rev).to.include({ Found: 'Y', Kind: 'R', Status: '1' });
    expect(Number(rev.Amt)).to.equal(2000);
  });

  it('marketing write-off - ReverseWriteOff gives a write-off back in parts; arrears are restored exactly; repeats, excess and strangers are refused', async () => {
    await writeOff('r-orig', 12530 + 9969); // the two oldest months, penalties included
    expect(Number((await arrears()).TotalFen)).to.equal(10456);

    expect(await reverse('r-1', 'r-orig', 5000)).to.include({ RetCode: '0000' });
    expect(Number((await arrears()).TotalFen)).to.equal(10456 + 5000);
    expect(await reverse('r-1', 'r-orig', 5000)).to.include({ RetCode: '2001' });
    expect(await reverse('r-too-much', 'r-orig', 22499 - 5000 + 1)).to.include({ RetCode: '3001' });
    expect(await reverse('r-none', 'no-such-serial', 100)).to.include({ RetCode: '4001' });
    expect(await reverse('r-other', 'r-orig', 100, HOUSEHOLDS[1].ConsNo)).to.include({ RetCode: '4002' });

    expect(await reverse('r-2', 'r-orig', 22499 - 5000)).to.include({ RetCode: '0000' });
    const restored = await arrears();
    expect(Number(restored.TotalFen)).to.equal(32955);
    expect(items(restored.ArrearsList).map((i) => [i.BillMonth, Number(i.ArrearsFen), Number(i.PenaltyFen), i.Status])).to.deep.equal(
      H.arrears.map((a) => [a.BillMonth, a.ArrearsFen, a.PenaltyFen, a.Status]),
    );
    expect(sim.payments.writeOff('r-orig')).to.include({ applied: 1, reversedFen: 22499 });
    expect(sim.reversals().find((r) => r.serial === 'r-1')).to.deep.equal({ serial: 'r-1', originalSerial: 'r-orig', accountNo: H.ConsNo, amountFen: 5000, received: 2, applied: 1 });
    expect(sim.reversals().find((r) => r.serial === 'r-too-much')).to.include({ received: 1, applied: 0 });
  });

  it('marketing write-off - GET /sim/ledger serves the ledger as JSON, POST /sim/write-off-delay sets the delay', async () => {
    await writeOff('l-1', 700);
    await reverse('l-r', 'l-1', 200);
    const base = new URL(sim.url).origin;
    const ledger = await (await fetch(`${base}/sim/ledger`)).json();
    expect(ledger).to.deep.equal({ writeOffs: sim.writeOffs(), reversals: sim.reversals() });
    expect(ledger.writeOffs[0]).to.include({ serial: 'l-1', amountFen: 700, received: 1, applied: 1, reversedFen: 200 });

    const set = await fetch(`${base}/sim/write-off-delay?ms=400&phase=before`, { method: 'POST' });
    expect(await set.json()).to.deep.equal({ ms: 400, phase: 'before' });
    const started = Date.now();
    await writeOff('l-2', 100);
    expect(Date.now() - started).to.be.at.least(380);
    expect((await fetch(`${base}/sim/write-off-delay?ms=-1`, { method: 'POST' })).status).to.equal(400);
    expect((await fetch(`${base}/sim/nothing`)).status).to.equal(404);
  });
});
