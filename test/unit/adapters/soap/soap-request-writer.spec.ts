import { expect } from 'chai';
import { SoapRequestWriter } from '../../../../adapters/soap/soap-request-writer';
import { renderMarketingBWsdl } from '../../../../simulators/marketing-b/wsdl';
import { renderMarketingWsdl } from '../../../../simulators/marketing/wsdl';
import { TYPED_WSDL, loadWsdl } from './typed-wsdl';

type Args = Record<string, unknown>;

/** The input of every operation of a WSDL, as node-soap's client passes it to objectToDocumentXML. */
function inputsOf(wsdl: any): Record<string, [string, string, string, string]> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const out: Record<string, [string, string, string, string]> = {};
  for (const binding of Object.values(wsdl.definitions.bindings) as any[]) { // eslint-disable-line @typescript-eslint/no-explicit-any
    for (const [name, method] of Object.entries(binding.methods) as any[]) { // eslint-disable-line @typescript-eslint/no-explicit-any
      const input = method.input;
      out[name] = [input.$name, input.targetNSAlias, input.targetNamespace, input.$type || input.$lookupType];
    }
  }
  return out;
}

/** Same shape, other values: every text and number changed. */
function otherValues(v: unknown, n: number): unknown {
  if (typeof v === 'string') return v === '' ? v : `${v}-${n}<&>"'\t\r\n 你好`;
  if (typeof v === 'number') return v * 7 + n + 0.5;
  if (typeof v === 'boolean') return !v;
  if (Array.isArray(v)) return v.map((x) => otherValues(x, n));
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, otherValues(x, n)]));
  return v;
}

const CASES: Array<[string, string, Args[]]> = [
  ['marketing', 'QueryArrears', [
    { ConsNo: '3301000001', Channel: 'ALIPAY', Serial: 'r-1' },
    { ConsNo: '3301000001' },
    { Serial: 'x', ConsNo: '1', Channel: 'A' }, // other key order
    { ConsNo: '', Channel: 'ALIPAY', Serial: 'r' },
    { ConsNo: null, Channel: undefined, Serial: 's' },
    { ConsNo: 3301000001, Channel: true, Serial: 0 },
    { ConsNo: '<![CDATA[<raw>]]>', Channel: 'a&b', Serial: '\u0001x' },
    { ConsNo: '1', Unknown: { Deep: ['a', 'b', { C: 1 }] } },
    { ConsNo: '1', Channel: new Date(0) },
    { ConsNo: '1', attributes: { id: '7' } },
    { ConsNo: { $value: 'v', attributes: { a: 'b' } } },
    { _xml: '<x/>' },
    { 'tns:ConsNo': '1', ':Channel': 'x' },
  ]],
  ['marketing', 'FindCustomersByIdentity', [{ CertNo: '330106198001011234', ConsName: '张伟' }]],
  ['marketing-b', 'CustArrearsInquiry', [
    { ReqHeader: { SysCode: 'GRIDBUS', TransSeq: 't1', TransTime: '20250307010203' }, ReqBody: { Query: { CustNo: '3301000001' } } },
    { ReqHeader: { SysCode: 'GRIDBUS', TransSeq: 't1' }, ReqBody: { Query: {} } },
    { ReqHeader: null, ReqBody: { Query: { CustNo: ['1', '2'] } } },
  ]],
  ['marketing-b', 'CustIdentityInquiry', [
    { ReqHeader: { SysCode: 'GRIDBUS', TransSeq: 't2', TransTime: '20250307010203' }, ReqBody: { Query: { IdType: '01', IdNo: '330106198001011234', CustName: '张伟' } } },
  ]],
  ['typed', 'GetRows', [
    { Key: 'k' },
    { Key: ['a', 'b', 'c'] },
    { Key: [] },
    { Key: [{ I: 1, Tag: ['x', 'y'] }, { I: 2, Tag: [] }] },
  ]],
];

describe('adapters/soap - request writer', () => {
  const wsdls: Record<string, any> = {}; // eslint-disable-line @typescript-eslint/no-explicit-any

  before(async () => {
    wsdls.marketing = await loadWsdl(renderMarketingWsdl('http://127.0.0.1:1/marketing/soap'));
    wsdls['marketing-b'] = await loadWsdl(renderMarketingBWsdl('http://127.0.0.1:1/yx'));
    wsdls.typed = await loadWsdl(TYPED_WSDL);
  });

  for (const [system, operation, argsList] of CASES) {
    it(`writes ${system} ${operation} exactly as node-soap does, the first time and from the template`, () => {
      const wsdl = wsdls[system];
      const nodeSoap = wsdl.objectToDocumentXML;
      const writer = new SoapRequestWriter(wsdl, nodeSoap);
      const [name, prefix, uri, type] = inputsOf(wsdl)[operation];
      for (const args of argsList) {
        for (let n = 0; n < 3; n++) {
          const a = n ? otherValues(args, n) : args;
          const expected = nodeSoap.call(wsdl, name, a, prefix, uri, type, {});
          expect(writer.documentXml(name, a, prefix, uri, type, {}), JSON.stringify(a)).to.equal(expected);
        }
      }
    });
  }

  it('uses the template for a shape it has seen, and node-soap for what it cannot template', () => {
    const wsdl = wsdls.marketing;
    let calls = 0;
    const counting = function (this: unknown, ...a: unknown[]) {
      calls++;
      return wsdl.objectToDocumentXML.apply(this, a);
    };
    const writer = new SoapRequestWriter(wsdl, counting);
    const [name, prefix, uri, type] = inputsOf(wsdl).QueryArrears;
    for (let i = 0; i < 5; i++) writer.documentXml(name, { ConsNo: `${i}`, Channel: 'A', Serial: `s${i}` }, prefix, uri, type, {});
    expect(calls).to.equal(1);
    for (let i = 0; i < 3; i++) writer.documentXml(name, { ConsNo: new Date(i) }, prefix, uri, type, {});
    expect(calls).to.equal(4);
  });
});
