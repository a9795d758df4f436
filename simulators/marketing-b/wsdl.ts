/**
 * Simulator B's hand-written WSDL (SOAP 1.1, document/literal). It describes
 * the same arrears as simulator A on purpose differently: another namespace,
 * other service/port/operation names, other field names, deeper nesting,
 * amounts as yuan text and other result codes. Local elements are
 * unqualified (elementFormDefault="unqualified"), as Axis-style stacks
 * generate them. Embedded as text so the module works from ts-node and from
 * dist alike; the live copy is served at <endpoint>?wsdl.
 */
import {
  CUST_SERV_DOC,
  CUST_SERV_ENDPOINT_PLACEHOLDER,
  CUST_SERV_MESSAGES,
  CUST_SERV_PATH,
  CUST_SERV_PORT_TYPE_AND_BINDING,
  CUST_SERV_SERVICE,
  CUST_SERV_TYPES,
} from './wsdl-cust-serv';

export { CUST_SERV_PATH };
export const MARKETING_B_NAMESPACE = 'urn:sgcc:yx:ws';
export const MARKETING_B_PATH = '/yx/services/YxBillingService';

const ENDPOINT_PLACEHOLDER = '__YX_ENDPOINT__';

const WSDL_TEMPLATE = `<?xml version="1.0" encoding="UTF-8"?>
<wsdl:definitions name="YxBillingService"
    targetNamespace="${MARKETING_B_NAMESPACE}"
    xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:xsd="http://www.w3.org/2001/XMLSchema"
    xmlns:yx="${MARKETING_B_NAMESPACE}">
  <wsdl:documentation>
    Simulated marketing system "YX" (营销业务应用系统, second vendor) for gridbus tests.
    Amounts are yuan as decimal text with two decimals ("123.45"), never fen.
    Periods are yyyy-MM. PayState: N = unpaid, P = partly paid.
    TotalAmt = sum over BillList/Bill of (AmtDue + LateFee).
    RspCode: AAAAAAA = success; E0001 = customer not found; E9999 = system error (a normal
    answer, not a fault). Request header problems are soapenv:Client faults.
    Special customers: 9999999999 answers a soapenv:Server fault (system maintenance);
    8888888888 answers only after a delay; 7777777777 answers E9999;
    6666666666 answers AAAAAAA but without CustInfo/Basic/CustNo (a broken answer).
    CustIdentityInquiry: the customers registered under one identity document (IdType 01 =
    resident ID card) with exactly this CustName; none found is RspCode E0001 without RspBody.
    CustArchiveSupplement: identity document, mobile and name of one customer; BizSeq is the
    caller's idempotency key: a BizSeq processed before answers E0002 and changes nothing.
    ChargeWriteOff (缴费销账): ChargeAmt yuan off the customer's bills, oldest period first, each
    period's late fee first. PayDate is local time as yyyy-MM-dd HH:mm:ss; ChannelCode ZFB
    (Alipay), WX (WeChat) or YH (bank). AAAAAAA = applied (RspBody/Receipt/ChargeId);
    E0002 = this ChargeSeq was applied before (no RspBody); E1003 = more than owed (late fees
    included); E1004 = account closed (3301000090); E0001 = customer not found.
    ChargeInquiry: a charge or reversal by its sequence number; E0003 = no such transaction
    (no RspBody). TxnType 01 = charge, 02 = reversal; TxnState 0 = normal, 1 = reversed
    (nothing of the charge left); TxnAmt in yuan.
    ChargeReverse (冲正): ReverseAmt yuan of the charge OrigChargeSeq back to the bills; partial
    reversals allowed. AAAAAAA = applied; E0002 = this ReverseSeq was applied before;
    E1005 = no such charge; E1006 = more than is left of it; E1007 = not allowed (CustNo is
    not the charge's customer).${CUST_SERV_DOC}
  </wsdl:documentation>

  <wsdl:types>
    <xsd:schema targetNamespace="${MARKETING_B_NAMESPACE}" elementFormDefault="unqualified">

      <xsd:simpleType name="CustNo">
        <xsd:restriction base="xsd:string"><xsd:pattern value="[0-9]{10}"/></xsd:restriction>
      </xsd:simpleType>

      <xsd:simpleType name="TransTime">
        <xsd:annotation><xsd:documentation>Local time (Asia/Shanghai) as yyyyMMddHHmmss.</xsd:documentation></xsd:annotation>
        <xsd:restriction base="xsd:string"><xsd:pattern value="[0-9]{14}"/></xsd:restriction>
      </xsd:simpleType>

      <xsd:simpleType name="Period">
        <xsd:annotation><xsd:documentation>Billing period as yyyy-MM.</xsd:documentation></xsd:annotation>
        <xsd:restriction base="xsd:string"><xsd:pattern value="[0-9]{4}-[0-9]{2}"/></xsd:restriction>
      </xsd:simpleType>

      <xsd:simpleType name="YuanAmount">
        <xsd:annotation><xsd:documentation>Yuan as decimal text with exactly two decimals, e.g. 123.45.</xsd:documentation></xsd:annotation>
        <xsd:restriction base="xsd:string"><xsd:pattern value="-?[0-9]+\\.[0-9]{2}"/></xsd:restriction>
      </xsd:simpleType>

      <xsd:simpleType name="PayState">
        <xsd:annotation><xsd:documentation>N = unpaid, P = partly paid.</xsd:documentation></xsd:annotation>
        <xsd:restriction base="xsd:string">
          <xsd:enumeration value="N"/>
          <xsd:enumeration value="P"/>
        </xsd:restriction>
      </xsd:simpleType>

      <xsd:complexType name="ReqHeader">
        <xsd:sequence>
          <xsd:element name="SysCode" type="xsd:string">
            <xsd:annotation><xsd:documentation>Code of the calling system, registered with YX (GRIDBUS).</xsd:documentation></xsd:annotation>
          </xsd:element>
          <xsd:element name="TransSeq" type="xsd:string">
            <xsd:annotation><xsd:documentation>Caller's transaction serial, 1-64 characters; echoed in RspHeader.</xsd:documentation></xsd:annotation>
          </xsd:element>
          <xsd:element name="TransTime" type="yx:TransTime"/>
        </xsd:sequence>
      </xsd:complexType>

      <xsd:complexType name="ArrearsQuery">
        <xsd:sequence>
          <xsd:element name="CustNo" type="yx:CustNo"/>
        </xsd:sequence>
      </xsd:complexType>

      <xsd:complexType name="ReqBody">
        <xsd:sequence>
          <xsd:element name="Query" type="yx:ArrearsQuery"/>
        </xsd:sequence>
      </xsd:complexType>

      <xsd:complexType name="RspHeader">
        <xsd:sequence>
          <xsd:element name="RspCode" type="xsd:string"/>
          <xsd:element name="RspDesc" type="xsd:string"/>
          <xsd:element name="TransSeq" type="xsd:string" minOccurs="0"/>
        </xsd:sequence>
      </xsd:complexType>

      <xsd:complexType name="CustBasic">
        <xsd:sequence>
          <xsd:element name="CustNo" type="yx:CustNo"/>
          <xsd:element name="CustName" type="xsd:string"/>
          <xsd:element name="OrgCode" type="xsd:string" minOccurs="0"/>
        </xsd:sequence>
      </xsd:complexType>

      <xsd:complexType name="CustInfo">
        <xsd:sequence>
          <xsd:element name="Basic" type="yx:CustBasic"/>
        </xsd:sequence>
      </xsd:complexType>

      <xsd:complexType name="Bill">
        <xsd:sequence>
          <xsd:element name="Period" type="yx:Period"/>
          <xsd:element name="AmtDue" type="yx:YuanAmount">
            <xsd:annotation><xsd:documentation>Amount still owed for the period, in yuan.</xsd:documentation></xsd:annotation>
          </xsd:element>
          <xsd:element name="LateFee" type="yx:YuanAmount">
            <xsd:annotation><xsd:documentation>Late-payment fee (违约金), in yuan.</xsd:documentation></xsd:annotation>
          </xsd:element>
          <xsd:element name="PayState" type="yx:PayState"/>
        </xsd:sequence>
      </xsd:complexType>

      <xsd:complexType name="BillList">
        <xsd:sequence>
          <xsd:element name="Bill" type="yx:Bill" minOccurs="0" maxOccurs="unbounded"/>
        </xsd:sequence>
      </xsd:complexType>

      <xsd:complexType name="ArrearsInfo">
        <xsd:sequence>
          <xsd:element name="BillList" type="yx:BillList"/>
          <xsd:element name="TotalAmt" type="yx:YuanAmount">
            <xsd:annotation><xsd:documentation>Sum of AmtDue + LateFee over all bills, in yuan; 0.00 when nothing is owed.</xsd:documentation></xsd:annotation>
          </xsd:element>
        </xsd:sequence>
      </xsd:complexType>

      <xsd:complexType name="RspBody">
        <xsd:sequence>
          <xsd:element name="CustInfo" type="yx:CustInfo"/>
          <xsd:element name="ArrearsInfo" type="yx:ArrearsInfo"/>
        </xsd:sequence>
      </xsd:complexType>

      <xsd:simpleType name="IdType">
        <xsd:annotation><xsd:documentation>01 = resident identity card (the only type YX answers for).</xsd:documentation></xsd:annotation>
        <xsd:restriction base="xsd:string"><xsd:enumeration value="01"/></xsd:restriction>
      </xsd:simpleType>

      <xsd:complexType name="IdentityQuery">
        <xsd:sequence>
          <xsd:element name="IdType" type="yx:IdType"/>
          <xsd:element name="IdNo" type="xsd:string"/>
          <xsd:element name="CustName" type="xsd:string"/>
        </xsd:sequence>
      </xsd:complexType>

      <xsd:complexType name="IdentityReqBody">
        <xsd:sequence>
          <xsd:element name="Query" type="yx:IdentityQuery"/>
        </xsd:sequence>
      </xsd:complexType>

      <xsd:complexType name="CustSummary">
        <xsd:sequence>
          <xsd:element name="CustNo" type="yx:CustNo"/>
          <xsd:element name="CustName" type="xsd:string"/>
          <xsd:element name="OrgCode" type="xsd:string" minOccurs="0"/>
          <xsd:element name="Addr" type="xsd:string" minOccurs="0"/>
        </xsd:sequence>
      </xsd:complexType>

      <xsd:complexType name="CustList">
        <xsd:sequence>
          <xsd:element name="Cust" type="yx:CustSummary" maxOccurs="unbounded"/>
        </xsd:sequence>
      </xsd:complexType>

      <xsd:complexType name="IdentityRspBody">
        <xsd:sequence>
          <xsd:element name="CustList" type="yx:CustList"/>
        </xsd:sequence>
      </xsd:complexType>

      <xsd:element name="CustIdentityInquiryReq">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="ReqHeader" type="yx:ReqHeader"/>
            <xsd:element name="ReqBody" type="yx:IdentityReqBody"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>

      <xsd:element name="CustIdentityInquiryRsp">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="RspHeader" type="yx:RspHeader"/>
            <xsd:element name="RspBody" type="yx:IdentityRspBody" minOccurs="0">
              <xsd:annotation><xsd:documentation>Present only when RspCode is AAAAAAA (at least one customer).</xsd:documentation></xsd:annotation>
            </xsd:element>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>

      <xsd:complexType name="ArchiveSupplement">
        <xsd:sequence>
          <xsd:element name="BizSeq" type="xsd:string">
            <xsd:annotation><xsd:documentation>Caller's idempotency key; the same BizSeq is applied once (E0002 after).</xsd:documentation></xsd:annotation>
          </xsd:element>
          <xsd:element name="CustNo" type="yx:CustNo"/>
          <xsd:element name="IdType" type="yx:IdType"/>
          <xsd:element name="IdNo" type="xsd:string"/>
          <xsd:element name="MobileNo" type="xsd:string" minOccurs="0"/>
          <xsd:element name="CustName" type="xsd:string"/>
        </xsd:sequence>
      </xsd:complexType>

      <xsd:complexType name="ArchiveReqBody">
        <xsd:sequence>
          <xsd:element name="Archive" type="yx:ArchiveSupplement"/>
        </xsd:sequence>
      </xsd:complexType>

      <xsd:element name="CustArchiveSupplementReq">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="ReqHeader" type="yx:ReqHeader"/>
            <xsd:element name="ReqBody" type="yx:ArchiveReqBody"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>

      <xsd:element name="CustArchiveSupplementRsp">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="RspHeader" type="yx:RspHeader"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>

      <xsd:element name="CustArrearsInquiryReq">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="ReqHeader" type="yx:ReqHeader"/>
            <xsd:element name="ReqBody" type="yx:ReqBody"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>

      <xsd:element name="CustArrearsInquiryRsp">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="RspHeader" type="yx:RspHeader"/>
            <xsd:element name="RspBody" type="yx:RspBody" minOccurs="0">
              <xsd:annotation><xsd:documentation>Present only when RspCode is AAAAAAA.</xsd:documentation></xsd:annotation>
            </xsd:element>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>

      <xsd:simpleType name="PayDate">
        <xsd:annotation><xsd:documentation>Local time (Asia/Shanghai) as yyyy-MM-dd HH:mm:ss.</xsd:documentation></xsd:annotation>
        <xsd:restriction base="xsd:string"><xsd:pattern value="[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}"/></xsd:restriction>
      </xsd:simpleType>

      <xsd:simpleType name="ChannelCode">
        <xsd:annotation><xsd:documentation>ZFB = Alipay, WX = WeChat Pay, YH = bank counter.</xsd:documentation></xsd:annotation>
        <xsd:restriction base="xsd:string">
          <xsd:enumeration value="ZFB"/>
          <xsd:enumeration value="WX"/>
          <xsd:enumeration value="YH"/>
        </xsd:restriction>
      </xsd:simpleType>

      <xsd:complexType name="Charge">
        <xsd:sequence>
          <xsd:element name="ChargeSeq" type="xsd:string">
            <xsd:annotation><xsd:documentation>Caller's charge sequence number (1-64 characters); the same ChargeSeq is applied once (E0002 after).</xsd:documentation></xsd:annotation>
          </xsd:element>
          <xsd:element name="CustNo" type="yx:CustNo"/>
          <xsd:element name="ChargeAmt" type="yx:YuanAmount"/>
          <xsd:element name="PayDate" type="yx:PayDate"/>
          <xsd:element name="ChannelCode" type="yx:ChannelCode"/>
          <xsd:element name="ChannelTxnNo" type="xsd:string" minOccurs="0"/>
        </xsd:sequence>
      </xsd:complexType>

      <xsd:complexType name="ChargeReqBody">
        <xsd:sequence>
          <xsd:element name="Charge" type="yx:Charge"/>
        </xsd:sequence>
      </xsd:complexType>

      <xsd:complexType name="Receipt">
        <xsd:sequence>
          <xsd:element name="ChargeId" type="xsd:string"/>
        </xsd:sequence>
      </xsd:complexType>

      <xsd:complexType name="ChargeRspBody">
        <xsd:sequence>
          <xsd:element name="Receipt" type="yx:Receipt"/>
        </xsd:sequence>
      </xsd:complexType>

      <xsd:element name="ChargeWriteOffReq">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="ReqHeader" type="yx:ReqHeader"/>
            <xsd:element name="ReqBody" type="yx:ChargeReqBody"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>

      <xsd:element name="ChargeWriteOffRsp">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="RspHeader" type="yx:RspHeader"/>
            <xsd:element name="RspBody" type="yx:ChargeRspBody" minOccurs="0"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>

      <xsd:complexType name="ChargeQuery">
        <xsd:sequence>
          <xsd:element name="ChargeSeq" type="xsd:string"/>
        </xsd:sequence>
      </xsd:complexType>

      <xsd:complexType name="ChargeQueryReqBody">
        <xsd:sequence>
          <xsd:element name="Query" type="yx:ChargeQuery"/>
        </xsd:sequence>
      </xsd:complexType>

      <xsd:complexType name="Txn">
        <xsd:sequence>
          <xsd:element name="ChargeSeq" type="xsd:string"/>
          <xsd:element name="TxnType" type="xsd:string"/>
          <xsd:element name="TxnState" type="xsd:string"/>
          <xsd:element name="TxnAmt" type="yx:YuanAmount"/>
        </xsd:sequence>
      </xsd:complexType>

      <xsd:complexType name="ChargeQueryRspBody">
        <xsd:sequence>
          <xsd:element name="Txn" type="yx:Txn"/>
        </xsd:sequence>
      </xsd:complexType>

      <xsd:element name="ChargeInquiryReq">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="ReqHeader" type="yx:ReqHeader"/>
            <xsd:element name="ReqBody" type="yx:ChargeQueryReqBody"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>

      <xsd:element name="ChargeInquiryRsp">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="RspHeader" type="yx:RspHeader"/>
            <xsd:element name="RspBody" type="yx:ChargeQueryRspBody" minOccurs="0"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>

      <xsd:complexType name="Reverse">
        <xsd:sequence>
          <xsd:element name="ReverseSeq" type="xsd:string"/>
          <xsd:element name="OrigChargeSeq" type="xsd:string"/>
          <xsd:element name="CustNo" type="yx:CustNo"/>
          <xsd:element name="ReverseAmt" type="yx:YuanAmount"/>
          <xsd:element name="Remark" type="xsd:string" minOccurs="0"/>
        </xsd:sequence>
      </xsd:complexType>

      <xsd:complexType name="ReverseReqBody">
        <xsd:sequence>
          <xsd:element name="Reverse" type="yx:Reverse"/>
        </xsd:sequence>
      </xsd:complexType>

      <xsd:element name="ChargeReverseReq">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="ReqHeader" type="yx:ReqHeader"/>
            <xsd:element name="ReqBody" type="yx:ReverseReqBody"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>

      <xsd:element name="ChargeReverseRsp">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="RspHeader" type="yx:RspHeader"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
${CUST_SERV_TYPES}
    </xsd:schema>
  </wsdl:types>

  <wsdl:message name="CustArrearsInquiryRequest">
    <wsdl:part name="in" element="yx:CustArrearsInquiryReq"/>
  </wsdl:message>
  <wsdl:message name="CustArrearsInquiryResponse">
    <wsdl:part name="out" element="yx:CustArrearsInquiryRsp"/>
  </wsdl:message>

  <wsdl:message name="CustIdentityInquiryRequest">
    <wsdl:part name="in" element="yx:CustIdentityInquiryReq"/>
  </wsdl:message>
  <wsdl:message name="CustIdentityInquiryResponse">
    <wsdl:part name="out" element="yx:CustIdentityInquiryRsp"/>
  </wsdl:message>

  <wsdl:message name="CustArchiveSupplementRequest">
    <wsdl:part name="in" element="yx:CustArchiveSupplementReq"/>
  </wsdl:message>
  <wsdl:message name="CustArchiveSupplementResponse">
    <wsdl:part name="out" element="yx:CustArchiveSupplementRsp"/>
  </wsdl:message>

  <wsdl:message name="ChargeWriteOffRequest">
    <wsdl:part name="in" element="yx:ChargeWriteOffReq"/>
  </wsdl:message>
  <wsdl:message name="ChargeWriteOffResponse">
    <wsdl:part name="out" element="yx:ChargeWriteOffRsp"/>
  </wsdl:message>

  <wsdl:message name="ChargeInquiryRequest">
    <wsdl:part name="in" element="yx:ChargeInquiryReq"/>
  </wsdl:message>
  <wsdl:message name="ChargeInquiryResponse">
    <wsdl:part name="out" element="yx:ChargeInquiryRsp"/>
  </wsdl:message>

  <wsdl:message name="ChargeReverseRequest">
    <wsdl:part name="in" element="yx:ChargeReverseReq"/>
  </wsdl:message>
  <wsdl:message name="ChargeReverseResponse">
    <wsdl:part name="out" element="yx:ChargeReverseRsp"/>
  </wsdl:message>
${CUST_SERV_MESSAGES}

  <wsdl:portType name="YxBillingPortType">
    <wsdl:operation name="CustArrearsInquiry">
      <wsdl:documentation>Arrears (欠费) of one customer, bill by bill.</wsdl:documentation>
      <wsdl:input message="yx:CustArrearsInquiryRequest"/>
      <wsdl:output message="yx:CustArrearsInquiryResponse"/>
    </wsdl:operation>
    <wsdl:operation name="CustIdentityInquiry">
      <wsdl:documentation>Customers (户号) of one holder, by identity document and name.</wsdl:documentation>
      <wsdl:input message="yx:CustIdentityInquiryRequest"/>
      <wsdl:output message="yx:CustIdentityInquiryResponse"/>
    </wsdl:operation>
    <wsdl:operation name="CustArchiveSupplement">
      <wsdl:documentation>Archive supplement (identity document, mobile, name) of one customer; idempotent by BizSeq.</wsdl:documentation>
      <wsdl:input message="yx:CustArchiveSupplementRequest"/>
      <wsdl:output message="yx:CustArchiveSupplementResponse"/>
    </wsdl:operation>
    <wsdl:operation name="ChargeWriteOff">
      <wsdl:documentation>Charge write-off (缴费销账) against the bills of one customer; idempotent by ChargeSeq.</wsdl:documentation>
      <wsdl:input message="yx:ChargeWriteOffRequest"/>
      <wsdl:output message="yx:ChargeWriteOffResponse"/>
    </wsdl:operation>
    <wsdl:operation name="ChargeInquiry">
      <wsdl:documentation>A charge or reversal, by its sequence number.</wsdl:documentation>
      <wsdl:input message="yx:ChargeInquiryRequest"/>
      <wsdl:output message="yx:ChargeInquiryResponse"/>
    </wsdl:operation>
    <wsdl:operation name="ChargeReverse">
      <wsdl:documentation>Reversal (冲正) of (part of) a charge; idempotent by ReverseSeq.</wsdl:documentation>
      <wsdl:input message="yx:ChargeReverseRequest"/>
      <wsdl:output message="yx:ChargeReverseResponse"/>
    </wsdl:operation>
  </wsdl:portType>

  <wsdl:binding name="YxBillingSoapBinding" type="yx:YxBillingPortType">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="CustArrearsInquiry">
      <soap:operation soapAction="urn:sgcc:yx:ws#CustArrearsInquiry" style="document"/>
      <wsdl:input><soap:body use="literal"/></wsdl:input>
      <wsdl:output><soap:body use="literal"/></wsdl:output>
    </wsdl:operation>
    <wsdl:operation name="CustIdentityInquiry">
      <soap:operation soapAction="urn:sgcc:yx:ws#CustIdentityInquiry" style="document"/>
      <wsdl:input><soap:body use="literal"/></wsdl:input>
      <wsdl:output><soap:body use="literal"/></wsdl:output>
    </wsdl:operation>
    <wsdl:operation name="CustArchiveSupplement">
      <soap:operation soapAction="urn:sgcc:yx:ws#CustArchiveSupplement" style="document"/>
      <wsdl:input><soap:body use="literal"/></wsdl:input>
      <wsdl:output><soap:body use="literal"/></wsdl:output>
    </wsdl:operation>
    <wsdl:operation name="ChargeWriteOff">
      <soap:operation soapAction="urn:sgcc:yx:ws#ChargeWriteOff" style="document"/>
      <wsdl:input><soap:body use="literal"/></wsdl:input>
      <wsdl:output><soap:body use="literal"/></wsdl:output>
    </wsdl:operation>
    <wsdl:operation name="ChargeInquiry">
      <soap:operation soapAction="urn:sgcc:yx:ws#ChargeInquiry" style="document"/>
      <wsdl:input><soap:body use="literal"/></wsdl:input>
      <wsdl:output><soap:body use="literal"/></wsdl:output>
    </wsdl:operation>
    <wsdl:operation name="ChargeReverse">
      <soap:operation soapAction="urn:sgcc:yx:ws#ChargeReverse" style="document"/>
      <wsdl:input><soap:body use="literal"/></wsdl:input>
      <wsdl:output><soap:body use="literal"/></wsdl:output>
    </wsdl:operation>
  </wsdl:binding>
${CUST_SERV_PORT_TYPE_AND_BINDING}
  <wsdl:service name="YxBillingService">
    <wsdl:port name="YxBillingSoapPort" binding="yx:YxBillingSoapBinding">
      <soap:address location="${ENDPOINT_PLACEHOLDER}"/>
    </wsdl:port>
  </wsdl:service>
${CUST_SERV_SERVICE}
</wsdl:definitions>
`;

function escapeXmlAttr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The WSDL with soap:address pointing at `endpoint` (the URL the server really listens on), YxCustServService beside it. */
export function renderMarketingBWsdl(endpoint: string): string {
  const origin = endpoint.endsWith(MARKETING_B_PATH) ? endpoint.slice(0, -MARKETING_B_PATH.length) : new URL(endpoint).origin;
  return WSDL_TEMPLATE.replace(ENDPOINT_PLACEHOLDER, escapeXmlAttr(endpoint)).replace(CUST_SERV_ENDPOINT_PLACEHOLDER, escapeXmlAttr(`${origin}${CUST_SERV_PATH}`));
}
