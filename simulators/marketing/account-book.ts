import { ArrearsItem, CLOSED_HOUSEHOLD, HOUSEHOLDS, Household } from './dataset';

/** One month of an account as the simulator holds it now: what is still owed. */
interface OpenMonth {
  readonly original: ArrearsItem;
  arrearsFen: number;
  penaltyFen: number;
}

/** What one write-off took from which month, so that a reversal gives exactly that back. */
export interface Allocation {
  billMonth: string;
  arrearsFen: number;
  penaltyFen: number;
}

/**
 * The arrears of one simulator instance, starting from the dataset and
 * changed by write-offs and reversals. Per instance, never the shared
 * dataset: several simulators run in one test process, and tests compute
 * their expectations from the untouched dataset.
 */
export class AccountBook {
  private readonly months = new Map<string, OpenMonth[]>();

  constructor(private readonly households: readonly Household[] = [...HOUSEHOLDS, CLOSED_HOUSEHOLD]) {
    for (const h of households) {
      const sorted = [...h.arrears].sort((a, b) => a.BillMonth.localeCompare(b.BillMonth));
      this.months.set(h.ConsNo, sorted.map((i) => ({ original: i, arrearsFen: i.ArrearsFen, penaltyFen: i.PenaltyFen })));
    }
  }

  household(consNo: string): Household | undefined {
    return this.households.find((h) => h.ConsNo === consNo);
  }

  /** The household with its arrears as they are now (fully paid months left out; a month partly paid is status 02). */
  current(consNo: string): Household | undefined {
    const h = this.household(consNo);
    if (!h) return undefined;
    const arrears = (this.months.get(consNo) ?? [])
      .filter((m) => m.arrearsFen + m.penaltyFen > 0)
      .map((m): ArrearsItem => {
        const untouched = m.arrearsFen === m.original.ArrearsFen && m.penaltyFen === m.original.PenaltyFen;
        return { BillMonth: m.original.BillMonth, ArrearsFen: m.arrearsFen, PenaltyFen: m.penaltyFen, Status: untouched ? m.original.Status : '02' };
      });
    return { ...h, arrears };
  }

  /** Everything owed now, penalties included. */
  owedFen(consNo: string): number {
    return (this.months.get(consNo) ?? []).reduce((s, m) => s + m.arrearsFen + m.penaltyFen, 0);
  }

  /** Takes `fen` off the arrears, oldest month first, each month's penalty before its amount. The caller checked fen ≤ owedFen. */
  pay(consNo: string, fen: number): Allocation[] {
    let left = fen;
    const taken: Allocation[] = [];
    for (const m of this.months.get(consNo) ?? []) {
      if (left === 0) break;
      const penalty = Math.min(left, m.penaltyFen);
      left -= penalty;
      const arrears = Math.min(left, m.arrearsFen);
      left -= arrears;
      if (penalty + arrears === 0) continue;
      m.penaltyFen -= penalty;
      m.arrearsFen -= arrears;
      taken.push({ billMonth: m.original.BillMonth, arrearsFen: arrears, penaltyFen: penalty });
    }
    if (left !== 0) throw new Error(`pay ${fen} fen on ${consNo}: more than owed`);
    return taken;
  }

  /**
   * Gives `fen` of a write-off back, undoing its allocation from the last
   * part taken (amount before penalty, newest month first). Returns what is
   * left of the allocation.
   */
  restore(consNo: string, allocation: Allocation[], fen: number): Allocation[] {
    const left = allocation.map((a) => ({ ...a }));
    let rest = fen;
    for (let i = left.length - 1; i >= 0 && rest > 0; i--) {
      const a = left[i];
      const m = (this.months.get(consNo) ?? []).find((x) => x.original.BillMonth === a.billMonth);
      if (!m) continue;
      const arrears = Math.min(rest, a.arrearsFen);
      rest -= arrears;
      const penalty = Math.min(rest, a.penaltyFen);
      rest -= penalty;
      a.arrearsFen -= arrears;
      a.penaltyFen -= penalty;
      m.arrearsFen += arrears;
      m.penaltyFen += penalty;
    }
    if (rest !== 0) throw new Error(`restore ${fen} fen on ${consNo}: more than the write-off took`);
    return left.filter((a) => a.arrearsFen + a.penaltyFen > 0);
  }
}
