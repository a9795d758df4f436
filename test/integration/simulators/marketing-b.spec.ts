import { expect } from 'chai';
import { spawn } from 'child_process';
import * as path from 'path';
import * as soap from 'soap';
import { HOUSEHOLDS, Household, SPECIAL_CONS_NO, UNKNOWN_CONS_NO, totalFen } from '../../../simulators/marketing/dataset';
import { MISSING_CUST_NO_ANSWER, SPECIAL_CUST_NO, UNKNOWN_CUST_NO } from '../../../simulators/marketing-b/dataset';
import { MarketingBSimulator, startMarketingBSimulator } from '../../../simulators/marketing-b/server';

interface SoapError extends Error {
  root?: { Envelope?: { Body?: { Fault?: { faultcode?: string; faultstring?: string } } } };
  response?: { status?: number };
}

/** node-soap gives back an array for maxOccurs="unbounded", and null for an empty element. */
function bills(list: unknown): Array<Record<string, unknown>> {
  const bill = (list as { Bill?: unknown } | null | undefined)?.Bill;
  return (bill == null ? [] : Array.isArray(bill) ? bill : [bill]) as Array<Record<string, unknown>>;
}

async function rejection(p: Promise<unknown>): Promise<SoapError> {
  try {
    await p;
  } catch (err) {
    return err as SoapError;
  }
  throw new Error('expected the call to fail');
}

const HEADER = { SysCode: 'GRIDBUS', TransSeq: 'seq-0001', TransTime: '20250315103000' };
const inquiry = (custNo: string, header: Record<string, unknown> = HEADER) => ({ ReqHeader: header, ReqBody: { Query: { CustNo: custNo } } });

/** Fen in the dataset, as the yuan text YX must write (computed here independently). */
const yuan = (fen: number) => (fen / 100).toFixed(2);

describe('simulators - marketing B (YX: yuan, nested, other codes)', () => {
  const SLOW_MS = 400;
  let sim: MarketingBSimulator;
  let client: soap.Client;

  before(async () => {
    sim = await startMarketingBSimulator({ slowDelayMs: SLOW_MS });
    client = await soap.createClientAsync(sim.wsdlUrl);
  });

  after(async () => {
    await sim?.close();
  });

  const regular = HOUSEHOLDS.filter((h) => h.ConsNo !== SPECIAL_CONS_NO.SLOW);
  const noArrears = HOUSEHOLDS.find((h) => h.arrears.length === 0) as Household;

  it('marketing-b - serves its own WSDL: other namespace, service, port and operation', async () => {
    expect(sim.url).to.match(/^http:\/\/127\.0\.0\.1:[1-9]\d*\/yx\/services\/YxBillingService$/);
    expect(sim.wsdlUrl).to.equal(`${sim.url}?wsdl`);
    const res = await fetch(sim.wsdlUrl);
    expect(res.status).to.equal(200);
    const wsdl = await res.text();
    expect(wsdl).to.include('targetNamespace="urn:sgcc:yx:ws"');
    expect(wsdl).to.include('<wsdl:service name="YxBillingService">');
    expect(wsdl).to.include('<wsdl:port name="YxBillingSoapPort"');
    expect(wsdl).to.include('<wsdl:operation name="CustArrearsInquiry">');
    expect(wsdl).to.include('<soap:binding style="document"');
    expect(wsdl).to.include('<soap:body use="literal"/>');
    expect(wsdl).to.include(`<soap:address location="${sim.url}"/>`);
    expect(wsdl).to.not.include('QueryArrears');
  });

  it('marketing-b - the client sees its operations with nested requests', () => {
    const ops = client.describe().YxBillingService.YxBillingSoapPort;
    expect(Object.keys(ops)).to.deep.equal(['CustArrearsInquiry', 'CustIdentityInquiry', 'CustArchiveSupplement', 'ChargeWriteOff', 'ChargeInquiry', 'ChargeReverse']);
    expect(ops.CustArchiveSupplement.input.ReqBody.Archive).to.include.keys('BizSeq', 'CustNo', 'IdType', 'IdNo', 'MobileNo', 'CustName');
    expect(ops.CustIdentityInquiry.input.ReqBody.Query).to.include.keys('IdType', 'IdNo', 'CustName');
    const input = ops.CustArrearsInquiry.input;
    expect(input.ReqHeader).to.include.keys('SysCode', 'TransSeq', 'TransTime');
    expect(input.ReqBody.Query).to.include.keys('CustNo');
  });

  it('marketing-b - answers every household of the shared dataset in yuan text, periods yyyy-MM, states N/P', async () => {
    for (const h of regular) {
      const [res] = await client.CustArrearsInquiryAsync(inquiry(h.ConsNo));
      expect(res.RspHeader, h.ConsNo).to.deep.equal({ RspCode: 'AAAAAAA', RspDesc: '交易成功', TransSeq: HEADER.TransSeq });
      expect(res.RspBody.CustInfo.Basic).to.deep.equal({ CustNo: h.ConsNo, CustName: h.ConsName, OrgCode: h.OrgNo });
      expect(bills(res.RspBody.ArrearsInfo.BillList), h.ConsNo).to.deep.equal(
        h.arrears.map((a) => ({
          Period: `${a.BillMonth.slice(0, 4)}-${a.BillMonth.slice(4)}`,
          AmtDue: yuan(a.ArrearsFen),
          LateFee: yuan(a.PenaltyFen),
          PayState: a.Status === '01' ? 'N' : 'P',
        })),
      );
      expect(res.RspBody.ArrearsInfo.TotalAmt, h.ConsNo).to.equal(yuan(totalFen(h)));
    }
  });

  it('marketing-b - amounts are strings with two decimals, never numbers', async () => {
    const [res] = await client.CustArrearsInquiryAsync(inquiry('3301000001'));
    expect(res.RspBody.ArrearsInfo.TotalAmt).to.equal('329.55'); // 12345+185+9870+99+10456+0 fen
    for (const b of bills(res.RspBody.ArrearsInfo.BillList)) {
      expect(b.AmtDue).to.be.a('string').and.match(/^\d+\.\d{2}$/);
      expect(b.LateFee).to.be.a('string').and.match(/^\d+\.\d{2}$/);
    }
    expect(String(client.lastResponse)).to.include('<LateFee>0.00</LateFee>');
  });

  it('marketing-b - no arrears gives an empty BillList and TotalAmt 0.00', async () => {
    const [res] = await client.CustArrearsInquiryAsync(inquiry(noArrears.ConsNo));
    expect(res.RspHeader.RspCode).to.equal('AAAAAAA');
    expect(bills(res.RspBody.ArrearsInfo.BillList)).to.deep.equal([]);
    expect(res.RspBody.ArrearsInfo.TotalAmt).to.equal('0.00');
    expect(String(client.lastResponse)).to.not.include('<Bill>');
  });

  it('marketing-b - unknown customer answers E0001 without RspBody', async () => {
    expect(UNKNOWN_CUST_NO).to.equal(UNKNOWN_CONS_NO);
    const [res] = await client.CustArrearsInquiryAsync(inquiry(UNKNOWN_CUST_NO));
    expect(res.RspHeader.RspCode).to.equal('E0001');
    expect(res.RspHeader.RspDesc).to.match(/not found/);
    expect(res).to.not.have.property('RspBody');
  });

  it('marketing-b - CustIdentityInquiry finds a holder\'s customers (IdType 01), E0001 without RspBody when nobody matches', async () => {
    const query = (q: Record<string, unknown>) => ({ ReqHeader: HEADER, ReqBody: { Query: q } });
    for (const h of regular) {
      const [res] = await client.CustIdentityInquiryAsync(query({ IdType: '01', IdNo: h.CertNo, CustName: h.ConsName }));
      expect(res.RspHeader).to.deep.include({ RspCode: 'AAAAAAA', TransSeq: HEADER.TransSeq });
      expect(res.RspBody.CustList.Cust, h.ConsNo).to.deep.equal([{ CustNo: h.ConsNo, CustName: h.ConsName, OrgCode: h.OrgNo, Addr: h.Address }]);
    }
    const [none] = await client.CustIdentityInquiryAsync(query({ IdType: '01', IdNo: HOUSEHOLDS[0].CertNo, CustName: HOUSEHOLDS[1].ConsName }));
    expect(none.RspHeader.RspCode).to.equal('E0001');
    expect(none).to.not.have.property('RspBody');
    const err = await rejection(client.CustIdentityInquiryAsync(query({ IdType: '02', IdNo: HOUSEHOLDS[0].CertNo, CustName: HOUSEHOLDS[0].ConsName })));
    expect(err.root?.Envelope?.Body?.Fault?.faultcode).to.equal('soapenv:Client');
  });

  it('marketing-b - the system-error customer answers E9999 as a normal response (HTTP 200, no fault)', async () => {
    const [res, raw] = await client.CustArrearsInquiryAsync(inquiry(SPECIAL_CUST_NO.SYSTEM_ERROR));
    expect(res.RspHeader.RspCode).to.equal('E9999');
    expect(res).to.not.have.property('RspBody');
    expect(String(raw)).to.not.include('Fault');
  });

  it('marketing-b - the broken customer answers AAAAAAA without CustNo', async () => {
    const [res] = await client.CustArrearsInquiryAsync(inquiry(SPECIAL_CUST_NO.MISSING_CUST_NO));
    expect(res.RspHeader.RspCode).to.equal('AAAAAAA');
    expect(res.RspBody.CustInfo.Basic).to.deep.equal({ CustName: MISSING_CUST_NO_ANSWER.CustName, OrgCode: MISSING_CUST_NO_ANSWER.OrgCode });
    expect(res.RspBody.ArrearsInfo.TotalAmt).to.equal(MISSING_CUST_NO_ANSWER.TotalAmt);
  });

  it('marketing-b - the fault customer answers a soapenv:Server fault (HTTP 500), envelope prefix soapenv', async () => {
    expect(SPECIAL_CUST_NO.FAULT).to.equal(SPECIAL_CONS_NO.FAULT);
    const err = await rejection(client.CustArrearsInquiryAsync(inquiry(SPECIAL_CUST_NO.FAULT)));
    expect(err.response?.status).to.equal(500);
    expect(err.root?.Envelope?.Body?.Fault).to.deep.equal({ faultcode: 'soapenv:Server', faultstring: 'YX system maintenance' });
    expect(String(client.lastResponse)).to.match(/^<\?xml[^>]*\?><soapenv:Envelope xmlns:soapenv="http:\/\/schemas\.xmlsoap\.org\/soap\/envelope\/"/);
  });

  it('marketing-b - checks the request header: missing or malformed fields are soapenv:Client faults', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ ...HEADER, SysCode: 'OTHER' }, /SysCode OTHER is not registered/],
      [{ TransSeq: 'x', TransTime: HEADER.TransTime }, /SysCode is required/],
      [{ SysCode: 'GRIDBUS', TransTime: HEADER.TransTime }, /TransSeq must be/],
      [{ ...HEADER, TransTime: '2025-03-15T10:30:00Z' }, /TransTime must be yyyyMMddHHmmss/],
    ];
    for (const [header, faultstring] of cases) {
      const err = await rejection(client.CustArrearsInquiryAsync(inquiry(HOUSEHOLDS[0].ConsNo, header)));
      expect(err.root?.Envelope?.Body?.Fault?.faultcode).to.equal('soapenv:Client');
      expect(err.root?.Envelope?.Body?.Fault?.faultstring).to.match(faultstring);
    }
    const noCust = await rejection(client.CustArrearsInquiryAsync({ ReqHeader: HEADER, ReqBody: { Query: {} } }));
    expect(noCust.root?.Envelope?.Body?.Fault).to.deep.equal({ faultcode: 'soapenv:Client', faultstring: 'ReqBody.Query.CustNo is required' });
  });

  it('marketing-b - answers a hand-written document/literal envelope (no node-soap on the client side)', async () => {
    const envelope =
      '<?xml version="1.0" encoding="UTF-8"?>' +
      '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:yx="urn:sgcc:yx:ws">' +
      '<soapenv:Body><yx:CustArrearsInquiryReq>' +
      '<ReqHeader><SysCode>GRIDBUS</SysCode><TransSeq>raw-1</TransSeq><TransTime>20250315103000</TransTime></ReqHeader>' +
      '<ReqBody><Query><CustNo>3301000002</CustNo></Query></ReqBody>' +
      '</yx:CustArrearsInquiryReq></soapenv:Body></soapenv:Envelope>';
    const res = await fetch(sim.url, {
      method: 'POST',
      headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: '"urn:sgcc:yx:ws#CustArrearsInquiry"' },
      body: envelope,
    });
    expect(res.status).to.equal(200);
    const xml = await res.text();
    expect(xml).to.include('<RspCode>AAAAAAA</RspCode>');
    expect(xml).to.include('<TransSeq>raw-1</TransSeq>');
    expect(xml).to.include('<CustName>王芳</CustName>');
    expect(xml).to.include('<Bill><Period>2025-03</Period><AmtDue>45.21</AmtDue><LateFee>0.23</LateFee><PayState>P</PayState></Bill>');
    expect(xml).to.include('<TotalAmt>45.44</TotalAmt>');
  });

  it('marketing-b - the slow customer answers only after the delay', async () => {
    const started = Date.now();
    const [res] = await client.CustArrearsInquiryAsync(inquiry(SPECIAL_CUST_NO.SLOW));
    expect(Date.now() - started).to.be.at.least(SLOW_MS - 20);
    expect(res.RspBody.CustInfo.Basic.CustNo).to.equal(SPECIAL_CONS_NO.SLOW);
    const err = await rejection(client.CustArrearsInquiryAsync(inquiry(SPECIAL_CUST_NO.SLOW), { timeout: 100 }));
    expect(err.message).to.match(/timeout/i);
  });

  it('marketing-b - requestCount counts operation calls, not WSDL fetches', async () => {
    const before = sim.requestCount();
    await client.CustArrearsInquiryAsync(inquiry(HOUSEHOLDS[0].ConsNo));
    await rejection(client.CustArrearsInquiryAsync(inquiry(SPECIAL_CUST_NO.FAULT)));
    await fetch(sim.wsdlUrl).then((r) => r.text());
    expect(sim.requestCount()).to.equal(before + 2);
  });

  it('marketing-b - other paths answer 404', async () => {
    const res = await fetch(sim.url.replace('/yx/services/YxBillingService', '/marketing/soap'));
    expect(res.status).to.equal(404);
    await res.text();
  });

  it('marketing-b - close() returns promptly even with a request pending', async () => {
    const own = await startMarketingBSimulator({ slowDelayMs: 60_000 });
    const c = await soap.createClientAsync(own.wsdlUrl);
    const pending = rejection(c.CustArrearsInquiryAsync(inquiry(SPECIAL_CUST_NO.SLOW)));
    await new Promise((r) => setTimeout(r, 100)); // let the request arrive
    expect(own.requestCount()).to.equal(1);
    const started = Date.now();
    await own.close();
    expect(Date.now() - started).to.be.below(1000);
    expect((await pending).message).to.match(/socket hang up|ECONNRESET/i);
    await own.close(); // idempotent
  });

  it('marketing-b - main.ts starts it standalone on PORT and stops on SIGTERM', async function () {
    this.timeout(30000);
    const root = path.resolve(__dirname, '../../..');
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'simulators/marketing-b/main.ts'], {
      cwd: root,
      env: { ...process.env, PORT: '0', SLOW_DELAY_MS: '10' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const wsdlUrl = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /WSDL: (\S+)/.exec(out);
          if (m) resolve(m[1]);
        });
        child.once('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)));
      });
      const c = await soap.createClientAsync(wsdlUrl);
      const [res] = await c.CustArrearsInquiryAsync(inquiry(HOUSEHOLDS[1].ConsNo));
      expect(res.RspBody.ArrearsInfo.TotalAmt).to.equal(yuan(totalFen(HOUSEHOLDS[1])));
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).to.equal(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
