import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { PiiCipher } from '../../../../core/crypto';
import type { ClaimedRow, SettleDetail } from '../../../../core/outbox';
import { DeliveryWorker, OperationCaller, OutboxClaims } from '../../../../services/outbox/delivery-worker';

type Status = 'pending' | 'delivering' | 'delivered' | 'dead' | 'unknown';

/** One outbox row in memory with OutboxStore's claim / settle / holdUnknown rules (in_doubt included). */
class OneRow implements OutboxClaims {
  status: Status = 'pending';
  attempts = 0;
  inDoubt = false;
  lastError: string | null = null;

  async claim(): Promise<ClaimedRow[]> {
    if (this.status !== 'pending' && this.status !== 'delivering') return [];
    const outcomeUnknown = this.status === 'delivering';
    this.inDoubt ||= outcomeUnknown;
    this.status = 'delivering';
    this.attempts += 1;
    return [{ id: '1', operation: 'backoffice.post', partitionKey: 'A1', serial: 'S1', payload: { data: { amountFen: 100 }, pii: null }, attempts: this.attempts, outcomeUnknown, inDoubt: this.inDoubt }];
  }

  async settle(row: ClaimedRow, status: 'delivered' | 'pending' | 'dead' | 'unknown', error: string | null, _retryInMs = 0, detail: SettleDetail = {}): Promise<boolean> {
    if (row.attempts !== this.attempts || this.status !== 'delivering') return false;
    this.status = status;
    this.lastError = error ?? this.lastError;
    this.inDoubt ||= detail.inDoubt === true;
    return true;
  }

  async holdUnknown(row: ClaimedRow, error: string): Promise<boolean> {
    if (row.attempts !== this.attempts || this.status !== 'delivering') return false;
    this.lastError = error;
    this.inDoubt = true;
    return true;
  }
}

const timeout = () => Object.assign(new Error('Request is timed out'), { name: 'RequestTimeoutError', type: 'REQUEST_TIMEOUT', retryable: true });
const unavailable = () => Object.assign(new Error('SOAP Server fault'), { name: 'MoleculerRetryableError', type: 'BACKEND_UNAVAILABLE', retryable: true });

/** A back end scripted per call: each entry answers one call of the operation; the settle query always says "not found". */
function scripted(answers: Array<() => Error>): OperationCaller {
  let n = 0;
  return {
    async call(operation) {
      if (operation === 'backoffice.lookup') return { found: false };
      throw (answers[n++] ?? unavailable)();
    },
  };
}

async function runUntilParked(caller: OperationCaller): Promise<OneRow> {
  const row = new OneRow();
  const facts = { defines: async () => true, idempotent: async () => true, settleQuery: async () => 'backoffice.lookup' };
  const log = { info() {}, warn() {}, error() {} };
  const worker = new DeliveryWorker(caller, row, new PiiCipher(randomBytes(32).toString('hex')), facts, { maxAttempts: 3, pollMs: 10, backoffBaseMs: 1, backoffMaxMs: 1, callTimeoutMs: 50, batch: 1 }, log, () => undefined);
  for (let round = 0; round < 10 && (row.status === 'pending' || row.status === 'delivering'); round++) await worker.runRound();
  return row;
}

describe('outbox delivery worker - parking a row whose attempts are used up', () => {
  it('parks it dead when every attempt was refused by a back end that applied nothing', async () => {
    const row = await runUntilParked(scripted([unavailable, unavailable, unavailable]));
    expect(row.status).to.equal('dead');
    expect(row.inDoubt).to.equal(false);
    expect(row.lastError).to.match(/gave up after 3 attempts/);
  });

  it('parks it unknown, never dead, when an earlier attempt timed out, although the settle query said "not found" and the last one was refused', async () => {
    // the timed-out post may still land after the query: a dead row would read "never applied" (a parked payment refunded whole)
    const row = await runUntilParked(scripted([timeout, unavailable, unavailable]));
    expect(row.status).to.equal('unknown');
    expect(row.inDoubt).to.equal(true);
    expect(row.lastError).to.match(/one that timed out may still be applied late/);
  });

  it('parks it unknown when the last attempt timed out', async () => {
    const row = await runUntilParked(scripted([unavailable, unavailable, timeout]));
    expect(row.status).to.equal('unknown');
  });
});
