import { DataSource } from 'typeorm';
import { LookupHasher, PiiCipher } from '../../core/crypto';
import { enqueueOutbox } from '../../core/outbox';

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
   * Binds (idempotent: an active binding of the same user and account is kept
   * as it is). A new binding and its archive update for the marketing system
   * (an outbox row) commit together or not at all.
   */
  async bind(userId: string, accountNo: string, identity: HolderIdentity): Promise<{ created: boolean; boundAt: Date }> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const created = await this.ds.transaction(async (tx) => {
        const inserted: Array<{ bound_at: Date }> = await tx.query(
          `INSERT INTO account_binding (user_id, account_no, cert_no_enc, mobile_enc, name_enc, cert_no_hash)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (user_id, account_no) WHERE status = 'active' DO NOTHING
           RETURNING bound_at`,
          [
            userId,
            accountNo,
            this.cipher.encrypt(identity.certNo),
            identity.mobile === null ? null : this.cipher.encrypt(identity.mobile),
            this.cipher.encrypt(identity.name),
            this.certHash(identity.certNo),
          ],
        );
        if (!inserted.length) return null;
        await enqueueOutbox(tx, this.cipher, {
          operation: ARCHIVE_UPDATE_OPERATION,
          partitionKey: accountNo,
          payload: { accountNo, certNo: identity.certNo, mobile: identity.mobile, name: identity.name },
          piiFields: ['certNo', 'mobile', 'name'],
        });
        return inserted[0].bound_at;
      });
      if (created) return { created: true, boundAt: created };
      const existing: Array<{ bound_at: Date }> = await this.ds.query(
        `SELECT bound_at FROM account_binding WHERE user_id = $1 AND account_no = $2 AND status = 'active'`,
        [userId, accountNo],
      );
      // unbound between the two statements: try again
      if (existing.length) return { created: false, boundAt: existing[0].bound_at };
    }
    throw new Error('account binding kept changing under a concurrent unbind');
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

  async list(userId: string): Promise<ActiveBinding[]> {
    const rows: Array<{ account_no: string; bound_at: Date; name_enc: string }> = await this.ds.query(
      `SELECT account_no, bound_at, name_enc FROM account_binding WHERE user_id = $1 AND status = 'active' ORDER BY bound_at, id`,
      [userId],
    );
    return rows.map((r) => ({ accountNo: r.account_no, boundAt: r.bound_at, holderName: this.cipher.decrypt(r.name_enc) }));
  }

  /** Ends the user's active binding of the account; false when there is none (never another user's). */
  async unbind(userId: string, accountNo: string): Promise<boolean> {
    const rows = await this.ds.query(
      `UPDATE account_binding SET status = 'unbound', unbound_at = now()
        WHERE user_id = $1 AND account_no = $2 AND status = 'active' RETURNING id`,
      [userId, accountNo],
    );
    // TypeORM answers [rows, count] for an UPDATE ... RETURNING on PostgreSQL
    const returned = Array.isArray(rows[0]) ? rows[0] : rows;
    return returned.length > 0;
  }

  /** Whether the user ever had a binding (active or not). */
  async hasHistory(userId: string): Promise<boolean> {
    const rows = await this.ds.query(`SELECT 1 FROM account_binding WHERE user_id = $1 LIMIT 1`, [userId]);
    return rows.length > 0;
  }
}
