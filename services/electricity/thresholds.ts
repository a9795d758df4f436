import { DataSource } from 'typeorm';

/** The low-balance threshold a user set for one of their accounts (integer fen), or null. */
export async function thresholdOf(ds: DataSource, userId: string, accountNo: string): Promise<number | null> {
  const rows = (await ds.query(`SELECT threshold_fen FROM electricity_balance_thresholds WHERE user_id = $1 AND account_no = $2`, [userId, accountNo])) as Array<{ threshold_fen: string }>;
  return rows.length ? Number(rows[0].threshold_fen) : null;
}

export async function setThreshold(ds: DataSource, userId: string, accountNo: string, thresholdFen: number): Promise<{ thresholdFen: number; updatedAt: string }> {
  const rows = (await ds.query(
    `INSERT INTO electricity_balance_thresholds (user_id, account_no, threshold_fen) VALUES ($1, $2, $3)
     ON CONFLICT (user_id, account_no) DO UPDATE SET threshold_fen = EXCLUDED.threshold_fen, updated_at = now()
     RETURNING threshold_fen, updated_at`,
    [userId, accountNo, thresholdFen],
  )) as Array<{ threshold_fen: string; updated_at: Date }>;
  return { thresholdFen: Number(rows[0].threshold_fen), updatedAt: rows[0].updated_at.toISOString() };
}
