import { Client } from 'pg';
import { PiiCipher } from '../../core/crypto';
import { sealPayload } from '../../core/outbox';
import { TEST_PII_ENV } from './binding';

export interface OutboxRow {
  id: string;
  operation: string;
  partition_key: string;
  serial: string;
  status: string;
  attempts: number;
  last_error: string | null;
  delivered_at: Date | null;
  payload: { data: Record<string, unknown>; pii: string | null };
}

/** Outbox rows as a test writes them: sealed with TEST_PII_ENV's key, with the serial the test chooses. */
export async function insertOutboxRows(
  dbUrl: string,
  rows: Array<{ operation?: string; serial: string; accountNo: string; certNo: string; mobile: string | null; name: string; status?: string; ageS?: number; lastError?: string }>,
): Promise<string[]> {
  const cipher = new PiiCipher(TEST_PII_ENV.PII_ENC_KEY);
  const c = new Client({ connectionString: dbUrl });
  await c.connect();
  try {
    const ids: string[] = [];
    await c.query('BEGIN');
    for (const r of rows) {
      const payload = sealPayload(cipher, { accountNo: r.accountNo, certNo: r.certNo, mobile: r.mobile, name: r.name }, ['certNo', 'mobile', 'name']);
      const res = await c.query(
        `INSERT INTO outbox (operation, partition_key, serial, payload, status, last_error, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, now() - ($7::int * interval '1 second')) RETURNING id`,
        [r.operation ?? 'marketing.updateArchive', r.accountNo, r.serial, JSON.stringify(payload), r.status ?? 'pending', r.lastError ?? null, r.ageS ?? 0],
      );
      ids.push(String(res.rows[0].id));
    }
    await c.query('COMMIT');
    return ids;
  } finally {
    await c.end();
  }
}
