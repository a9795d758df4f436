/**
 * Exact kWh arithmetic. Readings are numeric(14,4) in PostgreSQL and reach us
 * as text; they are added and subtracted as integers of 1/10000 kWh (BigInt),
 * never as JS floats, and written back as decimal text ("12.34").
 */
const SCALE_DIGITS = 4;
const SCALE = 10n ** BigInt(SCALE_DIGITS);
const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/** "123.4500" -> 1234500n (units of 0.0001 kWh). Throws on anything that is not a plain decimal of at most 4 decimals. */
export function kwhUnits(text: string): bigint {
  const m = DECIMAL.exec(text.trim());
  if (!m) throw new Error(`not a decimal kWh value: ${JSON.stringify(text)}`);
  const fraction = (m[3] ?? '').replace(/0+$/, '');
  if (fraction.length > SCALE_DIGITS) throw new Error(`kWh value ${text} has more than ${SCALE_DIGITS} decimals`);
  const units = BigInt(m[2]) * SCALE + BigInt(fraction.padEnd(SCALE_DIGITS, '0') || '0');
  return m[1] ? -units : units;
}

/** 1234500n -> "123.45", 70000n -> "7", -5n -> "-0.0005": the shortest exact decimal text. */
export function formatKwh(units: bigint): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const whole = abs / SCALE;
  const fraction = (abs % SCALE).toString().padStart(SCALE_DIGITS, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}
