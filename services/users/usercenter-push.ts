import { PiiCipher } from '../../core/crypto';
import { enqueueOutbox, SqlRunner } from '../../core/outbox';

/**
 * What the group's unified user system learns from the bus, as outbox rows
 * written in the transaction of the change (services/outbox delivers them
 * with their serial; the user center applies a serial once).
 */
export const USERCENTER_OPS = {
  findUserByMobile: 'usercenter.findUserByMobile',
  registerUser: 'usercenter.registerUser',
  pushBinding: 'usercenter.pushBinding',
  updateRealName: 'usercenter.updateRealName',
} as const;

export type BindingKind = 'IDENTITY' | 'MANUAL';
export type RealNameStatus = 'UNVERIFIED' | 'VERIFIED';

/** Rows of one unified user are delivered in order (a BIND before its UNBIND). */
const partitionOf = (unifiedUserId: string) => `usercenter:${unifiedUserId}`;

/** The unified user id of an Alipay user, when the bus knows it (read on the caller's transaction). */
export async function unifiedUserIdOf(tx: SqlRunner, alipayUserId: string): Promise<string | null> {
  const rows = (await tx.query(
    `SELECT u.unified_user_id FROM app_user_alipay a JOIN app_user u ON u.id = a.user_id WHERE a.alipay_user_id = $1 FOR SHARE OF u`,
    [alipayUserId],
  )) as Array<{ unified_user_id: string | null }>;
  return rows[0]?.unified_user_id ?? null;
}

export async function queuePushBinding(tx: SqlRunner, unifiedUserId: string, accountNo: string, action: 'BIND' | 'UNBIND', kind: BindingKind): Promise<void> {
  await enqueueOutbox(tx, null, {
    operation: USERCENTER_OPS.pushBinding,
    partitionKey: partitionOf(unifiedUserId),
    payload: { unifiedUserId, accountNo, action, kind },
    piiFields: [],
  });
}

/** A binding change of an Alipay user, pushed when their unified id is known (otherwise pushed when it becomes known). */
export async function queueBindingChange(tx: SqlRunner, alipayUserId: string, accountNo: string, action: 'BIND' | 'UNBIND', kind: BindingKind): Promise<boolean> {
  const unifiedUserId = await unifiedUserIdOf(tx, alipayUserId);
  if (!unifiedUserId) return false;
  await queuePushBinding(tx, unifiedUserId, accountNo, action, kind);
  return true;
}

export async function queueRegistration(tx: SqlRunner, cipher: PiiCipher, localUserId: string, mobile: string, alipayUserId: string, realNameStatus: RealNameStatus): Promise<void> {
  await enqueueOutbox(tx, cipher, {
    operation: USERCENTER_OPS.registerUser,
    partitionKey: `usercenter-local:${localUserId}`,
    payload: { mobile, alipayUserId, realNameStatus },
    piiFields: ['mobile'],
  });
}

export async function queueRealNameChange(tx: SqlRunner, unifiedUserId: string, realNameStatus: RealNameStatus): Promise<void> {
  await enqueueOutbox(tx, null, {
    operation: USERCENTER_OPS.updateRealName,
    partitionKey: partitionOf(unifiedUserId),
    payload: { unifiedUserId, realNameStatus },
    piiFields: [],
  });
}
