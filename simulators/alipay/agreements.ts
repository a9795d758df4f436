import { randomBytes } from 'crypto';
import { BizError, Payload, bizContent, compactDate, digits, failure, ok, text } from './answers';
import { findAlipayUser } from './dataset';
import { chinaTime } from './signing';

/**
 * Withholding (商家扣款) agreements between a user, Alipay and the merchant,
 * as `alipay.user.agreement.page.sign` leaves them once the user confirmed
 * in the Alipay app. Signing and unsigning are driven by the test (there is
 * no page to click); each sends the signed `dut_user_sign` /
 * `dut_user_unsign` notification that Alipay posts to the sign notify_url.
 */
export type AgreementStatus = 'NORMAL' | 'UNSIGN';

export interface SimAgreement {
  agreementNo: string; // 20 digits, beginning with the year
  externalAgreementNo: string;
  alipayUserId: string;
  status: AgreementStatus;
  personalProductCode: string;
  signScene: string;
  signTime: Date;
  /** Alipay's "no end" date for withholding agreements. */
  invalidTime: string;
  unsignTime: Date | null;
  notifyUrl: string | null;
}

export interface SignAgreementOptions {
  userId: string;
  /** Ours, ≤ 32 characters, unique per user and product. */
  externalAgreementNo: string;
  notifyUrl?: string;
  personalProductCode?: string;
  signScene?: string;
}

export const WITHHOLDING_PERSONAL_PRODUCT = 'GENERAL_WITHHOLDING_P';
const DEFAULT_SIGN_SCENE = 'DEFAULT|DEFAULT';
const NO_END = '2115-02-01 00:00:00';

/** As Alipay shows a logon id in notifications: `138******01`. */
export function maskedLogonId(userId: string): string {
  const login = findAlipayUser(userId)?.mobile ?? userId;
  return `${login.slice(0, 3)}******${login.slice(-2)}`;
}

export class AgreementBook {
  private readonly byNo = new Map<string, SimAgreement>();

  constructor(private readonly appId: string) {}

  get(agreementNo: string): SimAgreement | undefined {
    return this.byNo.get(agreementNo);
  }

  list(): SimAgreement[] {
    return [...this.byNo.values()].map((a) => ({ ...a }));
  }

  /** A NORMAL agreement for the user and external number; `created` false when it already was signed. */
  sign(opts: SignAgreementOptions): { agreement: SimAgreement; created: boolean } {
    if (!findAlipayUser(opts.userId)) throw new Error(`no Alipay user ${opts.userId} in the simulator dataset`);
    if (!opts.externalAgreementNo || opts.externalAgreementNo.length > 32) throw new Error('externalAgreementNo must be 1..32 characters (Alipay external_agreement_no)');
    const product = opts.personalProductCode ?? WITHHOLDING_PERSONAL_PRODUCT;
    const existing = [...this.byNo.values()].find(
      (a) => a.status === 'NORMAL' && a.alipayUserId === opts.userId && a.externalAgreementNo === opts.externalAgreementNo && a.personalProductCode === product,
    );
    if (existing) return { agreement: existing, created: false };
    const now = new Date();
    const agreement: SimAgreement = {
      agreementNo: `${compactDate(now).slice(0, 4)}${digits(16)}`,
      externalAgreementNo: opts.externalAgreementNo,
      alipayUserId: opts.userId,
      status: 'NORMAL',
      personalProductCode: product,
      signScene: opts.signScene ?? DEFAULT_SIGN_SCENE,
      signTime: now,
      invalidTime: NO_END,
      unsignTime: null,
      notifyUrl: opts.notifyUrl ?? null,
    };
    this.byNo.set(agreement.agreementNo, agreement);
    return { agreement, created: true };
  }

  /** The user ends the agreement; `changed` false when it already was unsigned. */
  unsign(agreementNo: string): { agreement: SimAgreement; changed: boolean } {
    const agreement = this.byNo.get(agreementNo);
    if (!agreement) throw new Error(`no agreement ${agreementNo}`);
    if (agreement.status === 'UNSIGN') return { agreement, changed: false };
    agreement.status = 'UNSIGN';
    agreement.unsignTime = new Date();
    return { agreement, changed: true };
  }

  /** The unsigned fields of the `dut_user_sign` (NORMAL) or `dut_user_unsign` (UNSIGN) notification. */
  notificationFields(agreement: SimAgreement): Record<string, string> {
    const now = new Date();
    const common: Record<string, string> = {
      notify_type: agreement.status === 'NORMAL' ? 'dut_user_sign' : 'dut_user_unsign',
      notify_id: `${compactDate(now)}00222${randomBytes(4).toString('hex')}${digits(13)}`,
      notify_time: chinaTime(now),
      charset: 'UTF-8',
      version: '1.0',
      app_id: this.appId,
      auth_app_id: this.appId,
      agreement_no: agreement.agreementNo,
      external_agreement_no: agreement.externalAgreementNo,
      status: agreement.status,
      alipay_user_id: agreement.alipayUserId,
      alipay_logon_id: maskedLogonId(agreement.alipayUserId),
      personal_product_code: agreement.personalProductCode,
      sign_scene: agreement.signScene,
    };
    if (agreement.status === 'UNSIGN') return { ...common, unsign_time: chinaTime(agreement.unsignTime ?? now) };
    return { ...common, sign_time: chinaTime(agreement.signTime), valid_time: chinaTime(agreement.signTime), invalid_time: agreement.invalidTime };
  }

  /**
   * `alipay.user.agreement.unsign`: the merchant ends an agreement, by
   * agreement_no or by user + external_agreement_no. `ended` is the agreement
   * this call unsigned (Alipay then sends dut_user_unsign).
   */
  merchantUnsign(params: Record<string, string>): { payload: Payload; ended: SimAgreement | null } {
    const found = this.lookUp(bizContent(params));
    if (!found || found.status !== 'NORMAL') return { payload: failure('40004', 'USER_AGREEMENT_NOT_EXIST', '用户协议不存在'), ended: null };
    this.unsign(found.agreementNo);
    return { payload: ok(), ended: found };
  }

  private lookUp(biz: Record<string, unknown>): SimAgreement | undefined {
    const agreementNo = text(biz, 'agreement_no');
    const userId = text(biz, 'alipay_user_id');
    const external = text(biz, 'external_agreement_no');
    if (!agreementNo && !(userId && external)) throw new BizError(failure('40004', 'INVALID_PARAMETER', '参数无效: agreement_no 或 alipay_user_id + external_agreement_no'));
    return agreementNo
      ? this.byNo.get(agreementNo)
      : [...this.byNo.values()].find((a) => a.status === 'NORMAL' && a.alipayUserId === userId && a.externalAgreementNo === external);
  }

  /** `alipay.user.agreement.query`: by agreement_no, or by user + external_agreement_no. Only agreements in force are found. */
  query(params: Record<string, string>): Payload {
    const found = this.lookUp(bizContent(params));
    if (!found || found.status !== 'NORMAL') return failure('40004', 'USER_AGREEMENT_NOT_EXIST', '用户协议不存在');
    return ok({
      agreement_no: found.agreementNo,
      external_agreement_no: found.externalAgreementNo,
      principal_id: found.alipayUserId,
      alipay_logon_id: maskedLogonId(found.alipayUserId),
      status: found.status,
      personal_product_code: found.personalProductCode,
      sign_scene: found.signScene,
      sign_time: chinaTime(found.signTime),
      valid_time: chinaTime(found.signTime),
      invalid_time: found.invalidTime,
      third_party_type: 'PARTNER',
    });
  }
}
