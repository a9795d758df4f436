/**
 * The customer-service part of simulator B's WSDL: the service
 * YxCustServService (port YxCustServSoapPort, its own address) with the
 * plates' operations, in YX's style (header, ReqBody/RspBody, yuan text,
 * unqualified local elements). Spliced into wsdl.ts's template.
 */
export const CUST_SERV_PATH = '/yx/services/YxCustServService';
export const CUST_SERV_ENDPOINT_PLACEHOLDER = '__YX_CUST_SERV_ENDPOINT__';
const NS = 'urn:sgcc:yx:ws';

const OPERATIONS: ReadonlyArray<[name: string, doc: string]> = [
  ['CustVerify', 'Whether a name and/or the tail of an identity document are the holder of one customer.'],
  ['BillListInquiry', 'Bills of one customer from BeginPeriod to EndPeriod, newest first.'],
  ['BillDetailInquiry', 'One bill: quantity and amount by time-of-use type, fees, meter readings.'],
  ['AcctBalanceInquiry', 'Balance (prepaid) or deposit (postpaid) of one customer.'],
  ['PayRecordInquiry', 'Payments of one customer from QryBgnDate to QryEndDate, newest first.'],
  ['TicketSubmit', 'A ticket (工单) from a report or a suggestion; idempotent by BizSeq.'],
  ['TicketInquiry', 'A ticket and its handling state, by BizSeq.'],
  ['EBillSubscribe', 'Subscribes to or ends e-bills of one customer; idempotent by BizSeq.'],
  ['EBillInquiry', 'Whether one customer receives e-bills, and since when.'],
];

export const CUST_SERV_DOC = `
    YxCustServService (address ${CUST_SERV_PATH}): the plates' operations.
    CustVerify: AAAAAAA with RspBody/Cust (CustName) when CustName and/or IdNoTail (last 4-6
    characters of the ID number) match; E2001 = does not match (no RspBody); E0001 = no customer.
    BillListInquiry: BillAmt and PaidAmt yuan, ElecQty kWh text, SettleFlag Y = settled, P = partly,
    N = unsettled, IssueDate yyyy-MM-dd; newest first. BillDetailInquiry: TouType 1 = sharp (尖),
    2 = peak (峰), 3 = flat (平), 4 = valley (谷); E3001 = no bill for the period.
    AcctBalanceInquiry: ChargeMode YFF = prepaid (预付费), HFF = postpaid (后付费, Balance is the
    deposit); BalanceTime yyyy-MM-dd HH:mm:ss. PayRecordInquiry: ChannelCode ZFB / WX / YH /
    GT (counter), TxnState 0 = normal, 1 = reversed; charges included.
    TicketSubmit: TicketType QD = illegal use (窃电), JY = suggestion, TS = complaint; AAAAAAA =
    created, E0002 = this BizSeq was processed before; both answer RspBody/Ticket/TicketId.
    TicketInquiry: E0003 = no such ticket (no RspBody); HandleState 0 = accepted, 1 = in progress,
    2 = closed. EBillSubscribe: SubFlag 1 = subscribe, 0 = end; AAAAAAA / E0002; SubState after.
    EBillInquiry: SubState 1/0, SubDate yyyy-MM-dd HH:mm:ss when subscribed.`;

const el = (name: string, type: string, extra = '') => `<xsd:element name="${name}" type="${type}"${extra}/>`;
const opt = (name: string, type: string) => el(name, type, ' minOccurs="0"');
const many = (name: string, type: string) => el(name, type, ' minOccurs="0" maxOccurs="unbounded"');
const complex = (name: string, ...elements: string[]) => `
      <xsd:complexType name="${name}"><xsd:sequence>${elements.join('')}</xsd:sequence></xsd:complexType>`;
/** The request and answer elements of one operation: header + body, header + optional body. */
const envelope = (op: string, reqBody: string, rspBody?: string) => `
      <xsd:element name="${op}Req"><xsd:complexType><xsd:sequence>${el('ReqHeader', 'yx:ReqHeader')}${el('ReqBody', reqBody)}</xsd:sequence></xsd:complexType></xsd:element>
      <xsd:element name="${op}Rsp"><xsd:complexType><xsd:sequence>${el('RspHeader', 'yx:RspHeader')}${rspBody ? opt('RspBody', rspBody) : ''}</xsd:sequence></xsd:complexType></xsd:element>`;

export const CUST_SERV_TYPES = `
      <xsd:simpleType name="CsQty">
        <xsd:annotation><xsd:documentation>kWh as decimal text, e.g. 123.45.</xsd:documentation></xsd:annotation>
        <xsd:restriction base="xsd:string"><xsd:pattern value="[0-9]+(\\.[0-9]+)?"/></xsd:restriction>
      </xsd:simpleType>
${complex('CsVerify', el('CustNo', 'yx:CustNo'), opt('CustName', 'xsd:string'), opt('IdNoTail', 'xsd:string'))}
${complex('CsVerifyReqBody', el('Verify', 'yx:CsVerify'))}
${complex('CsVerifiedCust', el('CustNo', 'yx:CustNo'), el('CustName', 'xsd:string'))}
${complex('CsVerifyRspBody', el('Cust', 'yx:CsVerifiedCust'))}
${envelope('CustVerify', 'yx:CsVerifyReqBody', 'yx:CsVerifyRspBody')}
${complex('CsBillQuery', el('CustNo', 'yx:CustNo'), el('BeginPeriod', 'yx:Period'), el('EndPeriod', 'yx:Period'))}
${complex('CsBillQueryReqBody', el('Query', 'yx:CsBillQuery'))}
${complex('CsBillItem', el('Period', 'yx:Period'), el('BillAmt', 'yx:YuanAmount'), el('ElecQty', 'yx:CsQty'), el('PaidAmt', 'yx:YuanAmount'), el('SettleFlag', 'xsd:string'), el('IssueDate', 'xsd:string'))}
${complex('CsBills', many('BillItem', 'yx:CsBillItem'))}
${complex('CsBillListRspBody', el('CustNo', 'yx:CustNo'), el('Bills', 'yx:CsBills'))}
${envelope('BillListInquiry', 'yx:CsBillQueryReqBody', 'yx:CsBillListRspBody')}
${complex('CsBillDetailQuery', el('CustNo', 'yx:CustNo'), el('Period', 'yx:Period'))}
${complex('CsBillDetailReqBody', el('Query', 'yx:CsBillDetailQuery'))}
${complex('CsBillHead', el('CustNo', 'yx:CustNo'), el('Period', 'yx:Period'), el('TotalAmt', 'yx:YuanAmount'), el('ElecQty', 'yx:CsQty'))}
${complex('CsTouItem', el('TouType', 'xsd:string'), el('Qty', 'yx:CsQty'), el('Amt', 'yx:YuanAmount'))}
${complex('CsTouDetail', many('Item', 'yx:CsTouItem'))}
${complex('CsFee', el('FeeName', 'xsd:string'), el('FeeAmt', 'yx:YuanAmount'))}
${complex('CsFeeDetail', many('Fee', 'yx:CsFee'))}
${complex('CsMeter', el('AssetNo', 'xsd:string'), el('PrevRead', 'yx:CsQty'), el('CurrRead', 'yx:CsQty'))}
${complex('CsReading', many('Meter', 'yx:CsMeter'))}
${complex('CsBillDetail', el('Head', 'yx:CsBillHead'), el('TouDetail', 'yx:CsTouDetail'), el('FeeDetail', 'yx:CsFeeDetail'), opt('Reading', 'yx:CsReading'))}
${complex('CsBillDetailRspBody', el('Bill', 'yx:CsBillDetail'))}
${envelope('BillDetailInquiry', 'yx:CsBillDetailReqBody', 'yx:CsBillDetailRspBody')}
${complex('CsCustQuery', el('CustNo', 'yx:CustNo'))}
${complex('CsCustQueryReqBody', el('Query', 'yx:CsCustQuery'))}
${complex('CsAcct', el('CustNo', 'yx:CustNo'), el('ChargeMode', 'xsd:string'), el('Balance', 'yx:YuanAmount'), el('BalanceTime', 'xsd:string'))}
${complex('CsAcctRspBody', el('Acct', 'yx:CsAcct'))}
${envelope('AcctBalanceInquiry', 'yx:CsCustQueryReqBody', 'yx:CsAcctRspBody')}
${complex('CsPayQuery', el('CustNo', 'yx:CustNo'), el('QryBgnDate', 'xsd:string'), el('QryEndDate', 'xsd:string'))}
${complex('CsPayQueryReqBody', el('Query', 'yx:CsPayQuery'))}
${complex('CsPayRecord', el('ChargeSeq', 'xsd:string'), el('ChargeAmt', 'yx:YuanAmount'), el('PayDate', 'xsd:string'), el('ChannelCode', 'xsd:string'), el('TxnState', 'xsd:string'))}
${complex('CsRecordList', many('Record', 'yx:CsPayRecord'))}
${complex('CsPayRspBody', el('RecordList', 'yx:CsRecordList'))}
${envelope('PayRecordInquiry', 'yx:CsPayQueryReqBody', 'yx:CsPayRspBody')}
${complex('CsGis', el('Lng', 'xsd:string'), el('Lat', 'xsd:string'))}
${complex('CsTicket', el('BizSeq', 'xsd:string'), el('TicketType', 'xsd:string'), opt('CustNo', 'yx:CustNo'), el('Desc', 'xsd:string'), opt('MobileNo', 'xsd:string'), el('AttachNum', 'xsd:int'), opt('Gis', 'yx:CsGis'))}
${complex('CsTicketReqBody', el('Ticket', 'yx:CsTicket'))}
${complex('CsTicketNo', el('TicketId', 'xsd:string'))}
${complex('CsTicketRspBody', el('Ticket', 'yx:CsTicketNo'))}
${envelope('TicketSubmit', 'yx:CsTicketReqBody', 'yx:CsTicketRspBody')}
${complex('CsSeqQuery', el('BizSeq', 'xsd:string'))}
${complex('CsSeqQueryReqBody', el('Query', 'yx:CsSeqQuery'))}
${complex('CsTicketState', el('TicketId', 'xsd:string'), el('HandleState', 'xsd:string'), opt('ReplyMsg', 'xsd:string'), el('LastUpdTime', 'xsd:string'))}
${complex('CsTicketStateRspBody', el('Ticket', 'yx:CsTicketState'))}
${envelope('TicketInquiry', 'yx:CsSeqQueryReqBody', 'yx:CsTicketStateRspBody')}
${complex('CsSub', el('BizSeq', 'xsd:string'), el('CustNo', 'yx:CustNo'), el('SubFlag', 'xsd:string'), opt('MailAddr', 'xsd:string'))}
${complex('CsSubReqBody', el('Sub', 'yx:CsSub'))}
${complex('CsSubState', opt('CustNo', 'yx:CustNo'), el('SubState', 'xsd:string'), opt('SubDate', 'xsd:string'))}
${complex('CsSubRspBody', el('Sub', 'yx:CsSubState'))}
${envelope('EBillSubscribe', 'yx:CsSubReqBody', 'yx:CsSubRspBody')}
${envelope('EBillInquiry', 'yx:CsCustQueryReqBody', 'yx:CsSubRspBody')}
`;

export const CUST_SERV_MESSAGES = OPERATIONS.map(
  ([op]) => `
  <wsdl:message name="${op}Request"><wsdl:part name="in" element="yx:${op}Req"/></wsdl:message>
  <wsdl:message name="${op}Response"><wsdl:part name="out" element="yx:${op}Rsp"/></wsdl:message>`,
).join('');

export const CUST_SERV_PORT_TYPE_AND_BINDING = `
  <wsdl:portType name="YxCustServPortType">${OPERATIONS.map(
    ([op, doc]) => `
    <wsdl:operation name="${op}">
      <wsdl:documentation>${doc}</wsdl:documentation>
      <wsdl:input message="yx:${op}Request"/>
      <wsdl:output message="yx:${op}Response"/>
    </wsdl:operation>`,
  ).join('')}
  </wsdl:portType>

  <wsdl:binding name="YxCustServSoapBinding" type="yx:YxCustServPortType">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>${OPERATIONS.map(
      ([op]) => `
    <wsdl:operation name="${op}">
      <soap:operation soapAction="${NS}#${op}" style="document"/>
      <wsdl:input><soap:body use="literal"/></wsdl:input>
      <wsdl:output><soap:body use="literal"/></wsdl:output>
    </wsdl:operation>`,
    ).join('')}
  </wsdl:binding>
`;

export const CUST_SERV_SERVICE = `
  <wsdl:service name="YxCustServService">
    <wsdl:port name="YxCustServSoapPort" binding="yx:YxCustServSoapBinding">
      <soap:address location="${CUST_SERV_ENDPOINT_PLACEHOLDER}"/>
    </wsdl:port>
  </wsdl:service>`;
