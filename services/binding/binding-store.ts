import { DataSource } from 'typeorm';
import { LookupHasher, PiiCipher } from '../../core/crypto';
import { GridbusError } from '../../core/errors';
import { enqueueOutbox, SqlRunner } from '../../core/outbox';
import { BindingKind, queueBindingChange } from '../users/usercenter-push';
import { lockAccountBindings, lockUserBindings } from './binding-locks';

/** The closed loop: what the marketing system learns of a new binding (services/outbox delivers it). */
export const ARCHIVE_UPDATE_OPERATION = 'marketing.updateArchive';

/** The holder's identity as Alipay shared it (personal data: encrypted before it is stored). */
export interface HolderIdentity {
  certNo: string;
  mobile: string | null;
  name: string;
}

export interface ActiveBinding {
  accountNo: string;
  boundAt: Date;
  /** Decrypted for display; callers mask it. */
  holderName: string;
  kind: BindingKind;
  label: string | null;
  isDefault: boolean;
}

/** How many bindings may exist at once (config binding.*; enforced under a lock, not read-then-write). */
export interface BindingLimits {
  maxAccountsPerUser: number;
  maxUsersPerAccount: number;
}

export const DEFAULT_BINDING_LIMITS: BindingLimits = { maxAccountsPerUser: 10, maxUsersPerAccount: 5 };

/** A manual binding: the account and what the marketing system confirmed of its holder (no identity). */
export interface ManualHolder {
  /** The name the user gave, or the masked one the marketing system answered; '' when neither. */
  name: string;
  label: string | null;
}

export function bindingLimitReached(limit: 'accountsPerUser' | 'usersPerAccount', max: number): GridbusError {
  const message =
    limit === 'accountsPerUser'
      ? `You have ${max} accounts bound, the most one user may have: unbind one first`
      : `This account is bound to ${max} users already, the most one account may have`;
  return new GridbusError('BINDING_LIMIT_REACHED', message, { details: { limit, max } });
}

/**
 * account_binding in SQL. Personal data goes in as PiiCipher tokens and the
 * ID number also as a keyed hash for lookups; nothing personal is ever in
 * clear in the row.
 */
export class BindingStore {
  constructor(
    private readonly ds: DataSource,
    private readonly cipher: PiiCipher,
    private readonly hasher: LookupHasher,
    private readonly limits: BindingLimits = DEFAULT_BINDING_LIMITS,
  ) {}

  certHash(certNo: string): string {
    return this.hasher.hash('idNumber', certNo);
  }

  /** An account offered to a holder, sealed (encrypted and authenticated) for a candidate token. */
  seal(accountNo: string, identity: HolderIdentity): string {
    return this.cipher.encrypt(JSON.stringify({ accountNo, ...identity }));
  }

  /** Throws (PiiDecryptError, SyntaxError) on anything this key did not seal. */
  unseal(sealed: string): { accountNo: string; identity: HolderIdentity } {
    const p = JSON.parse(this.cipher.decrypt(sealed)) as HolderIdentity & { accountNo: string };
    if (typeof p.accountNo !== 'string' || !/^[0-9]{10}$/.test(p.accountNo) || typeof p.certNo !== 'string' || typeof p.name !== 'string') {
      throw new Error('sealed candidate is incomplete');
    }
    return { accountNo: p.accountNo, identity: { certNo: p.certNo, mobile: typeof p.mobile === 'string' ? p.mobile : null, name: p.name } };
  }

  /**
   * Binds by identity (idempotent: an active binding of the same user and
   * account is kept as it is). A new binding, its archive update for the
   * marketing system and its push to the unified user system (outbox rows)
   * commit together or not at all.
   */
  async bind(userId: string, accountNo: string, identity: HolderIdentity): Promise<{ created: boolean; boundAt: Date; isDefault: boolean }> {
    return this.insert(userId, accountNo, 'IDENTITY', async (tx) => {
      await enqueueOutbox(tx, this.cipher, {
        operation: ARCHIVE_UPDATE_OPERATION,
        partitionKey: accountNo,
        payload: { accountNo, certNo: identity.certNo, mobile: identity.mobile, name: identity.name },
        piiFields: ['certNo', 'mobile', 'name'],
      });
      return {
        cert_no_enc: this.cipher.encrypt(identity.certNo),
        mobile_enc: identity.mobile === null ? null : this.cipher.encrypt(identity.mobile),
        name_enc: this.cipher.encrypt(identity.name),
        cert_no_hash: this.certHash(identity.certNo),
        label: null,
      };
    });
  }

  /**
   * Binds an account whose holder the marketing system confirmed (a landlord's,
   * parents'): no identity is stored and no archive update is sent (the user
   * is not the holder).
   */
  async bindManual(userId: string, accountNo: string, holder: ManualHolder): Promise<{ created: boolean; boundAt: Date; isDefault: boolean }> {
    return this.insert(userId, accountNo, 'MANUAL', async () => ({
      cert_no_enc: null,
      mobile_enc: null,
      name_enc: this.cipher.encrypt(holder.name),
      cert_no_hash: null,
      label: holder.label,
    }));
  }

  /**
   * One binding, under the user's and then the account's advisory lock (always
   * in that order: no deadlock), so that the limits hold whatever runs at the
   * same time. The first binding of a user becomes their default.
   */
  private async insert(
    userId: string,
    accountNo: string,
    kind: BindingKind,
    columns: (tx: SqlRunner) => Promise<{ cert_no_enc: string | null; mobile_enc: string | null; name_enc: string; cert_no_hash: string | null; label: string | null }>,
  ): Promise<{ created: boolean; boundAt: Date; isDefault: boolean }> {
    return this.ds.transaction(async (tx) => {
      await lockUserBindings(tx, userId);
      await lockAccountBindings(tx, accountNo);
      const existing: Array<{ bound_at: Date; is_default: boolean }> = await tx.query(
        `SELECT bound_at, is_default FROM account_binding WHERE user_id = $1 AND account_no = $2 AND status = 'active'`,
        [userId, accountNo],
      );
      if (existing.length) return { created: false, boundAt: existing[0].bound_at, isDefault: existing[0].is_default };
      const [counts]: Array<{ of_user: number; of_account: number; user_default: boolean }> = await tx.query(
        `SELECT (SELECT count(*)::int FROM account_binding WHERE user_id = $1 AND status = 'active') AS of_user,
                (SELECT count(*)::int FROM account_binding WHERE account_no = $2 AND status = 'active') AS of_account,
                EXISTS (SELECT 1 FROM account_binding WHERE user_id = $1 AND status = 'active' AND is_default) AS user_default`,
        [userId, accountNo],
      );
      if (counts.of_user >= this.limits.maxAccountsPerUser) throw bindingLimitReached('accountsPerUser', this.limits.maxAccountsPerUser);
      if (counts.of_account >= this.limits.maxUsersPerAccount) throw bindingLimitReached('usersPerAccount', this.limits.maxUsersPerAccount);
      const c = await columns(tx);
      // rows written without the flag (older tools) leave a user with no default: the new one is not it then, the oldest is (list)
      const isDefault = counts.of_user === 0;
      const inserted: Array<{ bound_at: Date }> = await tx.query(
        `INSERT INTO account_binding (user_id, account_no, cert_no_enc, mobile_enc, name_enc, cert_no_hash, kind, label, is_default)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         RETURNING bound_at`,
        [userId, accountNo, c.cert_no_enc, c.mobile_enc, c.name_enc, c.cert_no_hash, kind, c.label, isDefault && !counts.user_default],
      );
      await queueBindingChange(tx, userId, accountNo, 'BIND', kind);
      return { created: true, boundAt: inserted[0].bound_at, isDefault };
    });
  }

  async isBound(userId: string, accountNo: string): Promise<boolean> {
    const rows = await this.ds.query(`SELECT 1 FROM account_binding WHERE user_id = $1 AND account_no = $2 AND status = 'active'`, [userId, accountNo]);
    return rows.length > 0;
  }

  /** Account numbers of the user's active bindings, oldest first. */
  async boundAccounts(userId: string): Promise<string[]> {
    const rows: Array<{ account_no: string }> = await this.ds.query(
      `SELECT account_no FROM account_binding WHERE user_id = $1 AND status = 'active' ORDER BY bound_at, id`,
      [userId],
    );
    return rows.map((r) => r.account_no);
  }

  /** The user's active bindings, oldest first; the default is the flagged one, or the oldest when none is flagged. */
  async list(userId: string): Promise<ActiveBinding[]> {
    const rows: Array<{ account_no: string; bound_at: Date; name_enc: string; kind: BindingKind; label: string | null; is_default: boolean }> = await this.ds.query(
      `SELECT account_no, bound_at, name_enc, kind, label,
              is_default OR (NOT bool_or(is_default) OVER () AND row_number() OVER (ORDER BY bound_at, id) = 1) AS is_default
         FROM account_binding WHERE user_id = $1 AND status = 'active' ORDER BY bound_at, id`,
      [userId],
    );
    return rows.map((r) => ({
      accountNo: r.account_no,
      boundAt: r.bound_at,
      holderName: this.cipher.decrypt(r.name_enc),
      kind: r.kind,
      label: r.label,
      isDefault: r.is_default,
    }));
  }

  async countActive(userId: string): Promise<number> {
    const [row]: Array<{ n: number }> = await this.ds.query(`SELECT count(*)::int AS n FROM account_binding WHERE user_id = $1 AND status = 'active'`, [userId]);
    return row.n;
  }

  /**
   * Ends the user's active binding of the account; false when there is none
   * (never another user's). The default moves to the oldest binding left; the
   * unified user system learns it in the same transaction.
   */
  async unbind(userId: string, accountNo: string): Promise<boolean> {
    return this.ds.transaction(async (tx) => {
      await lockUserBindings(tx, userId);
      const result = await tx.query(
        `UPDATE account_binding SET status = 'unbound', unbound_at = now(), is_default = false
          WHERE user_id = $1 AND account_no = $2 AND status = 'active' RETURNING id, kind`,
        [userId, accountNo],
      );
      // TypeORM answers [rows, count] for an UPDATE ... RETURNING on PostgreSQL
      const returned: Array<{ kind: BindingKind }> = Array.isArray(result[0]) ? result[0] : result;
      if (!returned.length) return false;
      await this.ensureDefault(tx, userId);
      await queueBindingChange(tx, userId, accountNo, 'UNBIND', returned[0].kind);
      return true;
    });
  }

  /** Makes the account the user's default; false when the user has no active binding of it. */
  async setDefault(userId: string, accountNo: string): Promise<boolean> {
    return this.ds.transaction(async (tx) => {
      await lockUserBindings(tx, userId);
      const found: unknown[] = await tx.query(`SELECT 1 FROM account_binding WHERE user_id = $1 AND account_no = $2 AND status = 'active'`, [userId, accountNo]);
      if (!found.length) return false;
      await tx.query(`UPDATE account_binding SET is_default = false WHERE user_id = $1 AND status = 'active' AND is_default AND account_no <> $2`, [userId, accountNo]);
      await tx.query(`UPDATE account_binding SET is_default = true WHERE user_id = $1 AND account_no = $2 AND status = 'active'`, [userId, accountNo]);
      return true;
    });
  }

  /** Sets (or, with null, clears) the label of the user's binding; false when the user has no active binding of it. */
  async setLabel(userId: string, accountNo: string, label: string | null): Promise<boolean> {
    const result = await this.ds.query(
      `UPDATE account_binding SET label = $3 WHERE user_id = $1 AND account_no = $2 AND status = 'active' RETURNING id`,
      [userId, accountNo, label],
    );
    const returned = Array.isArray(result[0]) ? result[0] : result;
    return returned.length > 0;
  }

  /** With no default left, the oldest active binding becomes it (on the caller's transaction, under the user's lock). */
  private async ensureDefault(tx: SqlRunner, userId: string): Promise<void> {
    await tx.query(
      `UPDATE account_binding SET is_default = true
        WHERE id = (SELECT id FROM account_binding WHERE user_id = $1 AND status = 'active' ORDER BY bound_at, id LIMIT 1)
          AND NOT EXISTS (SELECT 1 FROM account_binding WHERE user_id = $1 AND status = 'active' AND is_default)`,
      [userId],
    );
  }

  /** Whether the user ever had a binding (active or not). */
  async hasHistory(userId: string): Promise<boolean> {
    const rows = await this.ds.query(`SELECT 1 FROM account_binding WHERE user_id = $1 LIMIT 1`, [userId]);
    return rows.length > 0;
  }
}
