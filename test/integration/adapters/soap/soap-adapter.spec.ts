import { expect } from 'chai';
import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import type { AddressInfo } from 'net';
import * as zlib from 'zlib';
import * as soap from 'soap';
import { SoapAdapter } from '../../../../adapters/soap/soap-adapter';
import { translateSoapError } from '../../../../adapters/soap/soap-errors';
import { GridbusError } from '../../../../core/errors';
import { HOUSEHOLDS, SPECIAL_CONS_NO, UNKNOWN_CONS_NO } from '../../../../simulators/marketing/dataset';
import { MarketingSimulator, startMarketingSimulator } from '../../../../simulators/marketing/server';
import { startMarketingBSimulator } from '../../../../simulators/marketing-b/server';
import { renderMarketingWsdl } from '../../../../simulators/marketing/wsdl';
import { freePort } from '../../../helpers/ports';

async function failure(p: Promise<unknown>): Promise<GridbusError> {
  try {
    await p;
  } catch (err) {
    return err as GridbusError;
  }
  throw new Error('expected the call to fail');
}

/** What node-soap alone (its own axios client, its own reader) answers: the reference. */
async function plainNodeSoap(client: soap.Client, operation: string, args: unknown): Promise<{ body?: unknown; rawRequest?: string; rawResponse?: string; error?: unknown }> {
  const method = (client as unknown as Record<string, (a: unknown) => Promise<[unknown, string, unknown, string]>>)[`${operation}Async`];
  try {
    const [body, rawResponse, , rawRequest] = await method.call(client, args);
    return { body: body ?? {}, rawRequest, rawResponse };
  } catch (err) {
    return { error: err };
  }
}

/** A stand-in SOAP endpoint whose answers a test decides; the WSDL is the marketing simulator's. */
async function scriptedEndpoint(answer: (req: IncomingMessage, body: string, res: ServerResponse) => void) {
  let url = '';
  const requests: Array<{ headers: IncomingMessage['headers']; body: string; remotePort?: number }> = [];
  const server: Server = createServer((req, res) => {
    if (req.url?.endsWith('?wsdl')) {
      res.setHeader('Content-Type', 'text/xml');
      res.end(renderMarketingWsdl(url));
      return;
    }
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      requests.push({ headers: req.headers, body, remotePort: req.socket.remotePort });
      answer(req, body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/marketing/soap`;
  return { wsdlUrl: `${url}?wsdl`, requests, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

const okEnvelope = (consNo: string) =>
  `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><QueryArrearsResponse xmlns="http://sim.gridbus.local/marketing"><RetCode>0000</RetCode><RetMsg>OK</RetMsg><Customer><ConsNo>${consNo}</ConsNo><ConsName>x</ConsName><OrgNo>1</OrgNo><Address>y</Address></Customer><ArrearsList><Item><BillMonth>202501</BillMonth><ArrearsFen>100</ArrearsFen><PenaltyFen>1</PenaltyFen><Status>01</Status></Item></ArrearsList><TotalFen>101</TotalFen></QueryArrearsResponse></soap:Body></soap:Envelope>`;

describe('adapters/soap - SOAP adapter', () => {
  const SLOW_MS = 600;
  let sim: MarketingSimulator;
  let reference: soap.Client;
  let adapter: SoapAdapter;

  before(async () => {
    sim = await startMarketingSimulator({ slowDelayMs: SLOW_MS });
    // its own WSDL object: node-soap caches them by URL, and the adapter's reads differently
    reference = await soap.createClientAsync(sim.wsdlUrl, { disableCache: true });
    adapter = new SoapAdapter({ wsdlUrl: sim.wsdlUrl, timeoutMs: 5000 });
    await adapter.start();
  });

  after(async () => {
    await adapter?.stop();
    await sim?.close();
  });

  it('answers every operation exactly as node-soap does: body, raw request and raw response', async () => {
    const calls: Array<[string, Record<string, unknown>]> = [];
    for (const h of HOUSEHOLDS.filter((x) => x.ConsNo !== SPECIAL_CONS_NO.SLOW && x.ConsNo !== SPECIAL_CONS_NO.FAULT)) {
      calls.push(['QueryArrears', { ConsNo: h.ConsNo, Channel: 'ALIPAY', Serial: 'r1' }]);
      calls.push(['GetCustomer', { ConsNo: h.ConsNo }]);
      calls.push(['FindCustomersByIdentity', { CertNo: h.CertNo, ConsName: h.ConsName }]);
    }
    calls.push(['QueryArrears', { ConsNo: UNKNOWN_CONS_NO, Channel: 'ALIPAY', Serial: 'r2' }]);
    calls.push(['FindCustomersByIdentity', { CertNo: '110101199001011234', ConsName: 'nobody' }]);
    const before = adapter.metrics();
    for (const [operation, args] of calls) {
      const expected = await plainNodeSoap(reference, operation, args);
      expect(expected.error, `${operation} ${JSON.stringify(args)}`).to.equal(undefined);
      const got = await adapter.call(operation, args);
      expect(got.body, `${operation} ${JSON.stringify(args)}`).to.deep.equal(expected.body);
      expect(JSON.stringify(got.body)).to.equal(JSON.stringify(expected.body));
      expect(got.rawRequest).to.equal(expected.rawRequest);
      expect(got.rawResponse).to.equal(expected.rawResponse);
    }
    const after = adapter.metrics();
    // every one of these plain answers was read without node-soap's sax reader
    expect(after.responsesReadFast - before.responsesReadFast).to.equal(calls.length);
  });

  it('reads the second marketing system (other prefixes, unqualified elements, nesting) as node-soap does', async () => {
    const simB = await startMarketingBSimulator({});
    const refB = await soap.createClientAsync(simB.wsdlUrl, { disableCache: true });
    const b = new SoapAdapter({ wsdlUrl: simB.wsdlUrl });
    try {
      const header = { SysCode: 'GRIDBUS', TransSeq: 't1', TransTime: '20250307010203' };
      const calls: Array<[string, unknown]> = [];
      for (const h of HOUSEHOLDS.slice(0, 4)) {
        calls.push(['CustArrearsInquiry', { ReqHeader: header, ReqBody: { Query: { CustNo: h.ConsNo } } }]);
        calls.push(['CustIdentityInquiry', { ReqHeader: header, ReqBody: { Query: { IdType: '01', IdNo: h.CertNo, CustName: h.ConsName } } }]);
      }
      calls.push(['CustArrearsInquiry', { ReqHeader: header, ReqBody: { Query: { CustNo: UNKNOWN_CONS_NO } } }]);
      for (const [operation, args] of calls) {
        const expected = await plainNodeSoap(refB, operation, args);
        const got = await b.call(operation, args as Record<string, unknown>);
        expect(expected.error).to.equal(undefined);
        expect(got.body).to.deep.equal(expected.body);
        expect(got.rawResponse).to.equal(expected.rawResponse);
      }
      expect(b.metrics().responsesReadByNodeSoap).to.equal(0);
      // a fault of that system (soapenv prefix)
      const fault = await failure(b.call('CustArrearsInquiry', { ReqHeader: { SysCode: 'NOPE', TransSeq: 't', TransTime: '20250307010203' }, ReqBody: { Query: { CustNo: '1' } } }));
      expect(fault.errorCode).to.equal('BACKEND_FAULT');
      expect((fault.data as { faultcode?: string }).faultcode).to.match(/Client$/);
    } finally {
      await b.stop();
      await simB.close();
    }
  });

  it('turns a SOAP fault into BACKEND_FAULT with faultcode and faultstring, and stays healthy', async () => {
    const err = await failure(adapter.call('QueryArrears', { ConsNo: SPECIAL_CONS_NO.FAULT }));
    expect(err).to.be.instanceOf(GridbusError);
    expect(err.errorCode).to.equal('BACKEND_FAULT');
    expect(err.data).to.deep.include({ operation: 'QueryArrears', faultcode: 'soap:Server', faultstring: 'Core billing database unavailable' });
    // the same as node-soap's own error, translated
    const expected = await plainNodeSoap(reference, 'QueryArrears', { ConsNo: SPECIAL_CONS_NO.FAULT });
    expect(err.data).to.deep.equal(translateSoapError(expected.error, sim.wsdlUrl, 'QueryArrears', 5000).data);
    expect((await adapter.health()).status).to.equal('up');
  });

  it('gives up after the timeout with BACKEND_TIMEOUT, and the next call still works', async () => {
    const started = Date.now();
    const err = await failure(adapter.call('QueryArrears', { ConsNo: SPECIAL_CONS_NO.SLOW }, { timeoutMs: 150 }));
    expect(err.errorCode).to.equal('BACKEND_TIMEOUT');
    expect(err.message).to.contain('150 ms');
    expect(Date.now() - started).to.be.lessThan(SLOW_MS);
    expect((await adapter.health()).status).to.equal('degraded');
    const ok = await adapter.call('QueryArrears', { ConsNo: HOUSEHOLDS[0].ConsNo });
    expect((ok.body as { RetCode: string }).RetCode).to.equal('0000');
    expect((await adapter.health()).status).to.equal('up');
  });

  it('answers BACKEND_UNAVAILABLE when nothing listens at the endpoint any more', async () => {
    const ep = await scriptedEndpoint((_req, _body, res) => res.end(okEnvelope('1')));
    const a = new SoapAdapter({ wsdlUrl: ep.wsdlUrl });
    await a.start();
    await ep.close();
    // (a kept-alive socket the server has just closed may still be picked: that is ECONNRESET)
    await new Promise((r) => setTimeout(r, 50));
    const err = await failure(a.call('QueryArrears', { ConsNo: '1' }));
    expect(err.errorCode).to.equal('BACKEND_UNAVAILABLE');
    expect(err.message).to.match(/ECONNREFUSED|ECONNRESET/);
    await a.stop();
  });

  it('sends a WS-Security UsernameToken when configured', async () => {
    const ep = await scriptedEndpoint((_req, _body, res) => {
      res.setHeader('Content-Type', 'text/xml; charset=utf-8');
      res.end(okEnvelope('3301000001'));
    });
    const a = new SoapAdapter({ wsdlUrl: ep.wsdlUrl, username: 'gridbus', password: 's3cret<&>' });
    try {
      const ex = await a.call('QueryArrears', { ConsNo: '3301000001' });
      expect((ex.body as { TotalFen: number }).TotalFen).to.equal(101);
      const sent = ep.requests[0];
      expect(sent.headers.soapaction).to.equal('"http://sim.gridbus.local/marketing/QueryArrears"');
      expect(sent.headers['content-type']).to.equal('text/xml; charset=utf-8');
      expect(sent.body).to.match(/<soap:Header><wsse:Security [^>]*>.*<wsse:Username>gridbus<\/wsse:Username>.*<wsse:Password [^>]*>s3cret&lt;&amp;&gt;<\/wsse:Password>.*<\/wsse:Security><\/soap:Header>/);
      expect(ex.rawRequest).to.equal(sent.body);
    } finally {
      await a.stop();
      await ep.close();
    }
  });

  it('treats odd answers as node-soap does: HTTP errors, non-XML, gzip, comments, large bodies', async () => {
    let mode = '';
    const ep = await scriptedEndpoint((_req, _body, res) => {
      if (mode === 'html-500') {
        res.statusCode = 500;
        res.setHeader('Content-Type', 'text/html');
        res.end('<html><body>Internal Server Error</body></html>');
      } else if (mode === 'empty-503') {
        res.statusCode = 503;
        res.end();
      } else if (mode === 'gzip') {
        res.setHeader('Content-Encoding', 'gzip');
        res.end(zlib.gzipSync(okEnvelope('2')));
      } else if (mode === 'comment') {
        res.end(`<!-- served by a proxy -->${okEnvelope('3')}<!-- trailer -->`);
      } else if (mode === 'large') {
        const items = Array.from({ length: 3000 }, (_, i) => `<Item><BillMonth>2025${String((i % 12) + 1).padStart(2, '0')}</BillMonth><ArrearsFen>${i}</ArrearsFen><PenaltyFen>0</PenaltyFen><Status>01</Status></Item>`).join('');
        res.end(okEnvelope('4').replace(/<ArrearsList>.*<\/ArrearsList>/, `<ArrearsList>${items}</ArrearsList>`));
      } else if (mode === 'garbage-200') {
        res.end('not xml at all');
      }
    });
    const a = new SoapAdapter({ wsdlUrl: ep.wsdlUrl });
    const ref = await soap.createClientAsync(ep.wsdlUrl, { disableCache: true });
    try {
      for (mode of ['html-500', 'empty-503', 'garbage-200']) {
        const expected = await plainNodeSoap(ref, 'QueryArrears', { ConsNo: '1' });
        const err = await failure(a.call('QueryArrears', { ConsNo: '1' }));
        const translated = translateSoapError(expected.error, ep.wsdlUrl, 'QueryArrears', 10000);
        expect([err.errorCode, err.message], mode).to.deep.equal([translated.errorCode, translated.message]);
      }
      for (mode of ['gzip', 'comment', 'large']) {
        const expected = await plainNodeSoap(ref, 'QueryArrears', { ConsNo: '1' });
        const got = await a.call('QueryArrears', { ConsNo: '1' });
        expect(got.body, mode).to.deep.equal(expected.body);
        expect(got.rawResponse, mode).to.equal(expected.rawResponse);
      }
    } finally {
      await a.stop();
      await ep.close();
    }
  });

  it('stops without waiting past the deadline of a call in flight', async () => {
    const a = new SoapAdapter({ wsdlUrl: sim.wsdlUrl });
    await a.call('QueryArrears', { ConsNo: HOUSEHOLDS[0].ConsNo });
    const pending = a.call('QueryArrears', { ConsNo: SPECIAL_CONS_NO.SLOW }, { timeoutMs: 5000 }).then(() => 'answered', () => 'failed');
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await a.stop();
    expect(Date.now() - started).to.be.lessThan(2500);
    expect(await pending).to.be.oneOf(['answered', 'failed']);
  });

  it('reports down while the WSDL cannot be loaded, and connects on a later call', async () => {
    const port = await freePort();
    const a = new SoapAdapter({ wsdlUrl: `http://127.0.0.1:${port}/marketing/soap?wsdl` });
    await a.start();
    expect((await a.health()).status).to.equal('down');
    const err = await failure(a.call('QueryArrears', { ConsNo: '1' }));
    expect(err.errorCode).to.equal('BACKEND_UNAVAILABLE');
    await a.stop();
  });

  it('keeps connections alive across calls', async () => {
    const ep = await scriptedEndpoint((_req, _body, res) => res.end(okEnvelope('5')));
    const a = new SoapAdapter({ wsdlUrl: ep.wsdlUrl });
    try {
      for (let i = 0; i < 20; i++) await a.call('QueryArrears', { ConsNo: '5' });
      expect(ep.requests).to.have.length(20);
      // one after the other: a connection (or two, as the pool hands the next call out) for all of them
      expect(new Set(ep.requests.map((r) => r.remotePort)).size).to.be.at.most(2);
    } finally {
      await a.stop();
      await ep.close();
    }
  });
});
