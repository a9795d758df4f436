import { HOUSEHOLDS, SPECIAL_CONS_NO } from '../marketing/dataset';

/**
 * Fictitious Alipay users of the simulator. The first ones are the holders of
 * the marketing simulator's households (same name, ID number and mobile), so
 * that binding by identity finds their accounts; then one certified user the
 * marketing system does not know, and one who never completed real-name
 * certification (no identity to share). All made up.
 */
export interface AlipayUser {
  readonly userId: string; // 2088 + 12 digits
  readonly openId: string;
  readonly userName: string | null;
  readonly certNo: string | null;
  readonly certType: '0' | null; // 0 = resident identity card
  readonly mobile: string | null;
  readonly isCertified: 'T' | 'F';
}

/** The app id the simulator expects when none is configured. */
export const SIMULATOR_APP_ID = '2021000000000001';

const households: AlipayUser[] = HOUSEHOLDS.filter((h) => h.ConsNo !== SPECIAL_CONS_NO.SLOW).map((h, i) => ({
  userId: `20881000000000${String(i + 1).padStart(2, '0')}`,
  openId: `074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo${String(i + 1).padStart(2, '0')}`,
  userName: h.ConsName,
  certNo: h.CertNo,
  certType: '0',
  mobile: h.Mobile,
  isCertified: 'T',
}));

export const ALIPAY_USERS: readonly AlipayUser[] = [
  ...households,
  {
    userId: '2088100000000090',
    openId: '074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo90',
    userName: '周子涵',
    certNo: '330106199912120015',
    certType: '0',
    mobile: '13800000090',
    isCertified: 'T',
  },
  {
    userId: '2088100000000091',
    openId: '074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo91',
    userName: null,
    certNo: null,
    certType: null,
    mobile: null,
    isCertified: 'F',
  },
];

/** The certified user unknown to the marketing system, and the uncertified one. */
export const STRANGER_USER_ID = '2088100000000090';
export const UNCERTIFIED_USER_ID = '2088100000000091';

export function findAlipayUser(userId: string): AlipayUser | undefined {
  return ALIPAY_USERS.find((u) => u.userId === userId);
}

/**
 * A household's holder whose Alipay balance and cards cannot cover a
 * withholding payment: `alipay.trade.pay` by agreement answers
 * ACQ.BUYER_BALANCE_NOT_ENOUGH for them (the handle's setBalanceShort
 * changes this per user at run time).
 */
export const BALANCE_SHORT_USER_ID = '2088100000000005';
