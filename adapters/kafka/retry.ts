import { ResolvedRetry } from './options';

/**
 * Backoff before attempt `attempt + 1`, after `attempt` failed attempts:
 * backoffMs, 2×, 4×, … capped at maxBackoffMs, with up to 20 % random jitter
 * taken off so that partitions failing together do not retry in lock-step.
 */
export function backoffDelay(attempt: number, retry: Pick<ResolvedRetry, 'backoffMs' | 'maxBackoffMs'>, random: () => number = Math.random): number {
  const base = Math.min(retry.maxBackoffMs, retry.backoffMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (1 - 0.2 * random()));
}

/** Thrown inside a partition's work when the partition was revoked or the consumer stops. */
export class AbandonedError extends Error {
  constructor() {
    super('partition revoked or consumer stopping: record abandoned, not committed');
    this.name = 'AbandonedError';
  }
}

/**
 * A sleep that a revocation or stop() can cut short: it then rejects with
 * AbandonedError so the record is left uncommitted for the next owner.
 */
export class AbortableSleeper {
  private aborted = false;
  private readonly waiting = new Set<() => void>();

  get isAborted(): boolean {
    return this.aborted;
  }

  sleep(ms: number): Promise<void> {
    if (this.aborted) return Promise.reject(new AbandonedError());
    return new Promise((resolve, reject) => {
      const wake = () => {
        clearTimeout(timer);
        this.waiting.delete(wake);
        reject(new AbandonedError());
      };
      const timer = setTimeout(() => {
        this.waiting.delete(wake);
        resolve();
      }, ms);
      this.waiting.add(wake);
    });
  }

  abort(): void {
    this.aborted = true;
    for (const wake of [...this.waiting]) wake();
  }
}
