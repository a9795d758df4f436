/**
 * E-bill subscriptions (电子账单) of a simulated marketing system: who is
 * subscribed since when, and the change requests applied, by the caller's
 * serial (a repeat changes nothing). Starts from plate-dataset.ts; shared by
 * both dialects, per simulator instance.
 */
import { EBILL_SUBSCRIBED } from './plate-dataset';

export interface EBillState {
  subscribed: boolean;
  /** Local time (Asia/Shanghai) yyyyMMddHHmmss of the subscription; null when not subscribed. */
  since: string | null;
  email: string | null;
}

export class EBillBook {
  private readonly byAccount = new Map<string, EBillState>();
  private readonly applied = new Map<string, { consNo: string; received: number }>();

  constructor() {
    for (const [consNo, since] of Object.entries(EBILL_SUBSCRIBED)) this.byAccount.set(consNo, { subscribed: true, since, email: null });
  }

  state(consNo: string): EBillState {
    return { ...(this.byAccount.get(consNo) ?? { subscribed: false, since: null, email: null }) };
  }

  /** Applies a change once per serial; `stamp` is the system's local time now. Subscribing again keeps the first date. */
  apply(serial: string, consNo: string, subscribe: boolean, email: string | null, stamp: string): { applied: boolean; state: EBillState } {
    const seen = this.applied.get(serial);
    if (seen) {
      seen.received += 1;
      return { applied: false, state: this.state(seen.consNo) };
    }
    this.applied.set(serial, { consNo, received: 1 });
    const now = this.state(consNo);
    const next: EBillState = subscribe
      ? { subscribed: true, since: now.subscribed ? now.since : stamp, email: email ?? now.email }
      : { subscribed: false, since: null, email: null };
    this.byAccount.set(consNo, next);
    return { applied: true, state: { ...next } };
  }

  /** How many requests a serial had (0: never seen). */
  received(serial: string): number {
    return this.applied.get(serial)?.received ?? 0;
  }
}
