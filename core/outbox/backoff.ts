/**
 * Delay before the next attempt: base × 2^(attempts-1), capped at max, with
 * "equal jitter" (half fixed, half random) so that rows failing together do
 * not come back together. `random` is injectable for tests.
 */
export function backoffMs(attempts: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, Math.min(attempts - 1, 30)));
  return Math.round(exp / 2 + (exp / 2) * random());
}
