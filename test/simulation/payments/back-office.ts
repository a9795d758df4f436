/** What the simulated marketing system holds per serial (as the simulators' ledger: it counts). */
export interface LedgerEntry {
  serial: string;
  accountNo: string;
  amountFen: number;
  /** write-off requests received with this serial */
  received: number;
  /** write-offs posted with this serial: exactly once is 1 */
  applied: number;
}

/**
 * The marketing back office: applies a write-off serial once and answers
 * ALREADY_DONE on a repeat (`dedupe: false` is a deliberate bug for the
 * checker's own test: every request posts again), and answers
 * marketing.queryPayment from the same ledger.
 */
export class BackOffice {
  readonly ledger = new Map<string, LedgerEntry>();
  private posted = 0;

  constructor(private readonly dedupe = true) {}

  writeOff(p: { serial: string; accountNo: string; amountFen: number }): { outcome: 'APPLIED' | 'ALREADY_DONE'; writeOffNo: string | null } {
    let e = this.ledger.get(p.serial);
    if (!e) this.ledger.set(p.serial, (e = { serial: p.serial, accountNo: p.accountNo, amountFen: p.amountFen, received: 0, applied: 0 }));
    e.received += 1;
    if (e.applied > 0 && this.dedupe) return { outcome: 'ALREADY_DONE', writeOffNo: null };
    e.applied += 1;
    return { outcome: 'APPLIED', writeOffNo: `WO${++this.posted}` };
  }

  queryPayment(serial: string): { found: boolean; kind: 'WRITE_OFF' | null; status: 'POSTED' | null; amountFen: number | null } {
    const e = this.ledger.get(serial);
    return e && e.applied > 0 ? { found: true, kind: 'WRITE_OFF', status: 'POSTED', amountFen: e.amountFen } : { found: false, kind: null, status: null, amountFen: null };
  }

  appliedFen(): number {
    let sum = 0;
    for (const e of this.ledger.values()) sum += e.applied * e.amountFen;
    return sum;
  }
}
