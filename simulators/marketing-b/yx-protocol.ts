/** What every YX operation shares: result codes, the SOAP envelope and faults, the request and answer headers. */
export const RSP_OK = 'AAAAAAA';
export const RSP_NOT_FOUND = 'E0001';
export const RSP_SYSTEM_ERROR = 'E9999';
/** This BizSeq / ChargeSeq / ReverseSeq was applied before; nothing changed now ("already done"). */
export const RSP_DUPLICATE_SEQ = 'E0002';

/** The calling-system codes YX knows; anything else is refused as a client fault. */
export const KNOWN_SYS_CODES: readonly string[] = ['GRIDBUS'];

/** The SOAP envelope prefix YX answers with (Axis style), and so the prefix of its faultcodes. */
export const ENVELOPE_KEY = 'soapenv';
export const FAULT_SERVER = `${ENVELOPE_KEY}:Server`;
export const FAULT_CLIENT = `${ENVELOPE_KEY}:Client`;
export const MAINTENANCE_FAULTSTRING = 'YX system maintenance';

/**
 * node-soap turns a rejected value with a `Fault` property into a SOAP 1.1
 * Fault; statusCode 500 is what SOAP 1.1 over HTTP requires for one. The
 * faultcode prefix is bound by the envelope (`soapenv`), so YX's faultcodes
 * read `soapenv:Server` / `soapenv:Client`.
 */
export class YxSoapFault extends Error {
  readonly Fault: { faultcode: string; faultstring: string; statusCode: number };

  constructor(faultcode: typeof FAULT_SERVER | typeof FAULT_CLIENT, faultstring: string) {
    super(faultstring);
    this.name = 'YxSoapFault';
    this.Fault = { faultcode, faultstring, statusCode: 500 };
  }
}

export type Obj = Record<string, unknown>;
export const obj = (v: unknown): Obj | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);
export const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '');

/**
 * The header is checked as YX checks it: a request that does not fit is the
 * caller's fault (soapenv:Client), so a request mapping that forgets a header
 * field or writes TransTime in the wrong pattern fails loudly.
 */
export function checkHeader(header: Obj | undefined): string {
  if (!header) throw new YxSoapFault(FAULT_CLIENT, 'ReqHeader is required');
  const sysCode = text(header.SysCode);
  const transSeq = text(header.TransSeq);
  const transTime = text(header.TransTime);
  if (!sysCode) throw new YxSoapFault(FAULT_CLIENT, 'ReqHeader.SysCode is required');
  if (!KNOWN_SYS_CODES.includes(sysCode)) throw new YxSoapFault(FAULT_CLIENT, `ReqHeader.SysCode ${sysCode} is not registered`);
  if (!transSeq || transSeq.length > 64) throw new YxSoapFault(FAULT_CLIENT, 'ReqHeader.TransSeq must be 1-64 characters');
  if (!/^\d{14}$/.test(transTime)) throw new YxSoapFault(FAULT_CLIENT, 'ReqHeader.TransTime must be yyyyMMddHHmmss');
  return transSeq;
}

// Response objects list their keys in schema (xsd:sequence) order: node-soap
// serialises them in insertion order.
export function header(code: string, desc: string, transSeq: string) {
  return { RspCode: code, RspDesc: desc, TransSeq: transSeq };
}

