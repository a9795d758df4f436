/**
 * Simulator B serves the very households of simulator A
 * (simulators/marketing/dataset.ts: same people, same amounts), only seen
 * through the YX system's eyes: periods as yyyy-MM, amounts as yuan text,
 * pay states N/P. Tests compute expected answers from the one dataset in A.
 */
import { ArrearsStatus, HOUSEHOLDS, Household, SPECIAL_CONS_NO, UNKNOWN_CONS_NO, findHousehold, findHouseholdsByIdentity, totalFen } from '../marketing/dataset';

export { HOUSEHOLDS, totalFen };
export type { Household };

export type PayState = 'N' | 'P'; // N unpaid, P partly paid

export interface YxBill {
  readonly Period: string; // yyyy-MM
  readonly AmtDue: string; // yuan, "123.45"
  readonly LateFee: string; // yuan
  readonly PayState: PayState;
}

/** Customers with scripted behaviour instead of data. */
export const SPECIAL_CUST_NO = {
  /** Answers a SOAP fault: soapenv:Server, 'YX system maintenance'. Same number as in simulator A. */
  FAULT: SPECIAL_CONS_NO.FAULT,
  /** Answers normally after the configured delay (a household of the dataset). Same number as in A. */
  SLOW: SPECIAL_CONS_NO.SLOW,
  /** Answers RspCode E9999 (system error) as a normal response, not a fault. */
  SYSTEM_ERROR: '7777777777',
  /** Answers AAAAAAA, but CustInfo/Basic lacks CustNo: a back office breaking its own WSDL. */
  MISSING_CUST_NO: '6666666666',
} as const;

/** A well-formed number that is not in the dataset (RspCode E0001). Same number as in A. */
export const UNKNOWN_CUST_NO = UNKNOWN_CONS_NO;

/** What the MISSING_CUST_NO customer answers apart from the missing CustNo. */
export const MISSING_CUST_NO_ANSWER = {
  CustName: '孙强',
  OrgCode: '3340101',
  bills: [{ Period: '2025-03', AmtDue: '32.10', LateFee: '0.00', PayState: 'N' as PayState }],
  TotalAmt: '32.10',
};

export const PAY_STATE_OF: Readonly<Record<ArrearsStatus, PayState>> = { '01': 'N', '02': 'P' };

/**
 * Fen (integer) as YX writes yuan: two decimals, no float arithmetic.
 * Kept here rather than imported from the bus so that the simulator does not
 * share code with what it is testing.
 */
export function fenToYuanText(fen: number): string {
  if (!Number.isSafeInteger(fen)) throw new Error(`${fen} is not a whole number of fen`);
  const abs = Math.abs(fen);
  return `${fen < 0 ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** yyyyMM → yyyy-MM */
export function periodOf(billMonth: string): string {
  return `${billMonth.slice(0, 4)}-${billMonth.slice(4, 6)}`;
}

export function yxBillsOf(h: Household): YxBill[] {
  return h.arrears.map((i) => ({
    Period: periodOf(i.BillMonth),
    AmtDue: fenToYuanText(i.ArrearsFen),
    LateFee: fenToYuanText(i.PenaltyFen),
    PayState: PAY_STATE_OF[i.Status],
  }));
}

/** TotalAmt as YX reports it: yuan text of the sum of AmtDue + LateFee. */
export function totalAmtOf(h: Household): string {
  return fenToYuanText(totalFen(h));
}

export function findCustomer(custNo: string): Household | undefined {
  return findHousehold(custNo);
}

/** The customers of one holder (same ID number and name), as in simulator A. */
export function findCustomersByIdentity(idNo: string, custName: string): Household[] {
  return findHouseholdsByIdentity(idNo, custName);
}
