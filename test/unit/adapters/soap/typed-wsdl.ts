import * as soap from 'soap';

// Every simple type node-soap converts, lists of complex and simple types, an
// optional part and an element whose name is also a message name.
export const NS = 'urn:test:typed';
export const TYPED_WSDL = `<?xml version="1.0" encoding="UTF-8"?>
<wsdl:definitions name="Typed" targetNamespace="${NS}" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:tns="${NS}">
  <wsdl:types>
    <xsd:schema targetNamespace="${NS}" elementFormDefault="qualified">
      <xsd:simpleType name="Code"><xsd:restriction base="xsd:string"><xsd:enumeration value="A"/><xsd:enumeration value="B"/></xsd:restriction></xsd:simpleType>
      <xsd:complexType name="Row">
        <xsd:sequence>
          <xsd:element name="I" type="xsd:int" minOccurs="0"/>
          <xsd:element name="L" type="xsd:long" minOccurs="0"/>
          <xsd:element name="S" type="xsd:short" minOccurs="0"/>
          <xsd:element name="N" type="xsd:integer" minOccurs="0"/>
          <xsd:element name="D" type="xsd:double" minOccurs="0"/>
          <xsd:element name="F" type="xsd:float" minOccurs="0"/>
          <xsd:element name="M" type="xsd:decimal" minOccurs="0"/>
          <xsd:element name="B" type="xsd:boolean" minOccurs="0"/>
          <xsd:element name="T" type="xsd:dateTime" minOccurs="0"/>
          <xsd:element name="Day" type="xsd:date" minOccurs="0"/>
          <xsd:element name="Str" type="xsd:string" minOccurs="0"/>
          <xsd:element name="Code" type="tns:Code" minOccurs="0"/>
          <xsd:element name="Tag" type="xsd:string" minOccurs="0" maxOccurs="unbounded"/>
          <xsd:element name="Num" type="xsd:int" minOccurs="0" maxOccurs="5"/>
        </xsd:sequence>
      </xsd:complexType>
      <xsd:element name="GetRowsRequest"><xsd:complexType><xsd:sequence><xsd:element name="Key" type="xsd:string"/></xsd:sequence></xsd:complexType></xsd:element>
      <xsd:element name="GetRowsResponse">
        <xsd:complexType>
          <xsd:sequence>
            <xsd:element name="Status" type="xsd:string"/>
            <xsd:element name="Count" type="xsd:int"/>
            <xsd:element name="Row" type="tns:Row" minOccurs="0" maxOccurs="unbounded"/>
            <xsd:element name="Single" type="tns:Row" minOccurs="0"/>
            <xsd:element name="Extra" minOccurs="0"><xsd:complexType><xsd:sequence><xsd:element name="Note" type="xsd:string" minOccurs="0"/></xsd:sequence></xsd:complexType></xsd:element>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
    </xsd:schema>
  </wsdl:types>
  <wsdl:message name="GetRowsIn"><wsdl:part name="parameters" element="tns:GetRowsRequest"/></wsdl:message>
  <wsdl:message name="GetRowsOut"><wsdl:part name="parameters" element="tns:GetRowsResponse"/></wsdl:message>
  <wsdl:portType name="TypedPort"><wsdl:operation name="GetRows"><wsdl:input message="tns:GetRowsIn"/><wsdl:output message="tns:GetRowsOut"/></wsdl:operation></wsdl:portType>
  <wsdl:binding name="TypedBinding" type="tns:TypedPort">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="GetRows"><soap:operation soapAction="${NS}/GetRows"/><wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>
  </wsdl:binding>
  <wsdl:service name="TypedService"><wsdl:port name="TypedPort" binding="tns:TypedBinding"><soap:address location="http://127.0.0.1:1/typed"/></wsdl:port></wsdl:service>
</wsdl:definitions>`;

/** A WSDL object as node-soap's client has it (the client sets options such as attributesKey). */
export async function loadWsdl(xml: string): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const wsdl = await new Promise((resolve, reject) => {
    const w = new soap.WSDL(xml, 'http://127.0.0.1:1/typed?wsdl', {});
    w.onReady((err: unknown) => (err ? reject(err) : resolve(w)));
  });
  new soap.Client(wsdl as never);
  return wsdl;
}
