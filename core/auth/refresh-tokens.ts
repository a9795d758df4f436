import { createHash, randomBytes, randomUUID } from 'crypto';
import { DataSource } from 'typeorm';
import { GridbusError } from '../errors';

export type SessionKind = 'user' | 'operator';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * Refresh tokens: opaque random strings, stored only as hashes. Each use
 * rotates the token (the old one is spent); presenting a spent token again
 * means it was stolen or replayed, so the whole family is revoked.
 */
export class RefreshTokens {
  /**
   * @param onRevoked told the subject of every revocation (log-out, a reused
   * token, an operator disabled) so that access tokens of the session can be
   * ended too.
   */
  constructor(private readonly ds: DataSource, private readonly ttlSeconds = 30 * 24 * 3600, private readonly onRevoked: (subject: string) => void = () => undefined) {}

  async issue(subject: string, kind: SessionKind, family: string = randomUUID()): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.ds.query(
      `INSERT INTO refresh_token (token_hash, subject, kind, family, expires_at) VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))`,
      [sha256(token), subject, kind, family, this.ttlSeconds],
    );
    return token;
  }

  /** Spends `token` and returns a new one of the same family (the session, `family`), or refuses. */
  async rotate(token: string, kind: SessionKind): Promise<{ subject: string; refreshToken: string; family: string }> {
    const outcome = await this.ds.transaction(async (m): Promise<{ subject: string; refreshToken: string; family: string } | { reusedFamily: string; subject: string }> => {
      const rows: Array<{ id: string; subject: string; family: string; used_at: Date | null; revoked_at: Date | null; expired: boolean; kind: SessionKind }> = await m.query(
        `SELECT id, subject, family, used_at, revoked_at, expires_at < now() AS expired, kind FROM refresh_token WHERE token_hash = $1 FOR UPDATE`,
        [sha256(token)],
      );
      const row = rows[0];
      if (!row || row.kind !== kind) throw refused('refresh token unknown');
      if (row.revoked_at) throw refused('refresh token revoked');
      if (row.expired) throw refused('refresh token expired');
      if (row.used_at) return { reusedFamily: row.family, subject: row.subject };
      await m.query(`UPDATE refresh_token SET used_at = now() WHERE id = $1`, [row.id]);
      const next = randomBytes(32).toString('base64url');
      await m.query(
        `INSERT INTO refresh_token (token_hash, subject, kind, family, expires_at) VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))`,
        [sha256(next), row.subject, kind, row.family, this.ttlSeconds],
      );
      return { subject: row.subject, refreshToken: next, family: row.family };
    });
    if ('reusedFamily' in outcome) {
      // Outside the transaction above, so that refusing does not roll the revocation back.
      await this.ds.query(`UPDATE refresh_token SET revoked_at = now() WHERE family = $1 AND revoked_at IS NULL`, [outcome.reusedFamily]);
      this.onRevoked(outcome.subject);
      throw refused('refresh token reused: the session is revoked');
    }
    return outcome;
  }

  /** Revokes the session the token belongs to (its whole family). */
  async revoke(token: string): Promise<boolean> {
    // a CTE, because TypeORM answers a bare UPDATE ... RETURNING with [rows, count]
    const rows: Array<{ subject: string }> = await this.ds.query(
      `WITH r AS (UPDATE refresh_token SET revoked_at = now()
                   WHERE family = (SELECT family FROM refresh_token WHERE token_hash = $1) AND revoked_at IS NULL RETURNING subject)
       SELECT DISTINCT subject FROM r`,
      [sha256(token)],
    );
    if (rows.length) this.onRevoked(rows[0].subject);
    return rows.length > 0;
  }

  /** Revokes every session of a subject (e.g. an operator disabled). */
  async revokeSubject(subject: string): Promise<void> {
    await this.ds.query(`UPDATE refresh_token SET revoked_at = now() WHERE subject = $1 AND revoked_at IS NULL`, [subject]);
    this.onRevoked(subject);
  }

  /** Whether a session (family) of `subject` exists and is not revoked. */
  async isActive(subject: string, family: string, kind: SessionKind): Promise<boolean> {
    if (!UUID.test(family)) return false;
    const [row] = await this.ds.query(
      `SELECT count(*) > 0 AND bool_and(revoked_at IS NULL) AS active FROM refresh_token WHERE family = $1::uuid AND subject = $2 AND kind = $3`,
      [family, subject, kind],
    );
    return row.active === true;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function refused(reason: string): GridbusError {
  return new GridbusError('UNAUTHORIZED', `Authentication failed: ${reason}`, { details: { reason } });
}
