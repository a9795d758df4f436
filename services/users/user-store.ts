import { DataSource } from 'typeorm';
import { LookupHasher, PiiCipher } from '../../core/crypto';
import { SqlRunner } from '../../core/outbox';
import { lockUserBindings } from '../binding/binding-locks';
import { BindingKind, queuePushBinding, queueRealNameChange, queueRegistration, RealNameStatus } from './usercenter-push';

export interface UserProfile {
  localUserId: string;
  /** Decrypted; callers mask it. */
  mobile: string;
  realNameStatus: RealNameStatus;
  unifiedUserId: string | null;
}

export interface LinkOutcome {
  localUserId: string;
  unifiedUserId: string | null;
  /** A registration with the unified user system was queued now. */
  registered: boolean;
}

/**
 * app_user: one person per mobile (keyed hash for lookups, PiiCipher token
 * for reading it back), the Alipay user ids (token `sub`) linked to them, and
 * the group's unified user id once known. Every change the unified user
 * system must learn is queued in the same transaction (usercenter-push.ts).
 */
export class UserStore {
  constructor(
    private readonly ds: DataSource,
    private readonly cipher: PiiCipher,
    private readonly hasher: LookupHasher,
  ) {}

  mobileHash(mobile: string): string {
    return this.hasher.hash('mobile', mobile);
  }

  /**
   * The Alipay user has this mobile: one user per mobile, whoever met it first
   * (the life number, or the group's app: `knownUnifiedId` from
   * usercenter.findUserByMobile). A user the unified user system does not know
   * is registered with it through the outbox; a real-name status that became
   * VERIFIED is pushed.
   */
  async link(alipayUserId: string, mobile: string, realNameVerified: boolean, knownUnifiedId: string | null): Promise<LinkOutcome> {
    return this.ds.transaction(async (tx) => {
      // a binding of this Alipay user committing meanwhile is either seen below or sees the link (and pushes itself)
      await lockUserBindings(tx, alipayUserId);
      const [user]: Array<{ id: string; unified_user_id: string | null; real_name_status: RealNameStatus; registered_at: Date | null }> = await tx.query(
        `INSERT INTO app_user (mobile_hash, mobile_enc) VALUES ($1, $2)
         ON CONFLICT (mobile_hash) DO UPDATE SET updated_at = now()
         RETURNING id, unified_user_id, real_name_status, registered_at`,
        [this.mobileHash(mobile), this.cipher.encrypt(mobile)],
      );
      const id = String(user.id);
      const linked: unknown[] = await tx.query(
        `INSERT INTO app_user_alipay (alipay_user_id, user_id) VALUES ($1, $2)
         ON CONFLICT (alipay_user_id) DO UPDATE SET user_id = EXCLUDED.user_id, linked_at = now()
           WHERE app_user_alipay.user_id <> EXCLUDED.user_id
         RETURNING alipay_user_id`,
        [alipayUserId, id],
      );
      const newlyLinked = linked.length > 0;

      const status: RealNameStatus = realNameVerified ? 'VERIFIED' : user.real_name_status;
      const statusChanged = status !== user.real_name_status;
      if (statusChanged) await tx.query(`UPDATE app_user SET real_name_status = $2, updated_at = now() WHERE id = $1`, [id, status]);

      let unifiedUserId = user.unified_user_id;
      if (!unifiedUserId && knownUnifiedId) {
        // registered in the group's app with this mobile: the same person
        unifiedUserId = knownUnifiedId;
        await this.learn(tx, id, knownUnifiedId, status);
      } else if (unifiedUserId) {
        if (statusChanged) await queueRealNameChange(tx, unifiedUserId, status);
        // another Alipay user of the same mobile: their bindings join the unified user
        if (newlyLinked) await this.pushBindingsOf(tx, [alipayUserId], unifiedUserId);
      }
      let registered = false;
      if (!unifiedUserId && !user.registered_at) {
        await queueRegistration(tx, this.cipher, id, mobile, alipayUserId, status);
        await tx.query(`UPDATE app_user SET registered_at = now() WHERE id = $1`, [id]);
        registered = true;
      }
      return { localUserId: id, unifiedUserId, registered };
    });
  }

  /** Users registered with the unified user system whose unified id the bus has not learnt yet (mobile decrypted). */
  async awaitingUnifiedId(limit: number): Promise<Array<{ localUserId: string; mobile: string }>> {
    const rows: Array<{ id: string; mobile_enc: string }> = await this.ds.query(
      `SELECT id, mobile_enc FROM app_user WHERE unified_user_id IS NULL AND registered_at IS NOT NULL ORDER BY registered_at LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({ localUserId: String(r.id), mobile: this.cipher.decrypt(r.mobile_enc) }));
  }

  /** The unified id the user center gave a registered user; false when it was known already. */
  async learnUnifiedId(localUserId: string, unifiedUserId: string): Promise<boolean> {
    return this.ds.transaction(async (tx) => {
      const linked = (await tx.query(`SELECT alipay_user_id FROM app_user_alipay WHERE user_id = $1 ORDER BY alipay_user_id`, [localUserId])) as Array<{ alipay_user_id: string }>;
      for (const l of linked) await lockUserBindings(tx, l.alipay_user_id);
      const rows: Array<{ real_name_status: RealNameStatus; unified_user_id: string | null }> = await tx.query(
        `SELECT real_name_status, unified_user_id FROM app_user WHERE id = $1 FOR UPDATE`,
        [localUserId],
      );
      if (!rows.length || rows[0].unified_user_id) return false;
      await this.learn(tx, localUserId, unifiedUserId, rows[0].real_name_status);
      return true;
    });
  }

  async profileOf(alipayUserId: string): Promise<UserProfile | null> {
    const rows: Array<{ id: string; mobile_enc: string; real_name_status: RealNameStatus; unified_user_id: string | null }> = await this.ds.query(
      `SELECT u.id, u.mobile_enc, u.real_name_status, u.unified_user_id
         FROM app_user_alipay a JOIN app_user u ON u.id = a.user_id WHERE a.alipay_user_id = $1`,
      [alipayUserId],
    );
    if (!rows.length) return null;
    const r = rows[0];
    return { localUserId: String(r.id), mobile: this.cipher.decrypt(r.mobile_enc), realNameStatus: r.real_name_status, unifiedUserId: r.unified_user_id };
  }

  /**
   * Sets the unified id, then pushes the bindings made while it was unknown.
   * The caller holds the binding locks of the user's Alipay ids: a binding
   * is pushed exactly once, here or by its own transaction.
   */
  private async learn(tx: SqlRunner, localUserId: string, unifiedUserId: string, status: RealNameStatus): Promise<void> {
    await tx.query(`UPDATE app_user SET unified_user_id = $2, updated_at = now() WHERE id = $1`, [localUserId, unifiedUserId]);
    const ids = (await tx.query(`SELECT alipay_user_id FROM app_user_alipay WHERE user_id = $1`, [localUserId])) as Array<{ alipay_user_id: string }>;
    await this.pushBindingsOf(tx, ids.map((r) => r.alipay_user_id), unifiedUserId);
    if (status === 'VERIFIED') await queueRealNameChange(tx, unifiedUserId, status);
  }

  private async pushBindingsOf(tx: SqlRunner, alipayUserIds: string[], unifiedUserId: string): Promise<void> {
    if (!alipayUserIds.length) return;
    const rows = (await tx.query(
      `SELECT account_no, kind FROM account_binding WHERE user_id = ANY($1) AND status = 'active' ORDER BY bound_at, id`,
      [alipayUserIds],
    )) as Array<{ account_no: string; kind: BindingKind }>;
    for (const b of rows) await queuePushBinding(tx, unifiedUserId, b.account_no, 'BIND', b.kind);
  }
}
