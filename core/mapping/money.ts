/**
 * Money is integer fen inside the bus. Conversions are done on the decimal
 * text, never through floating point, so "0.29" is 29 fen and not 28.999….
 */
const YUAN_TEXT = /^([+-])?(\d+)(?:\.(\d{1,2}))?$/;
const FEN_TEXT = /^[+-]?\d+$/;

export class MoneyFormatError extends Error {
  constructor(readonly value: unknown, readonly expected: string) {
    super(`${JSON.stringify(value)} is not ${expected}`);
    this.name = 'MoneyFormatError';
  }
}

export function yuanToFen(value: unknown): number {
  const text = typeof value === 'number' ? numberToPlainText(value) : typeof value === 'string' ? value.trim() : undefined;
  const m = text === undefined ? null : YUAN_TEXT.exec(text);
  if (!m) throw new MoneyFormatError(value, 'an amount in yuan with at most 2 decimals');
  const fen = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  if (!Number.isSafeInteger(fen)) throw new MoneyFormatError(value, 'an amount within the safe integer range');
  return m[1] === '-' ? -fen : fen;
}

export function fenToInteger(value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'string' && FEN_TEXT.test(value.trim())) {
    const n = Number(value.trim());
    if (Number.isSafeInteger(n)) return n;
  }
  throw new MoneyFormatError(value, 'a whole number of fen');
}

export function fenToYuan(fen: number): string {
  if (!Number.isSafeInteger(fen)) throw new MoneyFormatError(fen, 'a whole number of fen');
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** Numbers such as 123.4 as their shortest decimal text, refusing exponents. */
function numberToPlainText(n: number): string | undefined {
  if (!Number.isFinite(n)) return undefined;
  const text = String(n);
  return /e/i.test(text) ? undefined : text;
}
