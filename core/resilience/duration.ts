/** Longest delay a Node timer can hold (about 24.8 days). */
export const MAX_DURATION_MS = 2_147_483_647;

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** Source of the string form, shared with the JSON Schema fragment. */
export const DURATION_PATTERN = '^([0-9]+(\\.[0-9]+)?)(ms|s|m|h)$';
const DURATION_RE = new RegExp(DURATION_PATTERN);

/**
 * A duration as an operator writes it: '200ms', '3s', '1.5s', '1m', '2h', or
 * a number of milliseconds. Returns whole milliseconds. `where` names the
 * setting in the error message.
 */
export function parseDuration(value: unknown, where = 'duration'): number {
  let ms: number;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw new Error(`${where}: invalid duration ${String(value)} (must be a non-negative number of milliseconds)`);
    ms = value;
  } else if (typeof value === 'string') {
    const m = DURATION_RE.exec(value);
    if (!m) throw new Error(`${where}: invalid duration '${value}' (expected e.g. 200ms, 3s, 1m, 2h or a number of milliseconds)`);
    ms = Number(m[1]) * UNIT_MS[m[3] as keyof typeof UNIT_MS];
  } else {
    throw new Error(`${where}: invalid duration ${JSON.stringify(value) ?? String(value)} (expected e.g. 200ms, 3s, 1m, 2h or a number of milliseconds)`);
  }
  ms = Math.round(ms);
  if (ms > MAX_DURATION_MS) throw new Error(`${where}: duration ${JSON.stringify(value)} is too long (at most ${MAX_DURATION_MS} ms)`);
  return ms;
}
