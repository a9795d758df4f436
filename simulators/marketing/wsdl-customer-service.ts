/**
 * The customer-service part of the marketing simulator's WSDL: the port
 * CustomerServicePort (its own address beside MarketingPort) with the plates'
 * operations. Spliced into wsdl.ts's template; same namespace (tns).
 */
import { MARKETING_NAMESPACE } from './wsdl-namespace';

export const CUSTOMER_SERVICE_PATH = '/marketing/soap/customer-service';
export const CUSTOMER_SERVICE_ENDPOINT_PLACEHOLDER = '__CUSTOMER_SERVICE_ENDPOINT__';

const OPERATIONS: ReadonlyArray<[name: string, doc: string]> = [
  ['VerifyHolder', "Whether a name and/or the tail of an ID number are the holder's of one consumer number (manual binding)."],
  ['QueryBills', 'Monthly bills of one consumer number from StartMonth to EndMonth, newest first.'],
  ['GetBillDetail', 'One bill: kWh and charge by time-of-use period, charges by item, meter readings.'],
  ['QueryBalance', 'Balance of a prepaid account, deposit of a postpaid one.'],
  ['QueryPayHistory', 'Payments of one consumer number posted from StartDate to EndDate, newest first.'],
  ['CreateWorkOrder', 'A work order (工单) from a report or feedback; idempotent by Serial.'],
  ['QueryWorkOrder', 'A work order and its status, by the Serial it was created with.'],
  ['SetEBill', 'Subscribes to or ends e-bills (电子账单) of one consumer number; idempotent by Serial.'],
  ['GetEBill', 'Whether one consumer number receives e-bills, and since when.'],
];

export const CUSTOMER_SERVICE_DOC = `
    CustomerServicePort (address ${CUSTOMER_SERVICE_PATH}): the plates' operations.
    VerifyHolder: Matched Y/N of ConsName and/or CertTail (the last 4-6 characters of the ID
    number, X in either case; at least one given, each given must match); ConsName is answered
    only when matched. 1001 = customer not found.
    QueryBills: BillFen and PaidFen in fen, Kwh decimal text, BillStatus 1 = paid, 2 = partly
    paid, 3 = unpaid, IssueDate yyyyMMdd; newest first. GetBillDetail: TouCode J = sharp (尖),
    F = peak (峰), P = flat (平), G = valley (谷); TotalFen = sum of ChargeList; 1003 = no bill of
    that month. QueryBalance: PayMode 1 = postpaid (BalanceFen = deposit), 2 = prepaid;
    QueryTime yyyyMMddHHmmss. QueryPayHistory: PayTime yyyyMMddHHmmss, Channel ALIPAY / WECHAT /
    BANK / COUNTER, PayStatus 1 = posted, 2 = reversed; write-offs included.
    CreateWorkOrder: OrderType 01 = illegal use (窃电举报), 02 = feedback, 03 = complaint;
    0000 = created (OrderNo), 2001 = this Serial was processed before (OrderNo of the original).
    QueryWorkOrder: Found Y/N; OrderStatus 10 = accepted, 20 = in progress, 30 = closed.
    SetEBill: Subscribe Y/N; 0000 = applied, 2001 = this Serial was processed before; Subscribed
    is the state after. GetEBill: Subscribed Y/N, SubscribeTime yyyyMMddHHmmss when subscribed.`;

const el = (name: string, type: string, extra = '') => `<xsd:element name="${name}" type="${type}"${extra}/>`;
const opt = (name: string, type: string) => el(name, type, ' minOccurs="0"');
const seq = (...elements: string[]) => `<xsd:sequence>${elements.join('')}</xsd:sequence>`;
const element = (name: string, ...elements: string[]) => `
      <xsd:element name="${name}"><xsd:complexType>${seq(...elements)}</xsd:complexType></xsd:element>`;
const complex = (name: string, ...elements: string[]) => `
      <xsd:complexType name="${name}">${seq(...elements)}</xsd:complexType>`;
const RET = [el('RetCode', 'xsd:string'), el('RetMsg', 'xsd:string')];

export const CUSTOMER_SERVICE_TYPES = `
      <xsd:simpleType name="KwhText">
        <xsd:annotation><xsd:documentation>kWh as decimal text, e.g. 123.45 (exact, never a float).</xsd:documentation></xsd:annotation>
        <xsd:restriction base="xsd:string"><xsd:pattern value="[0-9]+(\\.[0-9]+)?"/></xsd:restriction>
      </xsd:simpleType>
${complex('BillSummary', el('BillMonth', 'tns:BillMonth'), el('BillFen', 'xsd:long'), el('Kwh', 'tns:KwhText'), el('PaidFen', 'xsd:long'), el('BillStatus', 'xsd:string'), el('IssueDate', 'xsd:string'))}
${complex('BillList', el('Bill', 'tns:BillSummary', ' minOccurs="0" maxOccurs="unbounded"'))}
${complex('Tou', el('TouCode', 'xsd:string'), el('Kwh', 'tns:KwhText'), el('AmtFen', 'xsd:long'))}
${complex('TouList', el('Tou', 'tns:Tou', ' minOccurs="0" maxOccurs="unbounded"'))}
${complex('Charge', el('ItemName', 'xsd:string'), el('AmtFen', 'xsd:long'))}
${complex('ChargeList', el('Charge', 'tns:Charge', ' minOccurs="0" maxOccurs="unbounded"'))}
${complex('Meter', el('MeterNo', 'xsd:string'), el('LastReading', 'tns:KwhText'), el('ThisReading', 'tns:KwhText'))}
${complex('MeterList', el('Meter', 'tns:Meter', ' minOccurs="0" maxOccurs="unbounded"'))}
${complex('Pay', el('Serial', 'xsd:string'), el('PayFen', 'xsd:long'), el('PayTime', 'xsd:string'), el('Channel', 'xsd:string'), el('PayStatus', 'xsd:string'))}
${complex('PayList', el('Pay', 'tns:Pay', ' minOccurs="0" maxOccurs="unbounded"'))}
${element('VerifyHolderRequest', el('ConsNo', 'xsd:string'), opt('ConsName', 'xsd:string'), opt('CertTail', 'xsd:string'))}
${element('VerifyHolderResponse', ...RET, opt('ConsNo', 'xsd:string'), opt('Matched', 'xsd:string'), opt('ConsName', 'xsd:string'))}
${element('QueryBillsRequest', el('ConsNo', 'xsd:string'), el('StartMonth', 'tns:BillMonth'), el('EndMonth', 'tns:BillMonth'))}
${element('QueryBillsResponse', ...RET, opt('ConsNo', 'xsd:string'), opt('BillList', 'tns:BillList'))}
${element('GetBillDetailRequest', el('ConsNo', 'xsd:string'), el('BillMonth', 'tns:BillMonth'))}
${element('GetBillDetailResponse', ...RET, opt('ConsNo', 'xsd:string'), opt('BillMonth', 'tns:BillMonth'), opt('TotalFen', 'xsd:long'), opt('Kwh', 'tns:KwhText'), opt('TouList', 'tns:TouList'), opt('ChargeList', 'tns:ChargeList'), opt('MeterList', 'tns:MeterList'))}
${element('QueryBalanceRequest', el('ConsNo', 'xsd:string'))}
${element('QueryBalanceResponse', ...RET, opt('ConsNo', 'xsd:string'), opt('PayMode', 'xsd:string'), opt('BalanceFen', 'xsd:long'), opt('QueryTime', 'xsd:string'))}
${element('QueryPayHistoryRequest', el('ConsNo', 'xsd:string'), el('StartDate', 'xsd:string'), el('EndDate', 'xsd:string'))}
${element('QueryPayHistoryResponse', ...RET, opt('ConsNo', 'xsd:string'), opt('PayList', 'tns:PayList'))}
${element('CreateWorkOrderRequest', el('Serial', 'xsd:string'), el('OrderType', 'xsd:string'), opt('ConsNo', 'xsd:string'), el('Content', 'xsd:string'), opt('Mobile', 'xsd:string'), el('PhotoCount', 'xsd:int'), opt('Longitude', 'xsd:string'), opt('Latitude', 'xsd:string'))}
${element('CreateWorkOrderResponse', ...RET, opt('OrderNo', 'xsd:string'))}
${element('QueryWorkOrderRequest', el('Serial', 'xsd:string'))}
${element('QueryWorkOrderResponse', ...RET, el('Found', 'xsd:string'), opt('OrderNo', 'xsd:string'), opt('OrderStatus', 'xsd:string'), opt('ReplyContent', 'xsd:string'), opt('UpdateTime', 'xsd:string'))}
${element('SetEBillRequest', el('Serial', 'xsd:string'), el('ConsNo', 'xsd:string'), el('Subscribe', 'xsd:string'), opt('Email', 'xsd:string'))}
${element('SetEBillResponse', ...RET, opt('Subscribed', 'xsd:string'))}
${element('GetEBillRequest', el('ConsNo', 'xsd:string'))}
${element('GetEBillResponse', ...RET, opt('ConsNo', 'xsd:string'), opt('Subscribed', 'xsd:string'), opt('SubscribeTime', 'xsd:string'))}
`;

export const CUSTOMER_SERVICE_MESSAGES = OPERATIONS.map(
  ([op]) => `
  <wsdl:message name="${op}Input"><wsdl:part name="parameters" element="tns:${op}Request"/></wsdl:message>
  <wsdl:message name="${op}Output"><wsdl:part name="parameters" element="tns:${op}Response"/></wsdl:message>`,
).join('');

export const CUSTOMER_SERVICE_PORT_TYPE_AND_BINDING = `
  <wsdl:portType name="CustomerServicePortType">${OPERATIONS.map(
    ([op, doc]) => `
    <wsdl:operation name="${op}">
      <wsdl:documentation>${doc}</wsdl:documentation>
      <wsdl:input message="tns:${op}Input"/>
      <wsdl:output message="tns:${op}Output"/>
    </wsdl:operation>`,
  ).join('')}
  </wsdl:portType>

  <wsdl:binding name="CustomerServiceBinding" type="tns:CustomerServicePortType">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>${OPERATIONS.map(
      ([op]) => `
    <wsdl:operation name="${op}">
      <soap:operation soapAction="${MARKETING_NAMESPACE}/${op}" style="document"/>
      <wsdl:input><soap:body use="literal"/></wsdl:input>
      <wsdl:output><soap:body use="literal"/></wsdl:output>
    </wsdl:operation>`,
    ).join('')}
  </wsdl:binding>
`;

export const CUSTOMER_SERVICE_PORT = `
    <wsdl:port name="CustomerServicePort" binding="tns:CustomerServiceBinding">
      <soap:address location="${CUSTOMER_SERVICE_ENDPOINT_PLACEHOLDER}"/>
    </wsdl:port>`;
