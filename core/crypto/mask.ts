/**
 * Masking of personal data for display and log lines. Every masker accepts
 * any string (empty, short, odd) without throwing. Lengths are counted in
 * code points so Chinese characters are never split.
 *
 * Shared rule: at least MIN_MASKED characters are hidden; a value too short
 * to keep its visible ends under that rule is masked entirely.
 */
const MIN_MASKED = 4;

export type Masker = (value: string) => string;

function chars(value: unknown): string[] {
  return Array.from(value == null ? '' : String(value).trim());
}

function maskMiddle(value: string, keepStart: number, keepEnd: number): string {
  const c = chars(value);
  if (c.length < keepStart + keepEnd + MIN_MASKED) return '*'.repeat(c.length);
  return c.slice(0, keepStart).join('') + '*'.repeat(c.length - keepStart - keepEnd) + c.slice(c.length - keepEnd).join('');
}

/**
 * Resident ID: first 4 (province + city) and last 4 (incl. check digit).
 * Many Chinese systems keep the first 6 (full region code); 4 reveals less
 * and still lets staff tell records apart. 18 digits -> 1101**********1234.
 */
export const maskIdNumber: Masker = (v) => maskMiddle(v, 4, 4);

/** Mobile: the usual 3 + 4, 13812345678 -> 138****5678. */
export const maskMobile: Masker = (v) => maskMiddle(v, 3, 4);

/** Bank / electricity account numbers: last 4 only. */
export const maskAccountNo: Masker = (v) => maskMiddle(v, 0, 4);

/**
 * Names: show the first character (normally the surname) and hide the rest,
 * one '*' per character: 张三 -> 张*, 欧阳娜娜 -> 欧***. This is the common
 * practice (e.g. hutool's chineseName); compound surnames are not detected
 * on purpose, it would need a dictionary and reveals more. A one-character
 * name is fully masked.
 */
export const maskName: Masker = (v) => {
  const c = chars(v);
  return c.length <= 1 ? '*'.repeat(c.length) : c[0] + '*'.repeat(c.length - 1);
};

/** Addresses: keep the first 6 characters (province/city), hide the rest behind a fixed '****'. */
export const maskAddress: Masker = (v) => {
  const c = chars(v);
  return c.length <= 6 ? '*'.repeat(c.length) : c.slice(0, 6).join('') + '****';
};

/** E-mail: the first character of the local part and the domain, a.b@example.com -> a***@example.com. */
export const maskEmail: Masker = (v) => {
  const c = chars(v).join('');
  const at = c.lastIndexOf('@');
  if (at <= 0) return '*'.repeat(chars(c).length);
  return `${Array.from(c.slice(0, at))[0]}***${c.slice(at)}`;
};

/** A fragment of an ID number (the last digits a holder check asks for): nothing of it is shown. */
export const maskAll: Masker = (v) => '*'.repeat(chars(v).length);

/** Key (compared without case, '_' or '-') -> masker. Exact key names, not substrings: "serviceName" is not a name. */
export type MaskRules = Readonly<Record<string, Masker>>;

export const DEFAULT_MASK_RULES: MaskRules = {
  idNumber: maskIdNumber, idNo: maskIdNumber, idCard: maskIdNumber, idCardNo: maskIdNumber,
  certNo: maskIdNumber, certNum: maskIdNumber, certificateNo: maskIdNumber,
  mobile: maskMobile, mobileNo: maskMobile, phone: maskMobile, phoneNo: maskMobile, tel: maskMobile, telephone: maskMobile,
  contactMobile: maskMobile, contactPhone: maskMobile, mobilePhone: maskMobile,
  certNoTail: maskAll, certTail: maskAll, idNoTail: maskAll,
  email: maskEmail, eMail: maskEmail, mail: maskEmail, mailAddr: maskEmail, emailAddress: maskEmail,
  name: maskName, userName: maskName, realName: maskName, holderName: maskName, consName: maskName,
  custName: maskName, customerName: maskName, payerName: maskName,
  accountNo: maskAccountNo, acctNo: maskAccountNo, bankAccount: maskAccountNo, bankCardNo: maskAccountNo, cardNo: maskAccountNo,
  address: maskAddress, addr: maskAddress, consAddr: maskAddress,
};

const normaliseKey = (key: string): string => key.replace(/[_-]/g, '').toLowerCase();

function compile(rules: MaskRules): Map<string, Masker> {
  return new Map(Object.entries(rules).map(([k, m]) => [normaliseKey(k), m]));
}

const DEFAULT_COMPILED = compile(DEFAULT_MASK_RULES);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Returns a copy of `value` with values under personal-data keys masked, for
 * log lines. Walks plain objects and arrays only; other objects (Date, Buffer,
 * Error...) are passed through as they are. The input is not modified.
 * Pass rules to replace the defaults, e.g. { ...DEFAULT_MASK_RULES, openId: maskAccountNo }.
 */
export function maskDeep<T>(value: T, rules?: MaskRules): T {
  const compiled = rules ? compile(rules) : DEFAULT_COMPILED;
  return walk(value, undefined, compiled, new WeakSet()) as T;
}

function walk(value: unknown, masker: Masker | undefined, rules: Map<string, Masker>, seen: WeakSet<object>): unknown {
  if (masker && (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint')) {
    return masker(String(value));
  }
  if (Array.isArray(value) || isPlainObject(value)) {
    if (seen.has(value)) return '[Circular]';
    seen.add(value);
    const out: unknown = Array.isArray(value)
      ? value.map((item) => walk(item, masker, rules, seen)) // a list under "mobile" is a list of mobiles
      : Object.fromEntries(
          Object.entries(value).map(([k, v]) => [k, walk(v, rules.get(normaliseKey(k)), rules, seen)]),
        );
    seen.delete(value);
    return out;
  }
  return value;
}
