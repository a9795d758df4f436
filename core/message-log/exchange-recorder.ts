import { ExchangeEvent } from '../operations';
import { maskExchange } from './mask-exchange';
import { ExchangeRecord } from './message-log-store';

/** How many exchanges of one operation a node records per second, by kind; 0 = none. */
export interface RecordingRates {
  okPerSecond: number;
  failedPerSecond: number;
}

export const DEFAULT_RECORDING_RATES: RecordingRates = { okPerSecond: 10, failedPerSecond: 100 };

/** A token bucket: up to `perSecond` takes per second, and up to one second's worth at once. */
class Bucket {
  private tokens: number;
  private last: number;

  constructor(private readonly perSecond: number, now: number) {
    this.tokens = perSecond;
    this.last = now;
  }

  take(now: number): boolean {
    if (this.perSecond <= 0) return false;
    if (now > this.last) {
      this.tokens = Math.min(this.perSecond, this.tokens + ((now - this.last) * this.perSecond) / 1000);
      this.last = now;
    }
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/**
 * Decides which exchanges go to the message log: per operation, successes
 * up to `okPerSecond` and failures up to `failedPerSecond`, so a busy
 * operation keeps a steady sample of recent answers (and every failure of a
 * quiet one) without masking, serialising and storing thousands of rows per
 * second that nobody reads. The log serves `dry-run --last N` and the
 * exchanges view: the newest recorded exchanges, not every one.
 */
export class ExchangeSampler {
  private readonly buckets = new Map<string, { ok: Bucket; failed: Bucket }>();

  constructor(private readonly rates: RecordingRates = DEFAULT_RECORDING_RATES, private readonly now: () => number = Date.now) {}

  wants(operation: string, outcome: string): boolean {
    const t = this.now();
    let b = this.buckets.get(operation);
    if (!b) this.buckets.set(operation, (b = { ok: new Bucket(this.rates.okPerSecond, t), failed: new Bucket(this.rates.failedPerSecond, t) }));
    return (outcome === 'ok' ? b.ok : b.failed).take(t);
  }
}

/**
 * The runner's `onExchange` for the message log: samples, masks what is
 * kept and hands it to `send` (the bus event that the mapping service stores).
 */
export function exchangeRecorder(nodeId: string, rates: RecordingRates, send: (record: ExchangeRecord) => void): (e: ExchangeEvent) => void {
  const sampler = new ExchangeSampler(rates);
  return (e) => {
    if (sampler.wants(e.operation, e.outcome)) send(maskExchange(e, nodeId));
  };
}
