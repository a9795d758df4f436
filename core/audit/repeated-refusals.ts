import { Clock, TimerHandle, realClock } from '../resilience/clock';
import type { AuditEvent } from './audit-writer';

export interface RepeatedRefusalsOptions {
  /** How long repeats of a refusal are folded into one row. Default one minute. */
  windowMs?: number;
  /** A summary row is written at the latest every this many repeats. Default 100. */
  everyN?: number;
  /** The actions folded: refusals of callers that proved nothing yet (bad tokens). Others are written one by one. */
  actions?: readonly string[];
  /** Refusals tracked at once; beyond it the oldest window is closed early (its row written). Default 10,000. */
  maxKeys?: number;
  clock?: Clock;
}

/**
 * Refusals anyone can cause in bulk without proving anything: a rejected
 * access or refresh token. Log-in failures are throttled per account and
 * address instead, and refused Alipay notifications keep a row each (their
 * details name the notification).
 */
export const FOLDED_ACTIONS = ['auth.token.rejected', 'auth.refresh.rejected'];

interface Window {
  startedAt: number;
  firstAt: number;
  /** Repeats since the last row written. */
  count: number;
  last: AuditEvent;
}

/**
 * Folds repeated refusals into few audit rows, so a flood of bad tokens
 * costs a bounded number of writes. A refusal (outcome `denied`, one of
 * `actions`) is keyed
 * by action, actor, source address and reason: the first of a key is
 * written at once (one bad token is still audited immediately); its
 * repeats within `windowMs` are only counted, and written as one row, the
 * last refusal's with `details.count` (how many refusals the row stands
 * for), `firstAt` and `lastAt`, when the window closes or every `everyN`
 * repeats. Memory stays bounded by `maxKeys`.
 */
export class RepeatedRefusals {
  private readonly windows = new Map<string, Window>();
  private readonly windowMs: number;
  private readonly everyN: number;
  private readonly maxKeys: number;
  private readonly actions: ReadonlySet<string>;
  private readonly clock: Clock;
  private timer: TimerHandle | null = null;

  constructor(
    private readonly write: (event: AuditEvent) => Promise<unknown>,
    options: RepeatedRefusalsOptions = {},
  ) {
    this.windowMs = options.windowMs ?? 60_000;
    this.everyN = options.everyN ?? 100;
    this.maxKeys = options.maxKeys ?? 10_000;
    this.actions = new Set(options.actions ?? FOLDED_ACTIONS);
    this.clock = options.clock ?? realClock;
  }

  /** True: write this event now. False: it was counted and will be written with its window's row. */
  admit(event: AuditEvent): boolean {
    if (event.outcome !== 'denied' || !this.actions.has(event.action)) return true;
    const now = this.clock.now();
    this.closeExpired(now);
    const key = [event.action, event.actor, event.sourceIp ?? '', String(event.details?.reason ?? '')].join('\u0000');
    const open = this.windows.get(key);
    if (!open) {
      if (this.windows.size >= this.maxKeys) this.closeWindow(this.windows.keys().next().value as string, now);
      this.windows.set(key, { startedAt: now, firstAt: now, count: 0, last: event });
      this.schedule();
      return true;
    }
    if (open.count === 0) open.firstAt = now;
    open.count++;
    open.last = event;
    if (open.count >= this.everyN) this.emit(open, now);
    return false;
  }

  /** Writes every pending row (on shutdown). */
  async close(): Promise<void> {
    this.timer?.clear();
    this.timer = null;
    const now = this.clock.now();
    const pending = [...this.windows.values()].filter((w) => w.count > 0);
    this.windows.clear();
    await Promise.all(pending.map((w) => this.summary(w, now)));
  }

  /** Refusals tracked now (for tests and metrics). */
  get size(): number {
    return this.windows.size;
  }

  private closeExpired(now: number): void {
    // windows are kept in the order they opened: the expired ones come first
    for (const [key, w] of this.windows) {
      if (now - w.startedAt < this.windowMs) break;
      this.closeWindow(key, now);
    }
  }

  private closeWindow(key: string, now: number): void {
    const w = this.windows.get(key);
    this.windows.delete(key);
    if (w && w.count > 0) this.emit(w, now);
  }

  private emit(w: Window, now: number): void {
    void this.summary(w, now);
    w.count = 0;
  }

  private summary(w: Window, now: number): Promise<unknown> {
    const details = { ...(w.last.details ?? {}), count: w.count, firstAt: new Date(w.firstAt).toISOString(), lastAt: new Date(now).toISOString(), windowS: Math.round(this.windowMs / 1000) };
    return this.write({ ...w.last, details }).catch(() => undefined);
  }

  /** One timer while windows are open, to write the rows of windows nobody hits again. */
  private schedule(): void {
    if (this.timer) return;
    this.timer = this.clock.setTimer(Math.max(1000, Math.round(this.windowMs / 4)), () => {
      this.timer = null;
      this.closeExpired(this.clock.now());
      if (this.windows.size) this.schedule();
    });
  }
}
