import { maskIdNumber, maskName, PiiCipher } from '../../core/crypto';
import type { SqlRunner } from '../../core/outbox/outbox-writer';

export interface RealNameView {
  checked: boolean;
  certified: boolean | null;
  name: string | null;
  certNo: string | null;
  checkedAt: string | null;
  /** ALIPAY: the user's last check (POST /api/v1/me/real-name); BINDING: the certified identity an identity binding was made with. */
  source: 'ALIPAY' | 'BINDING' | null;
}

const NEVER: RealNameView = { checked: false, certified: null, name: null, certNo: null, checkedAt: null, source: null };

/**
 * The newest thing the bus knows about a user's real name: Alipay's answer
 * to the user's last check, or the identity of an active identity binding
 * (binding by identity requires a certified Alipay account, and the binding
 * service keeps that identity encrypted in account_binding). Masked.
 */
export async function currentRealName(db: SqlRunner, cipher: PiiCipher, userId: string): Promise<RealNameView> {
  const rows = (await db.query(
    `SELECT certified, name_enc, cert_no_enc, checked_at AS at, 'ALIPAY' AS source FROM power_real_name WHERE user_id = $1
     UNION ALL
     SELECT true, name_enc, cert_no_enc, bound_at, 'BINDING' FROM account_binding WHERE user_id = $1 AND status = 'active' AND kind = 'IDENTITY'
     ORDER BY at DESC LIMIT 1`,
    [userId],
  )) as Array<{ certified: boolean; name_enc: string | null; cert_no_enc: string | null; at: Date; source: 'ALIPAY' | 'BINDING' }>;
  const row = rows[0];
  if (!row) return NEVER;
  return {
    checked: true,
    certified: row.certified,
    name: row.name_enc ? maskName(cipher.decrypt(row.name_enc)) : null,
    certNo: row.cert_no_enc ? maskIdNumber(cipher.decrypt(row.cert_no_enc)) : null,
    checkedAt: new Date(row.at).toISOString(),
    source: row.source,
  };
}
