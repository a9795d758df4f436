/** What a Moleculer context says about its time limit (ctx.options.timeout, ctx.startHrTime). */
export interface TimedContext {
  options?: { timeout?: number | null };
  startHrTime?: [number, number] | null;
}

/** Time kept back from the caller's limit to send the answer back over the transporter. */
export const ANSWER_RESERVE_MAX_MS = 500;

/**
 * The Date.now() time by which an action must answer: the timeout its call
 * carries (the gateway's REQUEST_TIMEOUT_MS, shortened along every hop by
 * Moleculer's distributed timeout) counted from when this action started,
 * less a reserve (a tenth of the limit, at most ANSWER_RESERVE_MAX_MS) to get
 * the answer back before the caller gives up. Undefined without a limit.
 */
export function callDeadline(ctx: TimedContext, now: number = Date.now()): number | undefined {
  const timeout = ctx.options?.timeout;
  if (!timeout || !(timeout > 0)) return undefined;
  let elapsedMs = 0;
  if (ctx.startHrTime) {
    const [s, ns] = process.hrtime(ctx.startHrTime);
    elapsedMs = s * 1000 + ns / 1e6;
  }
  const reserve = Math.min(ANSWER_RESERVE_MAX_MS, timeout / 10);
  return now + (timeout - elapsedMs) - reserve;
}
