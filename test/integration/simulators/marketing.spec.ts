import { expect } from 'chai';
import * as soap from 'soap';
import { HOUSEHOLDS, Household, SPECIAL_CONS_NO, UNKNOWN_CONS_NO } from '../../../simulators/marketing/dataset';
import { MarketingSimulator, startMarketingSimulator } from '../../../simulators/marketing/server';

interface SoapError extends Error {
  root?: { Envelope?: { Body?: { Fault?: { faultcode?: string; faultstring?: string } } } };
  response?: { status?: number };
}

/** node-soap gives back an array for maxOccurs="unbounded", and null for an empty element. */
function items(list: unknown): unknown[] {
  const item = (list as { Item?: unknown } | null | undefined)?.Item;
  return item == null ? [] : Array.isArray(item) ? item : [item];
}

async function rejection(p: Promise<unknown>): Promise<SoapError> {
  try {
    await p;
  } catch (err) {
    return err as SoapError;
  }
  throw new Error('expected the call to fail');
}

describe('simulators - marketing', () => {
  const SLOW_MS = 400;
  let sim: MarketingSimulator;
  let client: soap.Client;

  before(async () => {
    sim = await startMarketingSimulator({ slowDelayMs: SLOW_MS });
    client = await soap.createClientAsync(sim.wsdlUrl);
  });

  after(async () => {
    await sim?.close();
  });

  const withArrears = HOUSEHOLDS.filter((h) => h.arrears.length > 0 && h.ConsNo !== SPECIAL_CONS_NO.SLOW);
  const noArrears = HOUSEHOLDS.find((h) => h.arrears.length === 0) as Household;

  it('marketing - serves its WSDL, naming the operations and the real address', async () => {
    expect(sim.url).to.match(/^http:\/\/127\.0\.0\.1:[1-9]\d*\/marketing\/soap$/);
    expect(sim.wsdlUrl).to.equal(`${sim.url}?wsdl`);
    const res = await fetch(sim.wsdlUrl);
    expect(res.status).to.equal(200);
    const wsdl = await res.text();
    expect(wsdl).to.include('targetNamespace="http://sim.gridbus.local/marketing"');
    expect(wsdl).to.include('<wsdl:operation name="QueryArrears">');
    expect(wsdl).to.include('<wsdl:operation name="GetCustomer">');
    expect(wsdl).to.include('<wsdl:service name="MarketingService">');
    expect(wsdl).to.include('<wsdl:port name="MarketingPort"');
    expect(wsdl).to.include(`<soap:address location="${sim.url}"/>`);
    expect(wsdl).to.include('TotalFen = sum over ArrearsList/Item of (ArrearsFen + PenaltyFen)');
  });

  it('marketing - the client sees every operation from the WSDL', () => {
    const ops = client.describe().MarketingService.MarketingPort;
    expect(Object.keys(ops)).to.have.members(['QueryArrears', 'GetCustomer', 'FindCustomersByIdentity', 'UpdateArchive', 'QueryArchiveUpdate', 'WriteOff', 'QueryPayment', 'ReverseWriteOff']);
  });

  it('marketing - QueryArchiveUpdate answers Found N before and Y after an UpdateArchive of the serial', async () => {
    const h = HOUSEHOLDS[0];
    const serial = `query-${process.pid}-${Date.now()}`;
    const [before] = await client.QueryArchiveUpdateAsync({ Serial: serial });
    expect(before).to.include({ RetCode: '0000', Found: 'N' });
    const [updated] = await client.UpdateArchiveAsync({ Serial: serial, ConsNo: h.ConsNo, CertNo: h.CertNo, ConsName: h.ConsName, Channel: 'ALIPAY' });
    expect(updated.RetCode).to.equal('0000');
    const [after] = await client.QueryArchiveUpdateAsync({ Serial: serial });
    expect(after).to.include({ RetCode: '0000', Found: 'Y' });
  });

  it('marketing - FindCustomersByIdentity finds the households of one holder by ID number and name', async () => {
    for (const h of HOUSEHOLDS) {
      const [res] = await client.FindCustomersByIdentityAsync({ CertNo: h.CertNo.toLowerCase(), ConsName: h.ConsName, Channel: 'ALIPAY' });
      expect(res.RetCode, h.ConsNo).to.equal('0000');
      expect(res.CustomerList.Customer, h.ConsNo).to.deep.equal([{ ConsNo: h.ConsNo, ConsName: h.ConsName, OrgNo: h.OrgNo, Address: h.Address }]);
    }
  });

  it('marketing - FindCustomersByIdentity answers 0000 with an empty list for another name or an unknown ID number', async () => {
    const [h, other] = HOUSEHOLDS;
    for (const args of [{ CertNo: h.CertNo, ConsName: other.ConsName }, { CertNo: '110101199003070011', ConsName: h.ConsName }]) {
      const [res] = await client.FindCustomersByIdentityAsync(args);
      expect(res.RetCode).to.equal('0000');
      expect(res.CustomerList ?? null).to.equal(null);
    }
    const err = await rejection(client.FindCustomersByIdentityAsync({ CertNo: h.CertNo }));
    expect(err.root?.Envelope?.Body?.Fault).to.deep.include({ faultcode: 'soap:Client', faultstring: 'ConsName is required' });
  });

  it('marketing - QueryArrears returns the dataset items and their total', async () => {
    expect(withArrears.length).to.be.greaterThan(1);
    for (const h of withArrears) {
      const [res] = await client.QueryArrearsAsync({ ConsNo: h.ConsNo, Channel: 'ALIPAY', Serial: `t-${h.ConsNo}` });
      expect(res.RetCode, h.ConsNo).to.equal('0000');
      expect(res.Customer).to.deep.equal({ ConsNo: h.ConsNo, ConsName: h.ConsName, OrgNo: h.OrgNo, Address: h.Address });
      expect(items(res.ArrearsList), h.ConsNo).to.deep.equal(h.arrears.map((i) => ({ ...i })));
      const expected = h.arrears.reduce((s, i) => s + i.ArrearsFen + i.PenaltyFen, 0);
      expect(res.TotalFen, h.ConsNo).to.equal(expected);
    }
  });

  it('marketing - QueryArrears amounts are integer fen (xsd:long), months yyyyMM', async () => {
    const [res] = await client.QueryArrearsAsync({ ConsNo: '3301000001' });
    expect(res.TotalFen).to.equal(12345 + 185 + 9870 + 99 + 10456 + 0);
    for (const i of items(res.ArrearsList) as Array<Record<string, unknown>>) {
      expect(Number.isInteger(i.ArrearsFen)).to.equal(true);
      expect(Number.isInteger(i.PenaltyFen)).to.equal(true);
      expect(i.BillMonth).to.match(/^\d{6}$/);
      expect(i.Status).to.be.oneOf(['01', '02']);
    }
  });

  it('marketing - no arrears gives an empty ArrearsList and TotalFen 0', async () => {
    const [res] = await client.QueryArrearsAsync({ ConsNo: noArrears.ConsNo });
    expect(res.RetCode).to.equal('0000');
    expect(res.Customer.ConsNo).to.equal(noArrears.ConsNo);
    expect(items(res.ArrearsList)).to.deep.equal([]);
    expect(res.TotalFen).to.equal(0);
    const xml = String(client.lastResponse);
    expect(xml).to.match(/<ArrearsList(\/>|><\/ArrearsList>)/);
    expect(xml).to.not.include('<Item>');
  });

  it('marketing - unknown account answers RetCode 1001 without Customer', async () => {
    const [res] = await client.QueryArrearsAsync({ ConsNo: UNKNOWN_CONS_NO });
    expect(res.RetCode).to.equal('1001');
    expect(res.RetMsg).to.match(/not found/i);
    expect(res).to.not.have.property('Customer');
    expect(res).to.not.have.property('ArrearsList');
    const [cust] = await client.GetCustomerAsync({ ConsNo: UNKNOWN_CONS_NO });
    expect(cust.RetCode).to.equal('1001');
    expect(cust).to.not.have.property('Customer');
  });

  it('marketing - the fault account answers a real SOAP Fault', async () => {
    for (const call of [client.QueryArrearsAsync, client.GetCustomerAsync]) {
      const err = await rejection(call.call(client, { ConsNo: SPECIAL_CONS_NO.FAULT }));
      expect(err.response?.status).to.equal(500);
      expect(err.root?.Envelope?.Body?.Fault).to.deep.equal({
        faultcode: 'soap:Server',
        faultstring: 'Core billing database unavailable',
      });
      expect(err.message).to.include('Core billing database unavailable');
    }
  });

  it('marketing - a missing ConsNo is a soap:Client fault', async () => {
    const err = await rejection(client.QueryArrearsAsync({ ConsNo: '' }));
    expect(err.root?.Envelope?.Body?.Fault?.faultcode).to.equal('soap:Client');
    expect(err.root?.Envelope?.Body?.Fault?.faultstring).to.equal('ConsNo is required');
  });

  it('marketing - GetCustomer returns the master data', async () => {
    const h = HOUSEHOLDS[3];
    const [res] = await client.GetCustomerAsync({ ConsNo: h.ConsNo });
    expect(res).to.deep.equal({
      RetCode: '0000',
      RetMsg: 'OK',
      Customer: {
        ConsNo: h.ConsNo, ConsName: h.ConsName, OrgNo: h.OrgNo, Address: h.Address, Mobile: h.Mobile, CertNo: h.CertNo,
      },
    });
  });

  it('marketing - the slow account answers only after the delay', async () => {
    const started = Date.now();
    const [res] = await client.QueryArrearsAsync({ ConsNo: SPECIAL_CONS_NO.SLOW });
    expect(Date.now() - started).to.be.at.least(SLOW_MS - 20);
    expect(res.RetCode).to.equal('0000');
    const err = await rejection(client.QueryArrearsAsync({ ConsNo: SPECIAL_CONS_NO.SLOW }, { timeout: 100 }));
    expect(err.message).to.match(/timeout/i);
  });

  it('marketing - requestCount counts operation calls, not WSDL fetches', async () => {
    const before = sim.requestCount();
    await client.GetCustomerAsync({ ConsNo: HOUSEHOLDS[0].ConsNo });
    await rejection(client.QueryArrearsAsync({ ConsNo: SPECIAL_CONS_NO.FAULT }));
    await fetch(sim.wsdlUrl).then((r) => r.text());
    expect(sim.requestCount()).to.equal(before + 2);
  });

  it('marketing - other paths answer 404', async () => {
    const res = await fetch(sim.url.replace('/marketing/soap', '/other'));
    expect(res.status).to.equal(404);
    await res.text();
  });

  it('marketing - close() returns promptly even with a request pending', async () => {
    const own = await startMarketingSimulator({ slowDelayMs: 60_000 });
    const c = await soap.createClientAsync(own.wsdlUrl);
    const pending = rejection(c.QueryArrearsAsync({ ConsNo: SPECIAL_CONS_NO.SLOW }));
    await new Promise((r) => setTimeout(r, 100)); // let the request arrive
    expect(own.requestCount()).to.equal(1);
    const started = Date.now();
    await own.close();
    expect(Date.now() - started).to.be.below(1000);
    expect((await pending).message).to.match(/socket hang up|ECONNRESET/i);
    await own.close(); // idempotent
  });
});
