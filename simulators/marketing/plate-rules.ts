/** The rules both dialects answer the plates' questions by: whether a holder matches, what of a bill is paid. */
import type { AccountBook } from './account-book';
import type { Household } from './dataset';
import type { Bill } from './plate-dataset';

/**
 * Every piece given must match: the name exactly (trimmed), the ID number's
 * tail (4 to 6 characters, X in either case) its last characters.
 */
export function holderMatches(h: Household, name: string, certTail: string): boolean {
  if (!name && !certTail) return false;
  if (name && name !== h.ConsName.trim()) return false;
  if (certTail && !h.CertNo.toUpperCase().endsWith(certTail.toUpperCase())) return false;
  return true;
}

export type BillStatus = 'PAID' | 'PARTLY_PAID' | 'UNPAID';

/** What of a bill is paid now: the bill less what its month still owes (write-offs through the bus included). */
export function billStatusOf(bill: Bill, accounts: AccountBook): { paidFen: number; status: BillStatus } {
  const owed = accounts.current(bill.consNo)?.arrears.find((a) => a.BillMonth === bill.billMonth)?.ArrearsFen ?? 0;
  const paidFen = bill.amountFen - owed;
  return { paidFen, status: owed === 0 ? 'PAID' : paidFen === 0 ? 'UNPAID' : 'PARTLY_PAID' };
}
