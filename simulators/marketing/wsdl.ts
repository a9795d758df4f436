/**
 * The simulator's hand-written WSDL (SOAP 1.1, document/literal). Embedded as
 * text rather than kept as a .wsdl file because tsc does not copy non-TS
 * files to dist; the same module works from ts-node and from dist. Fetch the
 * live copy from <endpoint>?wsdl.
 */
import { MARKETING_NAMESPACE } from './wsdl-namespace';
import {
  CUSTOMER_SERVICE_DOC,
  CUSTOMER_SERVICE_ENDPOINT_PLACEHOLDER,
  CUSTOMER_SERVICE_MESSAGES,
  CUSTOMER_SERVICE_PATH,
  CUSTOMER_SERVICE_PORT,
  CUSTOMER_SERVICE_PORT_TYPE_AND_BINDING,
  CUSTOMER_SERVICE_TYPES,
} from './wsdl-customer-service';

export { MARKETING_NAMESPACE, CUSTOMER_SERVICE_PATH };
export const MARKETING_PATH = '/marketing/soap';

const ENDPOINT_PLACEHOLDER = '__MARKETING_ENDPOINT__';

const WSDL_TEMPLATE = `<?xml version="1.0" encoding="UTF-8"?>
<wsdl:definitions name="MarketingService"
    targetNamespace="${MARKETING_NAMESPACE}"
    xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:xsd="http://www.w3.org/2001/XMLSchema"
    xmlns:tns="${MARKETING_NAMESPACE}">
  <wsdl:documentation>
    Simulated power company marketing/billing system (营销系统) for gridbus tests.
    All amounts are integer fen (1 yuan = 100 fen) as xsd:long.
    TotalFen = sum over ArrearsList/Item of (ArrearsFen + PenaltyFen).
    RetCode: 0000 = success; 1001 = customer not found (no Customer, no ArrearsList).
    Special accounts: ConsNo 9999999999 answers with a SOAP Fault (soap:Server);
    ConsNo 8888888888 answers only after a delay (default 3000 ms).
    FindCustomersByIdentity: the households whose holder has this CertNo (18 characters,
    check digit X in either case) and exactly this ConsName; none found is RetCode 0000
    with an empty CustomerList (the caller may not learn whether the ID number alone matched).
    UpdateArchive: the holder's ID number, mobile and name for one account (archive supplement
    after a binding). Serial is the caller's idempotency key: a Serial processed before answers
    RetCode 2001 and changes nothing; 1001 = customer not found.
    WriteOff (销账): pays PayAmt fen off the arrears of ConsNo, oldest month first, each month's
    penalty first. Serial is applied once: 0000 = applied (WriteOffNo), 2001 = this Serial was
    applied before (WriteOffNo of the original), 3001 = PayAmt is more than owed (penalties
    included), 3002 = account closed (ConsNo 3301000090), 1001 = customer not found.
    QueryPayment: a write-off or reversal by its Serial: Found Y/N; Kind W = write-off,
    R = reversal; Status 1 = posted, 2 = reversed (nothing of the write-off left); Amt in fen.
    ReverseWriteOff (冲正): gives Amt fen of the write-off OrigSerial back to the arrears; partial
    reversals allowed. 0000 = applied, 2001 = this Serial was applied before, 4001 = no write-off
    with OrigSerial, 3001 = Amt is more than is left of it, 4002 = not allowed (ConsNo is not the
    original's account).${CUSTOMER_SERVICE_DOC}
  </wsdl:documentation>

  <wsdl:types>
    <xsd:schema targetNamespace="${MARKETING_NAMESPACE}" elementFormDefault="qualified">

      <xsd:simpleType name="BillMonth">
        <xsd:annotation><xsd:documentation>Billing month as yyyyMM.</xsd:documentation></xsd:annotation>
        <xsd:restriction base="xsd:string"><xsd:pattern value="[0-9]{6}"/></xsd:restriction>
      </xsd:simpleType>

      <xsd:simpleType name="ArrearsStatus">
        <xsd:annotation><xsd:documentation>01 = unpaid, 02 = partly paid.</xsd:documentation></xsd:annotation>
        <xsd:restriction base="xsd:string">
          <xsd:enumeration value="01"/>
          <xsd:enumeration value="02"/>
        </xsd:restriction>
      </xsd:simpleType>

      <xsd:complexType name="CustomerSummary">
        <xsd:sequence>
          <xsd:element name="ConsNo" type="xsd:string"/>
          <xsd:element name="ConsName" type="xsd:string"/>
          <xsd:element name="OrgNo" type="xsd:string"/>
          <xsd:element name="Address" type="xsd:string"/>
        </xsd:sequence>
      </xsd:complexType>

      <xsd:complexType name="CustomerDetail">
        <xsd:sequence>
          <xsd:element name="ConsNo" type="xsd:string"/>
          <xsd:element name="ConsName" type="xsd:string"/>
          <xsd:element name="OrgNo" type="xsd:string"/>
          <xsd:element name="Address" type="xsd:string"/>
          <xsd:element name="Mobile" type="xsd:string"/>
          <xsd:element name="CertNo" type="xsd:string"/>
        </xsd:sequence>
      </xsd:complexType>

      <xsd:complexType name="ArrearsItem">
        <xsd:sequence>
          <xsd:element name="BillMonth" type="tns:BillMonth"/>
          <xsd:element name="ArrearsFen" type="xsd:long">
            <xsd:annotation><xsd:documentation>Amount still owed for the month, in fen.</xsd:documentation></xsd:annotation>
          </xsd:element>
          <xsd:element name="PenaltyFen" type="xsd:long">
            <xsd:annotation><xsd:documentation>Late-payment penalty, in fen.</xsd:documentation></xsd:annotation>
          </xsd:element>
          <xsd:element name="Status" type="tns:ArrearsStatus"/>
        </xsd:sequence>
      </xsd:complexType>

      <xsd:complexType name="ArrearsList">
        <xsd:sequence>
          <xsd:element name="Item" type="tns:ArrearsItem" minOccurs="0" maxOccurs="unbounded"/>
        </xsd:sequence>
      </xsd:complexType>

      <xsd:element name="QueryArrearsRequest">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="ConsNo" type="xsd:string"/>
            <xsd:element name="Channel" type="xsd:string" minOccurs="0"/>
            <xsd:element name="Serial" type="xsd:string" minOccurs="0"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>

      <xsd:element name="QueryArrearsResponse">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="RetCode" type="xsd:string"/>
            <xsd:element name="RetMsg" type="xsd:string"/>
            <xsd:element name="Customer" type="tns:CustomerSummary" minOccurs="0"/>
            <xsd:element name="ArrearsList" type="tns:ArrearsList" minOccurs="0"/>
            <xsd:element name="TotalFen" type="xsd:long" minOccurs="0">
              <xsd:annotation><xsd:documentation>Sum of ArrearsFen + PenaltyFen over all items, in fen; 0 when nothing is owed.</xsd:documentation></xsd:annotation>
            </xsd:element>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>

      <xsd:complexType name="CustomerList">
        <xsd:sequence>
          <xsd:element name="Customer" type="tns:CustomerSummary" minOccurs="0" maxOccurs="unbounded"/>
        </xsd:sequence>
      </xsd:complexType>

      <xsd:element name="FindCustomersByIdentityRequest">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="CertNo" type="xsd:string">
              <xsd:annotation><xsd:documentation>Resident ID number of the account holder (18 characters).</xsd:documentation></xsd:annotation>
            </xsd:element>
            <xsd:element name="ConsName" type="xsd:string">
              <xsd:annotation><xsd:documentation>Name of the account holder; must match the name on record.</xsd:documentation></xsd:annotation>
            </xsd:element>
            <xsd:element name="Channel" type="xsd:string" minOccurs="0"/>
            <xsd:element name="Serial" type="xsd:string" minOccurs="0"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>

      <xsd:element name="FindCustomersByIdentityResponse">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="RetCode" type="xsd:string"/>
            <xsd:element name="RetMsg" type="xsd:string"/>
            <xsd:element name="CustomerList" type="tns:CustomerList" minOccurs="0"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>

      <xsd:element name="GetCustomerRequest">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="ConsNo" type="xsd:string"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>

      <xsd:element name="GetCustomerResponse">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="RetCode" type="xsd:string"/>
            <xsd:element name="RetMsg" type="xsd:string"/>
            <xsd:element name="Customer" type="tns:CustomerDetail" minOccurs="0"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>

      <xsd:element name="UpdateArchiveRequest">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="Serial" type="xsd:string">
              <xsd:annotation><xsd:documentation>Caller's idempotency key; the same Serial is applied once.</xsd:documentation></xsd:annotation>
            </xsd:element>
            <xsd:element name="ConsNo" type="xsd:string"/>
            <xsd:element name="CertNo" type="xsd:string"/>
            <xsd:element name="Mobile" type="xsd:string" minOccurs="0"/>
            <xsd:element name="ConsName" type="xsd:string"/>
            <xsd:element name="Channel" type="xsd:string" minOccurs="0"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>

      <xsd:element name="UpdateArchiveResponse">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="RetCode" type="xsd:string"/>
            <xsd:element name="RetMsg" type="xsd:string"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>

      <xsd:element name="QueryArchiveUpdateRequest">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="Serial" type="xsd:string"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>

      <xsd:element name="QueryArchiveUpdateResponse">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="RetCode" type="xsd:string"/>
            <xsd:element name="RetMsg" type="xsd:string"/>
            <xsd:element name="Found" type="xsd:string"><xsd:annotation><xsd:documentation>Y when this Serial was applied, N when not.</xsd:documentation></xsd:annotation></xsd:element>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>

      <xsd:element name="WriteOffRequest">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="Serial" type="xsd:string">
              <xsd:annotation><xsd:documentation>Caller's payment serial (1-64 characters); the same Serial is applied once.</xsd:documentation></xsd:annotation>
            </xsd:element>
            <xsd:element name="ConsNo" type="xsd:string"/>
            <xsd:element name="PayAmt" type="xsd:long">
              <xsd:annotation><xsd:documentation>Amount paid, in fen, greater than 0.</xsd:documentation></xsd:annotation>
            </xsd:element>
            <xsd:element name="PayTime" type="xsd:string">
              <xsd:annotation><xsd:documentation>When it was paid, local time (Asia/Shanghai) as yyyyMMddHHmmss.</xsd:documentation></xsd:annotation>
            </xsd:element>
            <xsd:element name="Channel" type="xsd:string"/>
            <xsd:element name="ChannelTradeNo" type="xsd:string" minOccurs="0"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>

      <xsd:element name="WriteOffResponse">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="RetCode" type="xsd:string"/>
            <xsd:element name="RetMsg" type="xsd:string"/>
            <xsd:element name="WriteOffNo" type="xsd:string" minOccurs="0"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>

      <xsd:element name="QueryPaymentRequest">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="Serial" type="xsd:string"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>

      <xsd:element name="QueryPaymentResponse">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="RetCode" type="xsd:string"/>
            <xsd:element name="RetMsg" type="xsd:string"/>
            <xsd:element name="Found" type="xsd:string"/>
            <xsd:element name="Kind" type="xsd:string" minOccurs="0"/>
            <xsd:element name="Status" type="xsd:string" minOccurs="0"/>
            <xsd:element name="Amt" type="xsd:long" minOccurs="0"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>

      <xsd:element name="ReverseWriteOffRequest">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="Serial" type="xsd:string"/>
            <xsd:element name="OrigSerial" type="xsd:string"/>
            <xsd:element name="ConsNo" type="xsd:string"/>
            <xsd:element name="Amt" type="xsd:long"/>
            <xsd:element name="Reason" type="xsd:string" minOccurs="0"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>

      <xsd:element name="ReverseWriteOffResponse">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="RetCode" type="xsd:string"/>
            <xsd:element name="RetMsg" type="xsd:string"/>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
${CUSTOMER_SERVICE_TYPES}
    </xsd:schema>
  </wsdl:types>

  <wsdl:message name="QueryArrearsInput">
    <wsdl:part name="parameters" element="tns:QueryArrearsRequest"/>
  </wsdl:message>
  <wsdl:message name="QueryArrearsOutput">
    <wsdl:part name="parameters" element="tns:QueryArrearsResponse"/>
  </wsdl:message>
  <wsdl:message name="GetCustomerInput">
    <wsdl:part name="parameters" element="tns:GetCustomerRequest"/>
  </wsdl:message>
  <wsdl:message name="GetCustomerOutput">
    <wsdl:part name="parameters" element="tns:GetCustomerResponse"/>
  </wsdl:message>

  <wsdl:message name="FindCustomersByIdentityInput">
    <wsdl:part name="parameters" element="tns:FindCustomersByIdentityRequest"/>
  </wsdl:message>
  <wsdl:message name="FindCustomersByIdentityOutput">
    <wsdl:part name="parameters" element="tns:FindCustomersByIdentityResponse"/>
  </wsdl:message>

  <wsdl:message name="UpdateArchiveInput">
    <wsdl:part name="parameters" element="tns:UpdateArchiveRequest"/>
  </wsdl:message>
  <wsdl:message name="UpdateArchiveOutput">
    <wsdl:part name="parameters" element="tns:UpdateArchiveResponse"/>
  </wsdl:message>

  <wsdl:message name="QueryArchiveUpdateInput">
    <wsdl:part name="parameters" element="tns:QueryArchiveUpdateRequest"/>
  </wsdl:message>
  <wsdl:message name="QueryArchiveUpdateOutput">
    <wsdl:part name="parameters" element="tns:QueryArchiveUpdateResponse"/>
  </wsdl:message>

  <wsdl:message name="WriteOffInput">
    <wsdl:part name="parameters" element="tns:WriteOffRequest"/>
  </wsdl:message>
  <wsdl:message name="WriteOffOutput">
    <wsdl:part name="parameters" element="tns:WriteOffResponse"/>
  </wsdl:message>

  <wsdl:message name="QueryPaymentInput">
    <wsdl:part name="parameters" element="tns:QueryPaymentRequest"/>
  </wsdl:message>
  <wsdl:message name="QueryPaymentOutput">
    <wsdl:part name="parameters" element="tns:QueryPaymentResponse"/>
  </wsdl:message>

  <wsdl:message name="ReverseWriteOffInput">
    <wsdl:part name="parameters" element="tns:ReverseWriteOffRequest"/>
  </wsdl:message>
  <wsdl:message name="ReverseWriteOffOutput">
    <wsdl:part name="parameters" element="tns:ReverseWriteOffResponse"/>
  </wsdl:message>
${CUSTOMER_SERVICE_MESSAGES}

  <wsdl:portType name="MarketingPortType">
    <wsdl:operation name="QueryArrears">
      <wsdl:documentation>Arrears (欠费) of one consumer number, month by month.</wsdl:documentation>
      <wsdl:input message="tns:QueryArrearsInput"/>
      <wsdl:output message="tns:QueryArrearsOutput"/>
    </wsdl:operation>
    <wsdl:operation name="GetCustomer">
      <wsdl:documentation>Master data of one consumer number.</wsdl:documentation>
      <wsdl:input message="tns:GetCustomerInput"/>
      <wsdl:output message="tns:GetCustomerOutput"/>
    </wsdl:operation>
    <wsdl:operation name="FindCustomersByIdentity">
      <wsdl:documentation>The consumer numbers of one holder, found by ID number and name (account binding).</wsdl:documentation>
      <wsdl:input message="tns:FindCustomersByIdentityInput"/>
      <wsdl:output message="tns:FindCustomersByIdentityOutput"/>
    </wsdl:operation>
    <wsdl:operation name="UpdateArchive">
      <wsdl:documentation>Archive supplement (ID number, mobile, name) of one consumer number; idempotent by Serial.</wsdl:documentation>
      <wsdl:input message="tns:UpdateArchiveInput"/>
      <wsdl:output message="tns:UpdateArchiveOutput"/>
    </wsdl:operation>
    <wsdl:operation name="QueryArchiveUpdate">
      <wsdl:documentation>Whether an archive update was applied, by its Serial.</wsdl:documentation>
      <wsdl:input message="tns:QueryArchiveUpdateInput"/>
      <wsdl:output message="tns:QueryArchiveUpdateOutput"/>
    </wsdl:operation>
    <wsdl:operation name="WriteOff">
      <wsdl:documentation>Write-off (销账) of a payment against the arrears of one consumer number; idempotent by Serial.</wsdl:documentation>
      <wsdl:input message="tns:WriteOffInput"/>
      <wsdl:output message="tns:WriteOffOutput"/>
    </wsdl:operation>
    <wsdl:operation name="QueryPayment">
      <wsdl:documentation>A write-off or reversal, by its Serial.</wsdl:documentation>
      <wsdl:input message="tns:QueryPaymentInput"/>
      <wsdl:output message="tns:QueryPaymentOutput"/>
    </wsdl:operation>
    <wsdl:operation name="ReverseWriteOff">
      <wsdl:documentation>Reversal (冲正) of (part of) a write-off; idempotent by Serial.</wsdl:documentation>
      <wsdl:input message="tns:ReverseWriteOffInput"/>
      <wsdl:output message="tns:ReverseWriteOffOutput"/>
    </wsdl:operation>
  </wsdl:portType>

  <wsdl:binding name="MarketingBinding" type="tns:MarketingPortType">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="QueryArrears">
      <soap:operation soapAction="${MARKETING_NAMESPACE}/QueryArrears" style="document"/>
      <wsdl:input><soap:body use="literal"/></wsdl:input>
      <wsdl:output><soap:body use="literal"/></wsdl:output>
    </wsdl:operation>
    <wsdl:operation name="GetCustomer">
      <soap:operation soapAction="${MARKETING_NAMESPACE}/GetCustomer" style="document"/>
      <wsdl:input><soap:body use="literal"/></wsdl:input>
      <wsdl:output><soap:body use="literal"/></wsdl:output>
    </wsdl:operation>
    <wsdl:operation name="FindCustomersByIdentity">
      <soap:operation soapAction="${MARKETING_NAMESPACE}/FindCustomersByIdentity" style="document"/>
      <wsdl:input><soap:body use="literal"/></wsdl:input>
      <wsdl:output><soap:body use="literal"/></wsdl:output>
    </wsdl:operation>
    <wsdl:operation name="UpdateArchive">
      <soap:operation soapAction="${MARKETING_NAMESPACE}/UpdateArchive" style="document"/>
      <wsdl:input><soap:body use="literal"/></wsdl:input>
      <wsdl:output><soap:body use="literal"/></wsdl:output>
    </wsdl:operation>
    <wsdl:operation name="QueryArchiveUpdate">
      <soap:operation soapAction="${MARKETING_NAMESPACE}/QueryArchiveUpdate" style="document"/>
      <wsdl:input><soap:body use="literal"/></wsdl:input>
      <wsdl:output><soap:body use="literal"/></wsdl:output>
    </wsdl:operation>
    <wsdl:operation name="WriteOff">
      <soap:operation soapAction="${MARKETING_NAMESPACE}/WriteOff" style="document"/>
      <wsdl:input><soap:body use="literal"/></wsdl:input>
      <wsdl:output><soap:body use="literal"/></wsdl:output>
    </wsdl:operation>
    <wsdl:operation name="QueryPayment">
      <soap:operation soapAction="${MARKETING_NAMESPACE}/QueryPayment" style="document"/>
      <wsdl:input><soap:body use="literal"/></wsdl:input>
      <wsdl:output><soap:body use="literal"/></wsdl:output>
    </wsdl:operation>
    <wsdl:operation name="ReverseWriteOff">
      <soap:operation soapAction="${MARKETING_NAMESPACE}/ReverseWriteOff" style="document"/>
      <wsdl:input><soap:body use="literal"/></wsdl:input>
      <wsdl:output><soap:body use="literal"/></wsdl:output>
    </wsdl:operation>
  </wsdl:binding>
${CUSTOMER_SERVICE_PORT_TYPE_AND_BINDING}
  <wsdl:service name="MarketingService">
    <wsdl:port name="MarketingPort" binding="tns:MarketingBinding">
      <soap:address location="${ENDPOINT_PLACEHOLDER}"/>
    </wsdl:port>${CUSTOMER_SERVICE_PORT}
  </wsdl:service>
</wsdl:definitions>
`;

function escapeXmlAttr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The WSDL with soap:address pointing at `endpoint` (the URL the server really listens on), CustomerServicePort beside it. */
export function renderMarketingWsdl(endpoint: string): string {
  const origin = endpoint.endsWith(MARKETING_PATH) ? endpoint.slice(0, -MARKETING_PATH.length) : new URL(endpoint).origin;
  return WSDL_TEMPLATE.replace(ENDPOINT_PLACEHOLDER, escapeXmlAttr(endpoint)).replace(CUSTOMER_SERVICE_ENDPOINT_PLACEHOLDER, escapeXmlAttr(`${origin}${CUSTOMER_SERVICE_PATH}`));
}
