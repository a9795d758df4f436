import { DataSource } from 'typeorm';

export interface ThrottlePolicy {
  /** Attempts per (name, address) checked without a wait. */
  freeAttempts: number;
  /** The wait after the last free attempt, seconds; doubled with each further failure. */
  firstWaitSeconds: number;
  maxWaitSeconds: number;
  /** Failures are forgotten this long after the last one, seconds. */
  forgetAfterSeconds: number;
}

/** 3 attempts, then 5 s, 10 s, 20 s ... at most 15 min between attempts; forgotten an hour after the last failure. */
export const DEFAULT_THROTTLE: ThrottlePolicy = { freeAttempts: 3, firstWaitSeconds: 5, maxWaitSeconds: 900, forgetAfterSeconds: 3600 };

export type Admission = { admitted: true } | { admitted: false; retryAfterMs: number };

/**
 * Log-in throttling per (user name, client address), in PostgreSQL so every
 * node counts together. An attempt is counted as a failure *before* its
 * password is checked, in one statement (INSERT ... ON CONFLICT DO UPDATE
 * takes the row lock), so concurrent guesses each see the ones before them:
 * of 100 sent at once only the free attempts are checked. Once the count
 * reaches the free attempts, each further attempt must wait, doubling up to
 * the cap; attempts during a wait are refused unchecked and uncounted. A
 * success takes back only its own count, never the failures racing it.
 * Keyed by address too, so nobody elsewhere can make an operator wait.
 */
export class LoginThrottle {
  constructor(private readonly ds: DataSource, private readonly policy: ThrottlePolicy = DEFAULT_THROTTLE) {}

  async admit(username: string, clientIp: string): Promise<Admission> {
    const { freeAttempts, firstWaitSeconds, maxWaitSeconds, forgetAfterSeconds } = this.policy;
    const count = `CASE WHEN t.last_failure_at < now() - make_interval(secs => $6) THEN 1 ELSE t.failures + 1 END`;
    const waitFor = (n: string) => `CASE WHEN ${n} >= $3 THEN now() + make_interval(secs => LEAST($4 * power(2, ${n} - $3), $5)) END`;
    const admitted: Array<{ failures: number }> = await this.ds.query(
      `INSERT INTO login_throttle AS t (username, client_ip, failures, retry_at, last_failure_at)
       VALUES ($1, $2, 1, ${waitFor('1')}, now())
       ON CONFLICT (username, client_ip) DO UPDATE
         SET failures = ${count}, retry_at = ${waitFor(count)}, last_failure_at = now()
         WHERE t.retry_at IS NULL OR t.retry_at <= now()
       RETURNING failures`,
      [username, clientIp, freeAttempts, firstWaitSeconds, maxWaitSeconds, forgetAfterSeconds],
    );
    if (admitted.length) return { admitted: true };
    const [row] = await this.ds.query(
      `SELECT GREATEST(ceil(extract(epoch FROM retry_at - now()) * 1000), 1000)::int AS wait_ms FROM login_throttle WHERE username = $1 AND client_ip = $2`,
      [username, clientIp],
    );
    return { admitted: false, retryAfterMs: row?.wait_ms ?? firstWaitSeconds * 1000 };
  }

  /** The attempt was right: take back its own count (the failures around it stay, and so does a wait they started). */
  async succeeded(username: string, clientIp: string): Promise<void> {
    await this.ds.query(`UPDATE login_throttle SET failures = GREATEST(failures - 1, 0) WHERE username = $1 AND client_ip = $2`, [username, clientIp]);
  }

  /** Drops what is forgotten anyway (names sprayed by a guesser leave rows). */
  async forgetOld(): Promise<number> {
    const rows = await this.ds.query(
      `WITH d AS (DELETE FROM login_throttle WHERE last_failure_at < now() - make_interval(secs => $1) AND (retry_at IS NULL OR retry_at < now()) RETURNING 1)
       SELECT count(*)::int AS n FROM d`,
      [this.policy.forgetAfterSeconds],
    );
    return rows[0].n;
  }
}
