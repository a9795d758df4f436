import { PiiCipher } from '../../core/crypto';
import { backoffMs, ClaimedRow, openPayload, OutboxStore, SettleDetail } from '../../core/outbox';
import { ERROR_CODES } from '../../core/errors/codes';
import { OperationFacts } from './operation-facts';

/** What the worker calls operations through: the broker, or a simulated back office. */
export interface OperationCaller {
  call(operation: string, params: Record<string, unknown>, opts: { timeout: number; retries: number }): Promise<unknown>;
}

/** The outbox table as the worker uses it (OutboxStore, or the simulation's memory). */
export type OutboxClaims = Pick<OutboxStore, 'claim' | 'settle' | 'holdUnknown'>;

/** What the active mapping release says of an operation (OperationFacts, or the simulation's fixed answers). */
export type OperationFactsView = Pick<OperationFacts, 'defines' | 'idempotent' | 'settleQuery'>;

export interface WorkerSettings {
  maxAttempts: number;
  pollMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** How long one call may take (the broker's timeout): the claim's lease is this plus a margin. */
  callTimeoutMs: number;
  batch: number;
}

export type DeliveryOutcome = 'delivered' | 'retry' | 'dead' | 'unknown' | 'lost-claim';

type Log = { info(m: string): void; warn(m: string): void; error(m: string): void };
type CallError = Error & { type?: string; code?: number | string; retryable?: boolean; data?: { operation?: string } };

/** A timeout: the back end may or may not have applied it. */
const UNKNOWN_OUTCOME = new Set(['BACKEND_TIMEOUT', 'REQUEST_TIMEOUT']);

function reasonOf(err: CallError): string {
  return `${err.type ?? err.name}: ${err.message}`.slice(0, 2000);
}

/**
 * Delivers the outbox: claims the heads of the accounts' queues (one row per
 * account at a time, so each account's rows go in order), calls each row's
 * canonical operation through the broker with the row's serial, and settles
 * it: delivered (an "already done" answer is a success of the mapping),
 * retried with backoff and jitter, parked dead (a refusal, an operation no
 * mapping defines, or attempts used up on failures that never applied it),
 * or, on an unknown outcome (a timeout), settled by the mapping's
 * `settle.query` when it names one, else resent only when idempotent and
 * parked unknown otherwise (never resent blindly); attempts used up after a
 * timeout park it unknown, never dead.
 */
export class DeliveryWorker {
  private timer: NodeJS.Timeout | null = null;
  private round: Promise<void> | null = null;
  private stopped = true;

  constructor(
    private readonly broker: OperationCaller,
    private readonly store: OutboxClaims,
    private readonly cipher: PiiCipher,
    private readonly facts: OperationFactsView,
    private readonly settings: WorkerSettings,
    private readonly log: Log,
    private readonly onOutcome: (operation: string, outcome: DeliveryOutcome, reason?: string) => void,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.round?.catch(() => undefined);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.round = this.runRound()
        .then((claimed) => this.schedule(claimed ? 0 : this.settings.pollMs))
        .catch((err: Error) => {
          // the database away (a restart): try again after a poll interval, rows stay where they are
          this.log.warn(`outbox round failed: ${err.message}`);
          this.schedule(this.settings.pollMs);
        });
    }, ms);
  }

  /** One round: claims a batch and settles every row of it; answers how many it claimed. */
  async runRound(): Promise<number> {
    const rows = await this.store.claim(this.settings.batch, this.settings.callTimeoutMs + 5000);
    await Promise.all(rows.map((row) => this.deliver(row)));
    return rows.length;
  }

  private async deliver(row: ClaimedRow): Promise<void> {
    let payload: Record<string, unknown>;
    try {
      payload = openPayload(this.cipher, row.payload);
    } catch (err) {
      return this.settle(row, 'dead', `payload cannot be read with this node's PII key: ${(err as Error).message}`);
    }
    if (row.outcomeUnknown) {
      const query = await this.facts.settleQuery(row.operation);
      if (query) {
        const settled = await this.settleByQuery(row, query, 'the previous attempt timed out or its node stopped mid-call');
        if (settled !== 'resend') return;
      }
    }
    if (row.outcomeUnknown && !(await this.facts.settleQuery(row.operation)) && !(await this.facts.idempotent(row.operation))) {
      // the node that claimed it died mid-call: it may have been applied
      return this.settle(row, 'unknown', `outcome unknown (the delivering node stopped mid-call) and ${row.operation} is not idempotent: check the back end, then replay or discard`);
    }
    try {
      const answer = await this.broker.call(row.operation, { ...payload, serial: row.serial }, { timeout: this.settings.callTimeoutMs, retries: 0 });
      return this.settle(row, 'delivered', null, 0, { answer });
    } catch (e) {
      const err = e as CallError;
      const type = err.type ?? err.name;
      const gone = type === 'NOT_FOUND' && err.data?.operation === row.operation;
      if (gone || ((err.name === 'ServiceNotFoundError' || err.name === 'ServiceNotAvailableError') && (await this.facts.defines(row.operation)) === false)) {
        // removed from the mapping: parked with the reason, kept for a replay once a release defines it again
        return this.settle(row, 'dead', `no mapping defines the operation ${row.operation} (${reasonOf(err)})`);
      }
      if (UNKNOWN_OUTCOME.has(type) || err.name === 'RequestTimeoutError') {
        const query = await this.facts.settleQuery(row.operation);
        if (query) {
          const settled = await this.settleByQuery(row, query, reasonOf(err));
          if (settled === 'resend') return this.retryOrPark(row, `${reasonOf(err)} (outcome unknown; ${query} says it was not applied: resent)`, { resent: true, uncertain: true });
          return;
        }
        if (!(await this.facts.idempotent(row.operation))) {
          return this.settle(row, 'unknown', `outcome unknown (${reasonOf(err)}) and ${row.operation} is not idempotent: check the back end, then replay or discard`);
        }
        return this.retryOrPark(row, `${reasonOf(err)} (outcome unknown; resent with the same serial: the operation is idempotent)`, { uncertain: true });
      }
      const known = (ERROR_CODES as Record<string, { retryable: boolean } | undefined>)[type];
      const retryable = err.name === 'ServiceNotFoundError' || err.name === 'ServiceNotAvailableError' || (err.retryable ?? known?.retryable ?? true);
      if (!retryable) return this.settle(row, 'dead', `refused: ${reasonOf(err)}`);
      return this.retryOrPark(row, reasonOf(err));
    }
  }

  /**
   * An unknown outcome settled by the mapping's query: found → delivered;
   * not found → 'resend' (the back end never applied it); the query failing →
   * the outcome stays unknown and the query is tried again after a backoff
   * (parked `unknown` once attempts are used up), never a blind resend.
   */
  private async settleByQuery(row: ClaimedRow, query: string, why: string): Promise<'settled' | 'resend'> {
    // the outcome is unknown from now until the query answers: recorded (a payment order shows SUSPECT), the claim's lease renewed for the query
    if (!(await this.store.holdUnknown(row, `outcome unknown (${why}); asking ${query}`, this.settings.callTimeoutMs + 5000))) {
      this.onOutcome(row.operation, 'lost-claim');
      return 'settled';
    }
    let found: unknown;
    try {
      const answer = (await this.broker.call(query, { serial: row.serial }, { timeout: this.settings.callTimeoutMs, retries: 0 })) as { found?: unknown };
      found = answer?.found;
      if (typeof found !== 'boolean') throw new Error(`answered no boolean found (${JSON.stringify(answer)})`);
    } catch (e) {
      const reason = `outcome unknown (${why}); settle query ${query} failed: ${reasonOf(e as CallError)}`;
      if (row.attempts >= this.settings.maxAttempts) {
        await this.settle(row, 'unknown', `${reason} (gave up querying after ${row.attempts} attempts): check the back end, then replay or discard`);
      } else {
        const held = await this.store.holdUnknown(row, reason, backoffMs(row.attempts, this.settings.backoffBaseMs, this.settings.backoffMaxMs));
        this.onOutcome(row.operation, held ? 'retry' : 'lost-claim', reason);
      }
      return 'settled';
    }
    if (found === true) {
      await this.settle(row, 'delivered', null);
      return 'settled';
    }
    return 'resend';
  }

  /**
   * Another attempt after a backoff, or, with attempts used up, parked: `dead`
   * when the last attempt was refused or never reached the back end, but
   * `unknown` when it timed out. A request that timed out may still be applied
   * late, even after a settle query said "not found": a dead row reads as
   * "never applied" (a parked payment may be refunded whole), an unknown one
   * only as "replay or check".
   */
  private retryOrPark(row: ClaimedRow, reason: string, opts: { resent?: boolean; uncertain?: boolean } = {}): Promise<void> {
    if (row.attempts >= this.settings.maxAttempts) {
      if (opts.uncertain || row.inDoubt) return this.settle(row, 'unknown', `${reason} (gave up after ${row.attempts} attempts; one that timed out may still be applied late: check the back end, then replay or discard)`);
      return this.settle(row, 'dead', `${reason} (gave up after ${row.attempts} attempts)`);
    }
    return this.settle(row, 'pending', reason, backoffMs(row.attempts, this.settings.backoffBaseMs, this.settings.backoffMaxMs), { resent: opts.resent ?? false, inDoubt: opts.uncertain ?? false });
  }

  private async settle(row: ClaimedRow, status: 'delivered' | 'pending' | 'dead' | 'unknown', reason: string | null, retryInMs = 0, detail: SettleDetail = {}): Promise<void> {
    const held = await this.store.settle(row, status, reason, retryInMs, detail);
    const outcome: DeliveryOutcome = !held ? 'lost-claim' : status === 'pending' ? 'retry' : status;
    this.onOutcome(row.operation, outcome, reason ?? undefined);
    if (!held) this.log.warn(`outbox row ${row.id}: claim expired before it settled (${status}); another node owns it now`);
    else if (status === 'dead' || status === 'unknown') this.log.error(`outbox row ${row.id} (${row.operation}) parked ${status}: ${reason}`);
  }
}
