/**
 * Deterministic reconciliation data for sample files. Record `i` is computed
 * from (seed, i) alone, so a generator can sum the amounts for the header in
 * a first pass and write the lines in a second without holding anything, and
 * a test can compute the canonical record it expects for any line.
 *
 * Names are fictitious; one in 97 contains 𠮷 (U+20BB7, outside the BMP:
 * 4 bytes in UTF-8) to exercise byte widths.
 */

export interface SampleDataOptions {
  /** default 1 */
  seed?: number;
  /** clearing date of the file, yyyy-MM-dd (default 2025-03-15) */
  date?: string;
}

export interface ReconciliationSample {
  index: number;
  /** bank serial, 24 digits, shared by both layouts */
  serial: string;
  /** 户号, 10 digits */
  accountNo: string;
  /** yyyyMM */
  billMonth: string;
  amountFen: number;
  /** yyyyMMdd and HHmmss of the payment (Beijing time) */
  paidDate: string;
  paidTime: string;
  payerName: string;
  bankAccount: string;
  /** the power company's reference */
  utilityRef: string;
  uniqueCode: string;
}

/** The canonical reconciliation detail both layouts map to. */
export interface CanonicalDetail {
  serial: string;
  accountNo: string;
  billMonth: string;
  amountFen: number;
  paidAt: string;
  payerName?: string;
}

export const SAMPLE_BANK_NO = '0102';
export const SAMPLE_COM_NO = '33401010';
export const SAMPLE_BUS_TYPE = '001';
export const SAMPLE_PAY_TYPE = '002';

const SURNAMES = ['张', '王', '李', '赵', '陈', '刘', '杨', '黄', '周', '吴', '徐', '孙', '胡', '朱', '高', '林', '何', '郭', '马', '罗', '欧阳', '司马'];
const HEX = '0123456789abcdef';
const GIVEN = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀英', '霞', '平', '刚', '桂英', '辉', '鑫'];

/** 32-bit hash of (seed, i, k): independent pseudo-random numbers per record and purpose. */
export function mix(seed: number, i: number, k: number): number {
  let h = (seed * 0x9e3779b1) ^ Math.imul(i + 1, 0x85ebca6b) ^ Math.imul(k + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

function digits(n: number, width: number): string {
  const s = String(n);
  return s.length >= width ? s.slice(s.length - width) : s.padStart(width, '0');
}

/** yyyyMMdd of a yyyy-MM-dd date. */
export function compactDate(date: string): string {
  return date.slice(0, 4) + date.slice(5, 7) + date.slice(8, 10);
}

/** Amount of record i alone (the generators sum these for the header). */
export function sampleAmountFen(i: number, seed = 1): number {
  return 100 + (mix(seed, i, 1) % 2_000_000); // 1.00 .. 20,000.99 yuan
}

export function sampleRecord(i: number, options: SampleDataOptions = {}): ReconciliationSample {
  const seed = options.seed ?? 1;
  const date = options.date ?? '2025-03-15';
  const ymd = compactDate(date);
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  const back = mix(seed, i, 2) % 3; // bill of this month or one of the two before
  const bm = month - back;
  const billMonth = bm > 0 ? `${year}${digits(bm, 2)}` : `${year - 1}${digits(bm + 12, 2)}`;
  const secs = mix(seed, i, 3) % 86400;
  const h = mix(seed, i, 4);
  const surname = SURNAMES[h % SURNAMES.length];
  const given = GIVEN[(h >>> 8) % GIVEN.length] + (((h >>> 16) & 1) === 1 ? GIVEN[(h >>> 17) % GIVEN.length] : '');
  const payerName = i % 97 === 13 ? `${surname}𠮷${given}` : surname + given;
  let unique = '';
  for (let k = 0; k < 4; k++) {
    const v = mix(seed, i, 10 + k);
    for (let j = 0; j < 8; j++) unique += HEX[(v >>> (j * 4)) & 15];
  }
  return {
    index: i,
    serial: `${ymd}${digits(seed % 10000, 4)}${digits(i + 1, 12)}`,
    accountNo: `33${digits(mix(seed, i, 5) % 100_000_000, 8)}`,
    billMonth,
    amountFen: sampleAmountFen(i, seed),
    paidDate: ymd,
    paidTime: `${digits(Math.floor(secs / 3600), 2)}${digits(Math.floor(secs / 60) % 60, 2)}${digits(secs % 60, 2)}`,
    payerName,
    bankAccount: `6222${digits(mix(seed, i, 6), 10)}${digits(mix(seed, i, 7) % 100000, 5)}`,
    utilityRef: `U${ymd}${digits(i + 1, 10)}`,
    uniqueCode: unique,
  };
}

/** What a layout's `map:` should make of record i (payerName only where the layout has names). */
export function expectedCanonical(i: number, options: SampleDataOptions = {}, withName = true): CanonicalDetail {
  const r = sampleRecord(i, options);
  const d = r.paidDate;
  const t = r.paidTime;
  const out: CanonicalDetail = {
    serial: r.serial,
    accountNo: r.accountNo,
    billMonth: r.billMonth,
    amountFen: r.amountFen,
    paidAt: `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T${t.slice(0, 2)}:${t.slice(2, 4)}:${t.slice(4, 6)}+08:00`,
  };
  if (withName) out.payerName = r.payerName;
  return out;
}
