/**
 * The payments a simulated marketing system received, by serial: write-offs
 * (销账) and reversals (冲正). It COUNTS every request per serial and applies a
 * serial at most once, so tests prove "exactly once" from `applied`. Shared by
 * both dialects (each simulator speaks its own codes and money form around it)
 * and, like a real system's database, it can outlive one simulator instance.
 */
import { AccountBook, Allocation } from './account-book';
import { CLOSED_CONS_NO } from './dataset';

/** What tests read of one write-off serial (also served as JSON at GET /sim/ledger). */
export interface WriteOffRecord {
  serial: string;
  accountNo: string;
  amountFen: number;
  /** Requests received with this serial (a resend counts again; a refused one counts too). */
  received: number;
  /** 1 once applied, never more; 0 while refused or not yet applied. */
  applied: number;
  /** Given back by reversals so far. */
  reversedFen: number;
  /** The system's number of the write-off; null until applied. */
  writeOffNo: string | null;
  /** The pay time of the last request, as the system received it (its own format: shows the mapping's date conversion). */
  paidAt: string;
}

export interface ReversalRecord {
  serial: string;
  originalSerial: string;
  accountNo: string;
  amountFen: number;
  received: number;
  applied: number;
}

export interface LedgerSnapshot {
  writeOffs: WriteOffRecord[];
  reversals: ReversalRecord[];
}

export type WriteOffResult =
  | { kind: 'APPLIED'; writeOffNo: string }
  | { kind: 'DUPLICATE'; writeOffNo: string }
  | { kind: 'ACCOUNT_NOT_FOUND' }
  | { kind: 'ACCOUNT_CLOSED' }
  | { kind: 'MORE_THAN_OWED'; owedFen: number };

export type ReversalResult =
  | { kind: 'APPLIED' }
  | { kind: 'DUPLICATE' }
  | { kind: 'ORIGINAL_NOT_FOUND' }
  | { kind: 'MORE_THAN_LEFT'; leftFen: number }
  | { kind: 'NOT_ALLOWED'; why: string };

/** A serial found by QueryPayment: a write-off (REVERSED once nothing of it is left) or a reversal. */
export interface PaymentFound {
  kind: 'WRITE_OFF' | 'REVERSAL';
  status: 'POSTED' | 'REVERSED';
  amountFen: number;
}

interface WriteOffEntry extends WriteOffRecord {
  allocation: Allocation[];
  /** The collection channel as the system received it (A: ALIPAY; YX: ZFB), for the payment history. */
  channel: string;
}

/** An applied write-off as the payment history lists it (paidAt and channel as the system received them). */
export interface PostedWriteOff {
  serial: string;
  amountFen: number;
  paidAt: string;
  channel: string;
  status: 'POSTED' | 'REVERSED';
}

export class PaymentLedger {
  private readonly writeOffBySerial = new Map<string, WriteOffEntry>();
  private readonly reversalBySerial = new Map<string, ReversalRecord>();
  private sequence = 0;

  constructor(readonly accounts: AccountBook = new AccountBook()) {}

  /** Counts one write-off request (before anything is decided, so a request that is refused or answered late counts too). */
  receiveWriteOff(serial: string, accountNo: string, amountFen: number, paidAt: string, channel = ''): void {
    const seen = this.writeOffBySerial.get(serial);
    if (seen) {
      seen.received += 1;
      seen.paidAt = paidAt;
      return;
    }
    this.writeOffBySerial.set(serial, { serial, accountNo, amountFen, received: 1, applied: 0, reversedFen: 0, writeOffNo: null, paidAt, allocation: [], channel });
  }

  /** Applies a received write-off unless its serial was applied before or the account refuses it. */
  applyWriteOff(serial: string, accountNo: string, amountFen: number): WriteOffResult {
    const entry = this.writeOffBySerial.get(serial);
    if (!entry) throw new Error(`write-off ${serial} was not received`);
    if (entry.applied > 0) return { kind: 'DUPLICATE', writeOffNo: entry.writeOffNo! };
    if (!this.accounts.household(accountNo)) return { kind: 'ACCOUNT_NOT_FOUND' };
    if (accountNo === CLOSED_CONS_NO) return { kind: 'ACCOUNT_CLOSED' };
    const owedFen = this.accounts.owedFen(accountNo);
    if (amountFen > owedFen) return { kind: 'MORE_THAN_OWED', owedFen };
    entry.allocation = this.accounts.pay(accountNo, amountFen);
    this.sequence += 1;
    Object.assign(entry, { accountNo, amountFen, applied: 1, writeOffNo: `WO${String(this.sequence).padStart(8, '0')}` });
    return { kind: 'APPLIED', writeOffNo: entry.writeOffNo! };
  }

  receiveReversal(serial: string, originalSerial: string, accountNo: string, amountFen: number): void {
    const seen = this.reversalBySerial.get(serial);
    if (seen) {
      seen.received += 1;
      return;
    }
    this.reversalBySerial.set(serial, { serial, originalSerial, accountNo, amountFen, received: 1, applied: 0 });
  }

  /** Gives back (part of) an applied write-off: its arrears return to the account. */
  applyReversal(serial: string, originalSerial: string, accountNo: string, amountFen: number): ReversalResult {
    const entry = this.reversalBySerial.get(serial);
    if (!entry) throw new Error(`reversal ${serial} was not received`);
    if (entry.applied > 0) return { kind: 'DUPLICATE' };
    const original = this.writeOffBySerial.get(originalSerial);
    if (!original || original.applied === 0) return { kind: 'ORIGINAL_NOT_FOUND' };
    if (original.accountNo !== accountNo) return { kind: 'NOT_ALLOWED', why: `the original was written off on account ${original.accountNo}` };
    const leftFen = original.amountFen - original.reversedFen;
    if (amountFen > leftFen) return { kind: 'MORE_THAN_LEFT', leftFen };
    original.allocation = this.accounts.restore(accountNo, original.allocation, amountFen);
    original.reversedFen += amountFen;
    Object.assign(entry, { originalSerial, accountNo, amountFen, applied: 1 });
    return { kind: 'APPLIED' };
  }

  /** An applied write-off or reversal by its serial; undefined when none was applied. */
  find(serial: string): PaymentFound | undefined {
    const w = this.writeOffBySerial.get(serial);
    if (w && w.applied > 0) return { kind: 'WRITE_OFF', status: w.reversedFen >= w.amountFen ? 'REVERSED' : 'POSTED', amountFen: w.amountFen };
    const r = this.reversalBySerial.get(serial);
    if (r && r.applied > 0) return { kind: 'REVERSAL', status: 'POSTED', amountFen: r.amountFen };
    return undefined;
  }

  /** The applied write-offs of one account, in the order applied. */
  postedWriteOffs(accountNo: string): PostedWriteOff[] {
    return [...this.writeOffBySerial.values()]
      .filter((w) => w.applied > 0 && w.accountNo === accountNo)
      .map((w) => ({ serial: w.serial, amountFen: w.amountFen, paidAt: w.paidAt, channel: w.channel, status: w.reversedFen >= w.amountFen ? 'REVERSED' : 'POSTED' }));
  }

  writeOff(serial: string): WriteOffRecord | undefined {
    const w = this.writeOffBySerial.get(serial);
    return w ? publicWriteOff(w) : undefined;
  }

  writeOffs(): WriteOffRecord[] {
    return [...this.writeOffBySerial.values()].map(publicWriteOff);
  }

  reversals(): ReversalRecord[] {
    return [...this.reversalBySerial.values()].map((r) => ({ ...r }));
  }

  snapshot(): LedgerSnapshot {
    return { writeOffs: this.writeOffs(), reversals: this.reversals() };
  }
}

function publicWriteOff(w: WriteOffEntry): WriteOffRecord {
  const { allocation: _allocation, channel: _channel, ...record } = w;
  return { ...record };
}
