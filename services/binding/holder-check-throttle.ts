import { DataSource } from 'typeorm';

export type AttemptOutcome = 'matched' | 'mismatch' | 'error';

export interface AttemptStart {
  /** The attempt's row, to be finished with its outcome; null when refused. */
  id: string | null;
  /** Seconds until the oldest failure in the window leaves it (when refused). */
  retryAfterS: number;
}

/**
 * Throttles guessing in manual binding: failed holder checks of one account
 * by one user within a window (binding_attempt). An attempt is written as
 * `pending` before the marketing system is asked and counted with the
 * failures, so that concurrent guesses see each other: at most `maxFailures`
 * checks can be under way or failed in the window, never more (two racing at
 * the limit may both be refused: the safe side).
 */
export class HolderCheckThrottle {
  constructor(
    private readonly ds: DataSource,
    private readonly maxFailures: number,
    private readonly windowS: number,
  ) {}

  async begin(userId: string, accountNo: string): Promise<AttemptStart> {
    const [row] = (await this.ds.query(`INSERT INTO binding_attempt (user_id, account_no) VALUES ($1, $2) RETURNING id`, [userId, accountNo])) as Array<{ id: string }>;
    const [counted] = (await this.ds.query(
      `SELECT count(*)::int AS n,
              ceil(extract(epoch FROM (min(at) + make_interval(secs => $3) - now())))::int AS retry_after_s
         FROM binding_attempt
        WHERE user_id = $1 AND account_no = $2 AND outcome IN ('pending', 'mismatch')
          AND at > now() - make_interval(secs => $3)`,
      [userId, accountNo, this.windowS],
    )) as Array<{ n: number; retry_after_s: number | null }>;
    if (counted.n <= this.maxFailures) return { id: String(row.id), retryAfterS: 0 };
    await this.ds.query(`UPDATE binding_attempt SET outcome = 'throttled' WHERE id = $1`, [row.id]);
    return { id: null, retryAfterS: Math.max(1, counted.retry_after_s ?? this.windowS) };
  }

  async finish(id: string, outcome: AttemptOutcome): Promise<void> {
    await this.ds.query(`UPDATE binding_attempt SET outcome = $2 WHERE id = $1`, [id, outcome]);
  }

  /** Attempts older than twice the window tell nothing any more. */
  async prune(): Promise<number> {
    const rows = await this.ds.query(`DELETE FROM binding_attempt WHERE at < now() - make_interval(secs => $1) RETURNING id`, [this.windowS * 2]);
    const returned = Array.isArray(rows[0]) ? rows[0] : rows;
    return returned.length;
  }
}
