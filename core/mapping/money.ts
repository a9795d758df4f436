/**
 * Money is integer fen inside the bus. Conversions are done on the decimal
 * text, never through floating point, so "0.29" is 29 fen and not 28.999….
 */
const FEN_TEXT = /^[+-]?\d+$/;

export class MoneyFormatError extends Error {
  constructor(readonly value: unknown, readonly expected: string) {
    super(`${JSON.stringify(value)} is not ${expected}`);
    this.name = 'MoneyFormatError';
  }
}

export function yuanToFen(value: unknown): number {
  const text = typeof value === 'number' ? numberToPlainText(value) : typeof value === 'string' ? value.trim() : undefined;
  const fen = text === undefined ? undefined : parseYuanText(text);
  if (fen === undefined) throw new MoneyFormatError(value, 'an amount in yuan with at most 2 decimals');
  if (!Number.isSafeInteger(fen)) throw new MoneyFormatError(value, 'an amount within the safe integer range');
  return fen;
}

/**
 * `[+-]digits[.d[d]]` to fen by char codes: the same grammar as YUAN_TEXT,
 * without a regex match and Number() calls per amount (this is the hottest
 * conversion of bulk files and bills).
 */
function parseYuanText(text: string): number | undefined {
  const len = text.length;
  let i = 0;
  let sign = 1;
  const first = text.charCodeAt(0);
  if (first === 45 /* - */) {
    sign = -1;
    i = 1;
  } else if (first === 43 /* + */) i = 1;
  let whole = 0;
  let digits = 0;
  for (; i < len; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c === -2 /* . */) break;
    if (c < 0 || c > 9) return undefined;
    whole = whole * 10 + c;
    digits++;
  }
  if (digits === 0) return undefined;
  let fraction = 0;
  if (i < len) {
    const decimals = len - i - 1;
    if (decimals < 1 || decimals > 2) return undefined;
    for (i++; i < len; i++) {
      const c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return undefined;
      fraction = fraction * 10 + c;
    }
    if (decimals === 1) fraction *= 10;
  }
  const fen = whole * 100 + fraction;
  return sign < 0 ? -fen : fen;
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
