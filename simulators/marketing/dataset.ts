/**
 * Fictitious households served by the marketing simulator (Hangzhou,
 * Zhejiang). Names, ID numbers and mobiles are made up; ID numbers carry a
 * valid check digit so validators accept them. Amounts are integer fen
 * (12345 = 123.45 yuan). Tests import this to compute expected answers.
 */
export type ArrearsStatus = '01' | '02'; // 01 unpaid, 02 partly paid

export interface ArrearsItem {
  readonly BillMonth: string; // yyyyMM
  readonly ArrearsFen: number; // amount still owed for the month
  readonly PenaltyFen: number; // late-payment penalty (违约金)
  readonly Status: ArrearsStatus;
}

export interface Household {
  readonly ConsNo: string; // 10-digit consumer number (户号)
  readonly ConsName: string;
  readonly OrgNo: string; // supplying power company unit
  readonly Address: string;
  readonly Mobile: string;
  readonly CertNo: string;
  readonly arrears: readonly ArrearsItem[];
}

/** Accounts with scripted behaviour instead of data. */
export const SPECIAL_CONS_NO = {
  /** Every operation answers with a SOAP Fault (soap:Server). */
  FAULT: '9999999999',
  /** Answers normally, but only after the configured delay (timeout tests). */
  SLOW: '8888888888',
} as const;

/** A well-formed number that is not in the dataset (RetCode 1001). */
export const UNKNOWN_CONS_NO = '3301999999';

/**
 * A closed (销户) account: known, its old arrears still readable, but a
 * write-off is refused (RetCode 3002, YX E1004). Kept out of HOUSEHOLDS so the
 * tests and simulators that iterate the households are not changed by it.
 */
export const CLOSED_CONS_NO = '3301000090';

export const CLOSED_HOUSEHOLD: Household = {
  ConsNo: CLOSED_CONS_NO, ConsName: '周洁', OrgNo: '3340102',
  Address: '浙江省杭州市拱墅区莫干山路300号4幢601室', Mobile: '13800000090', CertNo: '330106197804152037',
  arrears: [{ BillMonth: '202502', ArrearsFen: 3000, PenaltyFen: 0, Status: '01' }],
};

export const HOUSEHOLDS: readonly Household[] = [
  {
    ConsNo: '3301000001', ConsName: '张伟', OrgNo: '3340101',
    Address: '浙江省杭州市西湖区文三路138号3幢2单元501室', Mobile: '13800000001', CertNo: '330106198503124520',
    arrears: [
      { BillMonth: '202501', ArrearsFen: 12345, PenaltyFen: 185, Status: '01' },
      { BillMonth: '202502', ArrearsFen: 9870, PenaltyFen: 99, Status: '01' },
      { BillMonth: '202503', ArrearsFen: 10456, PenaltyFen: 0, Status: '01' },
    ],
  },
  {
    ConsNo: '3301000002', ConsName: '王芳', OrgNo: '3340102',
    Address: '浙江省杭州市拱墅区湖墅南路56号1幢302室', Mobile: '13800000002', CertNo: '330105197209181021',
    arrears: [{ BillMonth: '202503', ArrearsFen: 4521, PenaltyFen: 23, Status: '02' }],
  },
  {
    ConsNo: '3301000003', ConsName: '欧阳明辉', OrgNo: '3340103',
    Address: '浙江省杭州市上城区解放路88号5幢1201室', Mobile: '13800000003', CertNo: '330102199001013379',
    arrears: [],
  },
  {
    ConsNo: '3301000004', ConsName: '李娜', OrgNo: '3340104',
    Address: '浙江省杭州市滨江区江南大道1000号9幢801室', Mobile: '13800000004', CertNo: '33011019681125084X',
    arrears: [
      { BillMonth: '202412', ArrearsFen: 23100, PenaltyFen: 693, Status: '01' },
      { BillMonth: '202501', ArrearsFen: 8000, PenaltyFen: 120, Status: '02' },
    ],
  },
  {
    ConsNo: '3301000005', ConsName: '陈静', OrgNo: '3340105',
    Address: '浙江省杭州市余杭区五常大道181号2幢1103室', Mobile: '13800000005', CertNo: '330108199506075514',
    arrears: [{ BillMonth: '202503', ArrearsFen: 6789, PenaltyFen: 0, Status: '01' }],
  },
  {
    ConsNo: SPECIAL_CONS_NO.SLOW, ConsName: '赵磊', OrgNo: '3340101',
    Address: '浙江省杭州市西湖区天目山路200号7幢402室', Mobile: '13800000008', CertNo: '330106198002297618',
    arrears: [{ BillMonth: '202503', ArrearsFen: 5000, PenaltyFen: 0, Status: '01' }],
  },
];

export function findHousehold(consNo: string): Household | undefined {
  return HOUSEHOLDS.find((h) => h.ConsNo === consNo);
}

/**
 * The households of one holder: same ID number (the check digit X in either
 * case) and exactly the same name. An ID number with another name finds
 * nothing, as the marketing system refuses to bind on a partial match.
 */
export function findHouseholdsByIdentity(certNo: string, name: string): Household[] {
  const cert = certNo.trim().toUpperCase();
  const holder = name.trim();
  if (!cert || !holder) return [];
  return HOUSEHOLDS.filter((h) => h.CertNo.toUpperCase() === cert && h.ConsName === holder);
}

/** TotalFen as the marketing system reports it: sum of ArrearsFen + PenaltyFen over all items. */
export function totalFen(household: Household): number {
  return household.arrears.reduce((sum, i) => sum + i.ArrearsFen + i.PenaltyFen, 0);
}
