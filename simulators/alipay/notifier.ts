/**
 * Alipay's asynchronous notification delivery: a form-encoded POST to the
 * merchant's notify_url, repeated until the answer body is exactly
 * `success`. Alipay's own schedule after the first attempt is 4m, 10m, 10m,
 * 1h, 2h, 6h, 15h (8 attempts within about 25 h); tests pass a short one.
 */
export const ALIPAY_NOTIFY_RETRY_DELAYS_MS: readonly number[] = [4, 10, 10, 60, 120, 360, 900].map((m) => m * 60_000);

export interface NotifyAttempt {
  at: string;
  status: number | null;
  body: string | null;
  error: string | null;
}

export interface NotifyOutcome {
  acknowledged: boolean;
  attempts: NotifyAttempt[];
  /** The simulator was closed before the schedule ended. */
  cancelled: boolean;
}

export interface NotifyDelivery {
  notifyId: string;
  url: string;
  fields: Readonly<Record<string, string>>;
  /** Live list, grows with each attempt. */
  attempts: readonly NotifyAttempt[];
  done: Promise<NotifyOutcome>;
}

export class Notifier {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly pending = new Set<() => void>();
  private closed = false;
  readonly deliveries: NotifyDelivery[] = [];

  constructor(
    private readonly delaysMs: readonly number[],
    private readonly timeoutMs: number,
  ) {}

  deliver(url: string, fields: Record<string, string>): NotifyDelivery {
    const attempts: NotifyAttempt[] = [];
    let settle!: (outcome: NotifyOutcome) => void;
    const done = new Promise<NotifyOutcome>((resolve) => (settle = resolve));
    const cancel = () => settle({ acknowledged: false, attempts, cancelled: true });
    this.pending.add(cancel);
    const finish = (acknowledged: boolean) => {
      this.pending.delete(cancel);
      settle({ acknowledged, attempts, cancelled: false });
    };
    const body = new URLSearchParams(fields).toString();

    const attempt = async (index: number): Promise<void> => {
      if (this.closed) return;
      const record: NotifyAttempt = { at: new Date().toISOString(), status: null, body: null, error: null };
      attempts.push(record);
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
          body,
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        record.status = res.status;
        record.body = await res.text();
      } catch (err) {
        record.error = (err as Error).message;
      }
      if (this.closed) return;
      // Exactly `success`: "SUCCESS", "success\n" or a JSON body are not an acknowledgement.
      if (record.body === 'success') return finish(true);
      if (index >= this.delaysMs.length) return finish(false);
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        void attempt(index + 1);
      }, this.delaysMs[index]);
      timer.unref();
      this.timers.add(timer);
    };

    const delivery: NotifyDelivery = { notifyId: fields.notify_id, url, fields: { ...fields }, attempts, done };
    this.deliveries.push(delivery);
    void attempt(0);
    return delivery;
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const cancel of this.pending) cancel();
    this.pending.clear();
  }
}
