import { randomInt } from 'crypto';
import { chinaTime } from './signing';

/** One OpenAPI response object, before signing (snake_case, as Alipay sends it). */
export type Payload = Record<string, unknown>;

const MESSAGES: Record<string, string> = {
  '10000': 'Success',
  '20000': 'Service Currently Unavailable',
  '20001': 'Insufficient Token Permissions',
  '40001': 'Missing Required Arguments',
  '40002': 'Invalid Arguments',
  '40004': 'Business Failed',
  '40006': 'Insufficient Permissions',
};

export const ok = (fields: Payload = {}): Payload => ({ code: '10000', msg: 'Success', ...fields });

export const failure = (code: string, subCode: string, subMsg: string, fields: Payload = {}): Payload => ({
  code,
  msg: MESSAGES[code] ?? 'Business Failed',
  sub_code: subCode,
  sub_msg: subMsg,
  ...fields,
});

/** A business answer raised from deep inside a method (bad biz_content, ...). */
export class BizError extends Error {
  constructor(readonly payload: Payload) {
    super(String(payload.sub_code));
  }
}

/** Alipay's `Price`: yuan with at most two decimals. */
export const AMOUNT = /^(0|[1-9]\d{0,8})(\.\d{1,2})?$/;

/** Yuan text (already matching AMOUNT) to integer fen, without floating point. */
export function toFen(yuan: string): number {
  const [whole, decimals = ''] = yuan.split('.');
  return Number(whole) * 100 + Number((decimals + '00').slice(0, 2));
}

/** Integer fen to Alipay's yuan text with two decimals. */
export function toYuan(fen: number): string {
  return `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
}

export function digits(n: number): string {
  let s = '';
  while (s.length < n) s += String(randomInt(0, 10));
  return s;
}

/** `yyyyMMdd` in China Standard Time, as trade and agreement numbers begin. */
export function compactDate(at: Date): string {
  return chinaTime(at).slice(0, 10).replace(/-/g, '');
}

/** A 28-digit trade_no as Alipay makes them (date, 22001, then digits). */
export function newTradeNo(at: Date = new Date()): string {
  return `${compactDate(at)}22001${digits(15)}`;
}

/** The business fields of a call: `biz_content` parsed as a JSON object. */
export function bizContent(params: Record<string, string>): Record<string, unknown> {
  if (!params.biz_content) throw new BizError(failure('40001', 'isv.missing-biz-content', '缺少biz_content参数'));
  try {
    const parsed = JSON.parse(params.biz_content);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new BizError(failure('40002', 'isv.invalid-parameter', 'biz_content不是合法的JSON'));
}

/** A string field of biz_content ('' when absent); numbers are taken as their text. */
export function text(biz: Record<string, unknown>, key: string): string {
  const v = biz[key];
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}
