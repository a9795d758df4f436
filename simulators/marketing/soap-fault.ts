/**
 * node-soap turns a thrown/rejected value with a `Fault` property into a
 * SOAP 1.1 Fault. statusCode 500 is what SOAP 1.1 over HTTP requires for a
 * fault (node-soap would otherwise answer 200).
 */
export class SoapFault extends Error {
  readonly Fault: { faultcode: string; faultstring: string; statusCode: number };

  constructor(faultcode: 'soap:Server' | 'soap:Client', faultstring: string) {
    super(faultstring);
    this.name = 'SoapFault';
    this.Fault = { faultcode, faultstring, statusCode: 500 };
  }
}
