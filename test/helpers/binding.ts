import { Client } from 'pg';
import { LookupHasher, PiiCipher } from '../../core/crypto';
import { findHousehold } from '../../simulators/marketing/dataset';

/**
 * PII keys for buses on the test database: a node with DATABASE_URL must be
 * given them (services/binding/pii-keys.ts). Spread into loadConfig / a
 * BusProcess env together with `binding` in SERVICES.
 */
export const TEST_PII_ENV = {
  PII_ENC_KEY: '6b1f3c0a9d4e2b7f8a5c1d3e9f0a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a',
  PII_HASH_KEY: 'c4e2a0f8d6b4a2c0e8f6d4b2a0c8e6f4d2b0a8c6e4f2d0b8a6c4e2f0d8b6a4c2',
} as const;

/** Who holds the accounts the dataset does not know (the unknown and scripted ones): made up. */
const PLACEHOLDER_HOLDER = { certNo: '330106199001010011', mobile: '13800000099', name: '测试' };

/**
 * Binds `userId` to accounts by writing account_binding rows directly (PII
 * encrypted with TEST_PII_ENV, as the binding service writes them), for specs
 * that read arrears and are not about binding. Idempotent. Run it once the
 * bus has migrated `dbUrl`. The real flow is covered by
 * test/integration/services/binding/binding.spec.ts.
 */
export async function bindAccounts(dbUrl: string, userId: string, accountNos: readonly string[]): Promise<void> {
  const cipher = new PiiCipher(TEST_PII_ENV.PII_ENC_KEY);
  const hasher = new LookupHasher(TEST_PII_ENV.PII_HASH_KEY);
  const c = new Client({ connectionString: dbUrl });
  await c.connect();
  try {
    for (const accountNo of accountNos) {
      const h = findHousehold(accountNo);
      const holder = h ? { certNo: h.CertNo, mobile: h.Mobile, name: h.ConsName } : PLACEHOLDER_HOLDER;
      await c.query(
        `INSERT INTO account_binding (user_id, account_no, cert_no_enc, mobile_enc, name_enc, cert_no_hash)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (user_id, account_no) WHERE status = 'active' DO NOTHING`,
        [userId, accountNo, cipher.encrypt(holder.certNo), cipher.encrypt(holder.mobile), cipher.encrypt(holder.name), hasher.hash('idNumber', holder.certNo)],
      );
    }
  } finally {
    await c.end();
  }
}
