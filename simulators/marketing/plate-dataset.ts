/**
 * What the marketing system knows of its households beyond the arrears: the
 * monthly bills (kWh by tariff period, charges by item, meter readings), the
 * payment history, the balance, the e-bill subscription. Derived from the
 * households of dataset.ts by fixed integer rules, so the bills of a month in
 * arrears agree with its arrears, and tests compute expected answers from it.
 * Shared by both dialects; each speaks it in its own codes and units. Money is
 * integer fen, kWh integer hundredths (centi-kWh, 12345 = "123.45").
 */
import { CLOSED_HOUSEHOLD, HOUSEHOLDS, Household } from './dataset';

/** The months every household has a bill for, oldest first. */
export const BILL_MONTHS: readonly string[] = ['202410', '202411', '202412', '202501', '202502', '202503'];

export type TouPeriod = 'SHARP' | 'PEAK' | 'FLAT' | 'VALLEY';

export interface TouPart {
  readonly period: TouPeriod;
  readonly kwhCenti: number;
  readonly fen: number;
}

export interface BillCharge {
  readonly item: string;
  readonly fen: number;
}

export interface Bill {
  readonly consNo: string;
  readonly billMonth: string; // yyyyMM
  readonly amountFen: number;
  readonly kwhCenti: number;
  /** Day the bill was issued, yyyyMMdd: the 3rd of the next month. */
  readonly issuedOn: string;
  readonly tou: readonly TouPart[];
  readonly charges: readonly BillCharge[];
  readonly meter: { readonly meterNo: string; readonly previousCenti: number; readonly currentCenti: number };
}

export interface HistoryPayment {
  readonly serial: string;
  readonly consNo: string;
  readonly amountFen: number;
  /** Local time (Asia/Shanghai), yyyyMMddHHmmss. */
  readonly paidAt: string;
  readonly channel: 'COUNTER' | 'BANK' | 'WECHAT' | 'ALIPAY';
  readonly status: 'POSTED' | 'REVERSED';
}

export interface Balance {
  readonly prepaid: boolean;
  readonly balanceFen: number;
}

/** Every household the system knows, the closed one included. */
export const ALL_HOUSEHOLDS: readonly Household[] = [...HOUSEHOLDS, CLOSED_HOUSEHOLD];

/** The prepaid (预付费) household, with a low balance. */
export const PREPAID_CONS_NO = '3301000003';
const BALANCES: Readonly<Record<string, Balance>> = {
  [PREPAID_CONS_NO]: { prepaid: true, balanceFen: 1234 },
  '3301000002': { prepaid: false, balanceFen: 5000 },
  '3301000005': { prepaid: false, balanceFen: 2000 },
};

/** The household subscribed to e-bills from the start, and since when (local yyyyMMddHHmmss). */
export const EBILL_SUBSCRIBED: Readonly<Record<string, string>> = { '3301000002': '20240601093000' };

/** The energy charge by period is weighted by kWh × these (sharp dearest, valley cheapest). */
const TOU_SHARES: ReadonlyArray<{ period: TouPeriod; percent: number; weight: number }> = [
  { period: 'SHARP', percent: 10, weight: 13 },
  { period: 'PEAK', percent: 30, weight: 11 },
  { period: 'VALLEY', percent: 25, weight: 5 },
];

export const ENERGY_ITEM = '电度电费';
export const SURCHARGE_ITEM = '代征基金及附加';

function nextMonth(billMonth: string): string {
  const y = Number(billMonth.slice(0, 4));
  const m = Number(billMonth.slice(4, 6));
  return m === 12 ? `${y + 1}01` : `${y}${String(m + 1).padStart(2, '0')}`;
}

/** A bill's amount: what the arrears say for a month in arrears, a fixed figure per household and month otherwise. */
function amountOf(h: Household, index: number, monthIndex: number): number {
  const month = BILL_MONTHS[monthIndex];
  const owed = h.arrears.find((a) => a.BillMonth === month);
  if (owed) return owed.Status === '01' ? owed.ArrearsFen : owed.ArrearsFen + 5000;
  return 8000 + index * 1700 + monthIndex * 1130;
}

function billOf(h: Household, index: number, monthIndex: number, previousCenti: number): Bill {
  const billMonth = BILL_MONTHS[monthIndex];
  const amountFen = amountOf(h, index, monthIndex);
  // about 0.558 yuan a kWh, surcharges 3 fen a kWh
  const kwhCenti = Math.floor((amountFen * 1000) / 558);
  const surchargeFen = Math.floor((kwhCenti * 3) / 100);
  const energyFen = amountFen - surchargeFen;
  const parts = TOU_SHARES.map((s) => ({ ...s, kwhCenti: Math.floor((kwhCenti * s.percent) / 100) }));
  const flatKwh = kwhCenti - parts.reduce((n, p) => n + p.kwhCenti, 0);
  const totalWeight = parts.reduce((n, p) => n + p.kwhCenti * p.weight, 0) + flatKwh * 10;
  const priced = parts.map((p) => ({ period: p.period, kwhCenti: p.kwhCenti, fen: Math.floor((energyFen * p.kwhCenti * p.weight) / totalWeight) }));
  const flatFen = energyFen - priced.reduce((n, p) => n + p.fen, 0);
  const [sharp, peak, valley] = priced;
  return {
    consNo: h.ConsNo,
    billMonth,
    amountFen,
    kwhCenti,
    issuedOn: `${nextMonth(billMonth)}03`,
    tou: [sharp, peak, { period: 'FLAT', kwhCenti: flatKwh, fen: flatFen }, valley],
    charges: [
      { item: ENERGY_ITEM, fen: energyFen },
      { item: SURCHARGE_ITEM, fen: surchargeFen },
    ],
    meter: { meterNo: `33${h.ConsNo.slice(2)}01`, previousCenti, currentCenti: previousCenti + kwhCenti },
  };
}

function billsOf(h: Household, index: number): Bill[] {
  let reading = 1000000 + index * 123456;
  return BILL_MONTHS.map((_, i) => {
    const bill = billOf(h, index, i, reading);
    reading = bill.meter.currentCenti;
    return bill;
  });
}

const BILLS: ReadonlyMap<string, readonly Bill[]> = new Map(ALL_HOUSEHOLDS.map((h, i) => [h.ConsNo, billsOf(h, i)]));

/** The bills of one account, oldest first (undefined: no such account). */
export function billsOfAccount(consNo: string): readonly Bill[] | undefined {
  return BILLS.get(consNo);
}

export function billOfMonth(consNo: string, billMonth: string): Bill | undefined {
  return BILLS.get(consNo)?.find((b) => b.billMonth === billMonth);
}

const CHANNELS: ReadonlyArray<HistoryPayment['channel']> = ['COUNTER', 'BANK', 'WECHAT', 'ALIPAY'];

/**
 * The payments the system had before any test: each bill paid (or its paid
 * part) on the 15th of the month after it was billed, plus one bank payment
 * of 3301000004 that was reversed.
 */
function historyOf(h: Household, bills: readonly Bill[]): HistoryPayment[] {
  const paid = bills.flatMap((b, i): HistoryPayment[] => {
    const owed = h.arrears.find((a) => a.BillMonth === b.billMonth);
    const fen = owed ? b.amountFen - owed.ArrearsFen : b.amountFen;
    if (fen === 0) return [];
    return [{ serial: `HIS${h.ConsNo}${b.billMonth}`, consNo: h.ConsNo, amountFen: fen, paidAt: `${nextMonth(b.billMonth)}15103000`, channel: CHANNELS[i % CHANNELS.length], status: 'POSTED' }];
  });
  if (h.ConsNo === '3301000004') {
    paid.push({ serial: `HIS${h.ConsNo}REV`, consNo: h.ConsNo, amountFen: 5000, paidAt: '20250120143000', channel: 'BANK', status: 'REVERSED' });
  }
  return paid;
}

const HISTORY: ReadonlyMap<string, readonly HistoryPayment[]> = new Map(ALL_HOUSEHOLDS.map((h) => [h.ConsNo, historyOf(h, BILLS.get(h.ConsNo)!)]));

/** The payment history of one account (before any write-off through the bus), in no particular order. */
export function historyOfAccount(consNo: string): readonly HistoryPayment[] {
  return HISTORY.get(consNo) ?? [];
}

export function balanceOf(consNo: string): Balance {
  return BALANCES[consNo] ?? { prepaid: false, balanceFen: 0 };
}

/** yyyyMMddHHmmss in Asia/Shanghai (UTC+8 all year) of an instant. */
export function shanghaiStamp(at: Date): string {
  return new Date(at.getTime() + 8 * 3600 * 1000).toISOString().replace(/[-T:]/g, '').slice(0, 14);
}

/** kWh hundredths as decimal text: 12345 -> "123.45". */
export function kwhText(centi: number): string {
  if (!Number.isSafeInteger(centi) || centi < 0) throw new Error(`${centi} is not a whole number of hundredths of a kWh`);
  return `${Math.floor(centi / 100)}.${String(centi % 100).padStart(2, '0')}`;
}
