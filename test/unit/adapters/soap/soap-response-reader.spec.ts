import { expect } from 'chai';
import { SoapResponseReader, UNREAD } from '../../../../adapters/soap/soap-response-reader';
import { NS, TYPED_WSDL, loadWsdl } from './typed-wsdl';

const ENV = 'http://schemas.xmlsoap.org/soap/envelope/';
const env = (body: string, opts: { prefix?: string; header?: string; decl?: boolean } = {}) => {
  const p = opts.prefix ?? 'soap';
  return `${opts.decl === false ? '' : '<?xml version="1.0" encoding="utf-8"?>'}<${p}:Envelope xmlns:${p}="${ENV}">${opts.header ?? ''}<${p}:Body>${body}</${p}:Body></${p}:Envelope>`;
};
const rows = (inner: string) => env(`<GetRowsResponse xmlns="${NS}"><Status>OK</Status><Count>2</Count>${inner}</GetRowsResponse>`);

/** Documents the reader must read itself, with node-soap's exact result. */
const READ: Record<string, string> = {
  'typed values': rows('<Row><I>42</I><L>-9007199254740993</L><S>7</S><N>12abc</N><D>1.5e3</D><F>-0.25</F><M>10.10</M><B>TRUE</B><T>2025-03-07T01:02:03Z</T><Day>2025-03-07</Day><Str>  padded  </Str><Code>A</Code></Row>'),
  'booleans': rows('<Row><B>1</B></Row><Row><B>false</B></Row><Row><B>yes</B></Row>'),
  'a list of one': rows('<Row><Tag>only</Tag></Row>'),
  'lists of several, simple and complex': rows('<Row><Tag>a</Tag><Tag>b</Tag><Num>1</Num><Num>2</Num></Row><Row><I>1</I></Row><Row><I>2</I></Row>'),
  'a repeated element the schema does not list': rows('<Single><I>1</I></Single><Single><I>2</I></Single>'),
  'empty elements': rows('<Row><Str></Str><I></I><Tag/></Row><Single/><Extra><Note/></Extra>'),
  'an element the schema does not know': rows('<Unknown><Deeper>x</Deeper></Unknown><Row><Mystery>7</Mystery></Row>'),
  'entities and character references': rows('<Row><Str>a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos; &#20320;&#x597D; &#x1F600;</Str></Row>'),
  'white space and line breaks between elements': env(`\n  <GetRowsResponse xmlns="${NS}">\n    <Status>OK</Status>\r\n    <Count> 3 </Count>\n    <Row>\n      <Str>two\n lines</Str>\n    </Row>\n  </GetRowsResponse>\n`),
  'another envelope prefix and prefixed body elements': env(`<t:GetRowsResponse xmlns:t="${NS}"><t:Status>OK</t:Status><t:Row><t:I>5</t:I></t:Row></t:GetRowsResponse>`, { prefix: 'soapenv' }),
  'an unprefixed envelope': `<Envelope xmlns="${ENV}"><Body><GetRowsResponse xmlns="${NS}"><Status>OK</Status></GetRowsResponse></Body></Envelope>`,
  'no XML declaration': env(`<GetRowsResponse xmlns="${NS}"><Count>1</Count></GetRowsResponse>`, { decl: false }),
  'a SOAP header': env(`<GetRowsResponse xmlns="${NS}"><Count>1</Count></GetRowsResponse>`, { header: '<soap:Header><h:Trace xmlns:h="urn:h"><h:Id>abc</h:Id></h:Trace></soap:Header>' }),
  'namespace declarations with single quotes and spaces': env(`<GetRowsResponse xmlns = '${NS}' ><Count >1</Count ></GetRowsResponse >`),
  'an element named like a message': rows('<GetRowsOut><Count>3</Count></GetRowsOut>'),
  'an empty body': env(''),
  'two children in the body': env(`<GetRowsResponse xmlns="${NS}"><Count>1</Count></GetRowsResponse><Other>x</Other>`),
  'Chinese text': rows('<Row><Str>浙江省杭州市西湖区文三路138号</Str></Row>'),
};

/** Documents left to node-soap (whatever it makes of them). */
const LEFT: Record<string, string> = {
  'a fault': env('<soap:Fault><faultcode>soap:Server</faultcode><faultstring>down</faultstring></soap:Fault>'),
  'a SOAP 1.2 style fault': env('<soap:Fault><soap:Code><soap:Value>soap:Receiver</soap:Value></soap:Code></soap:Fault>'),
  'an attribute': rows('<Row id="1"><I>1</I></Row>'),
  'xsi:nil': rows('<Row xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><I xsi:nil="true"/></Row>'),
  'xsi:type': rows('<Row xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Row"><I>1</I></Row>'),
  'an href reference': rows('<Row href="#r1"/>'),
  'CDATA': rows('<Row><Str><![CDATA[<b>x</b>]]></Str></Row>'),
  'a comment': rows('<Row><Str>a<!-- c -->b</Str></Row>'),
  'a DOCTYPE': `<?xml version="1.0"?><!DOCTYPE x>${env('')}`,
  'a processing instruction inside': rows('<Row><?pi x?><I>1</I></Row>'),
  'mixed content, text first': rows('<Row>text<I>1</I></Row>'),
  'mixed content, text last': rows('<Row><I>1</I>text</Row>'),
  'an unknown entity': rows('<Row><Str>&nbsp;</Str></Row>'),
  'a bare ampersand': rows('<Row><Str>a & b</Str></Row>'),
  'mismatched tags': rows('<Row><I>1</J></Row>'),
  'unclosed document': rows('<Row><I>1</I>').replace('</soap:Body></soap:Envelope>', ''),
  'text outside the document element': `${env('')}trailing`,
  'a second document element': `${env('')}<x/>`,
  'not XML at all': 'Service Unavailable',
  'a body element that names no message': env('<NoSuchResponse><Count>1</Count></NoSuchResponse>'),
  'an unquoted attribute': rows('<Row xmlns:a=urn:a><I>1</I></Row>'),
  'an invalid element name': rows('<1Row><I>1</I></1Row>'),
  'a byte order mark': `\uFEFF${rows('')}`,
};

describe('adapters/soap - response reader', () => {
  let wsdl: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  let reader: SoapResponseReader;

  before(async () => {
    wsdl = await loadWsdl(TYPED_WSDL);
    reader = new SoapResponseReader(wsdl);
  });

  const nodeSoap = (xml: string) => {
    try {
      return { value: wsdl.xmlToObject(xml) };
    } catch (err) {
      return { error: err };
    }
  };

  for (const [label, xml] of Object.entries(READ)) {
    it(`reads ${label} exactly as node-soap does`, () => {
      const expected = nodeSoap(xml);
      expect(expected.error, 'node-soap reads it').to.equal(undefined);
      const got = reader.read(xml);
      expect(got, 'read without node-soap').to.not.equal(UNREAD);
      expect(got).to.deep.equal(expected.value);
      // same key order, same types
      expect(JSON.stringify(got)).to.equal(JSON.stringify(expected.value));
    });
  }

  for (const [label, xml] of Object.entries(LEFT)) {
    it(`leaves ${label} to node-soap`, () => {
      expect(reader.read(xml)).to.equal(UNREAD);
    });
  }

  it('leaves everything to node-soap when its options change the reading', () => {
    const xml = READ['typed values'];
    wsdl.options.preserveWhitespace = true;
    try {
      expect(reader.read(xml)).to.equal(UNREAD);
    } finally {
      wsdl.options.preserveWhitespace = false;
    }
    expect(reader.read(xml)).to.not.equal(UNREAD);
  });
});
