import { createPrivateKey, createPublicKey, createSign, createVerify, KeyObject } from 'crypto';

/**
 * Alipay open-platform signatures (RSA2 = SHA256withRSA, base64), as the
 * official SDKs compute them:
 *
 * - the string to sign is every parameter but the omitted ones, keys sorted
 *   by code unit (ASCII), `k=v` joined with `&`, values as received (not
 *   URL-encoded), empty values left out (Java SDK `getSignContent`);
 * - requests and life-number gateway calls omit only `sign` (`rsaCheckV2`);
 * - asynchronous notifications omit `sign` and `sign_type` (`rsaCheckV1`);
 * - a JSON response is signed over the raw text of its `<method>_response`
 *   (or `error_response`) object, exactly as it appears in the body.
 *
 * Only RSA2 is accepted: a message naming another `sign_type` is refused by
 * the callers before any verification (the npm SDK would switch to SHA-1).
 */
export const RSA2 = 'RSA2';
export const REQUEST_OMIT: readonly string[] = ['sign'];
export const NOTIFY_OMIT: readonly string[] = ['sign', 'sign_type'];

export type SignableParams = Readonly<Record<string, string | null | undefined>>;

export function contentToSign(params: SignableParams, omit: readonly string[] = REQUEST_OMIT): string {
  return Object.keys(params)
    .filter((key) => key !== '' && !omit.includes(key))
    .sort()
    .filter((key) => params[key] !== undefined && params[key] !== null && params[key] !== '')
    .map((key) => `${key}=${params[key]}`)
    .join('&');
}

export type KeyInput = KeyObject | string;

const asPrivate = (key: KeyInput): KeyObject => (typeof key === 'string' ? createPrivateKey(key) : key);
const asPublic = (key: KeyInput): KeyObject => (typeof key === 'string' ? createPublicKey(key) : key);

export function rsa2Sign(content: string, privateKey: KeyInput): string {
  return createSign('RSA-SHA256').update(content, 'utf8').sign(asPrivate(privateKey), 'base64');
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** False, never an exception, for a missing, malformed or wrong signature. */
export function rsa2Verify(content: string, signature: unknown, publicKey: KeyInput): boolean {
  if (typeof signature !== 'string' || !BASE64.test(signature)) return false;
  try {
    return createVerify('RSA-SHA256').update(content, 'utf8').verify(asPublic(publicKey), signature, 'base64');
  } catch {
    return false;
  }
}

export function signParams(params: SignableParams, privateKey: KeyInput, omit: readonly string[] = REQUEST_OMIT): string {
  return rsa2Sign(contentToSign(params, omit), privateKey);
}

export function verifyParams(params: SignableParams, publicKey: KeyInput, omit: readonly string[] = REQUEST_OMIT): boolean {
  return rsa2Verify(contentToSign(params, omit), params.sign, publicKey);
}

/** `alipay.trade.query` → `alipay_trade_query_response`. */
export function responseKeyOf(method: string): string {
  return `${method.replace(/\./g, '_')}_response`;
}

/**
 * The raw JSON text of the object under `key` at the top level of `body`, as
 * sent (the bytes Alipay signed), or null. Scans the JSON rather than
 * searching for `"sign"`, so member order and a `"sign"` inside values do
 * not matter.
 */
export function rawMember(body: string, key: string): string | null {
  let i = skipSpace(body, 0);
  if (body[i] !== '{') return null;
  i++;
  for (;;) {
    i = skipSpace(body, i);
    if (body[i] === '}') return null;
    if (body[i] !== '"') return null;
    const nameEnd = endOfString(body, i);
    if (nameEnd < 0) return null;
    const name = JSON.parse(body.slice(i, nameEnd)) as string;
    i = skipSpace(body, nameEnd);
    if (body[i] !== ':') return null;
    i = skipSpace(body, i + 1);
    const valueEnd = endOfValue(body, i);
    if (valueEnd < 0) return null;
    if (name === key) return body.slice(i, valueEnd);
    i = skipSpace(body, valueEnd);
    if (body[i] === ',') {
      i++;
      continue;
    }
    return null;
  }
}

function skipSpace(s: string, i: number): number {
  while (i < s.length && (s[i] === ' ' || s[i] === '\n' || s[i] === '\r' || s[i] === '\t')) i++;
  return i;
}

/** Index just past the string literal starting at `i`, or -1. */
function endOfString(s: string, i: number): number {
  for (let j = i + 1; j < s.length; j++) {
    if (s[j] === '\\') j++;
    else if (s[j] === '"') return j + 1;
  }
  return -1;
}

/** Index just past the JSON value starting at `i`, or -1. */
function endOfValue(s: string, i: number): number {
  if (s[i] === '"') return endOfString(s, i);
  if (s[i] !== '{' && s[i] !== '[') {
    let j = i;
    while (j < s.length && !',}] \n\r\t'.includes(s[j])) j++;
    return j > i ? j : -1;
  }
  let depth = 0;
  for (let j = i; j < s.length; j++) {
    const c = s[j];
    if (c === '"') {
      j = endOfString(s, j) - 1;
      if (j < 0) return -1;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return j + 1;
    }
  }
  return -1;
}

/** The base64 SPKI text Alipay shows and expects (a PEM body on one line): what `verifygw` publishes. */
export function publicKeyBase64(publicKeyPem: string): string {
  return (createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' }) as Buffer).toString('base64');
}
