import { DataSource } from 'typeorm';
import { hashPassword, verifyPassword } from '../../core/auth';
import { GridbusError } from '../../core/errors';

export const ROLES = ['admin', 'operator', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export interface LockoutPolicy {
  maxFailures: number;
  lockSeconds: number;
}

interface Row {
  id: string;
  username: string;
  password_hash: string;
  roles: Role[];
  failed_attempts: number;
  locked: boolean;
  disabled: boolean;
}

/** A hash to compare against for unknown names, so timing does not tell which names exist. */
let decoyHash: Promise<string> | null = null;

/** Operator accounts: slow-hashed passwords, roles, lock-out after repeated failures. */
export class OperatorAccounts {
  constructor(private readonly ds: DataSource, private readonly lockout: LockoutPolicy = { maxFailures: 5, lockSeconds: 900 }) {}

  async count(): Promise<number> {
    const [row] = await this.ds.query('SELECT count(*)::int AS n FROM operator');
    return row.n;
  }

  async create(username: string, password: string, roles: Role[]): Promise<{ id: string; username: string; roles: Role[] }> {
    if (!/^[a-z][a-z0-9._-]{2,31}$/.test(username)) throw new GridbusError('VALIDATION_FAILED', 'username must be 3-32 lower-case letters, digits, dot, dash or underscore, starting with a letter');
    if (password.length < 12) throw new GridbusError('VALIDATION_FAILED', 'password must have at least 12 characters');
    if (!roles.length || roles.some((r) => !ROLES.includes(r))) throw new GridbusError('VALIDATION_FAILED', `roles must be some of ${ROLES.join(', ')}`);
    const hash = await hashPassword(password);
    try {
      const [row] = await this.ds.query('INSERT INTO operator (username, password_hash, roles) VALUES ($1, $2, $3) RETURNING id, username, roles', [username, hash, roles]);
      return row;
    } catch (err) {
      if ((err as { code?: string }).code === '23505') throw new GridbusError('VALIDATION_FAILED', `operator '${username}' exists already`);
      throw err;
    }
  }

  /**
   * Checks a password. Every failure looks the same to the caller (unknown
   * name, wrong password, locked, disabled) and counts towards the lock-out.
   */
  async authenticate(username: string, password: string): Promise<{ username: string; roles: Role[] } | { refused: 'invalid' | 'locked' }> {
    const rows: Row[] = await this.ds.query(
      'SELECT id, username, password_hash, roles, failed_attempts, locked_until > now() AS locked, disabled FROM operator WHERE username = $1',
      [username],
    );
    const row = rows[0];
    if (!row) {
      decoyHash ??= hashPassword('decoy-password-for-timing');
      await verifyPassword(password, await decoyHash);
      return { refused: 'invalid' };
    }
    if (row.locked) return { refused: 'locked' };
    const ok = !row.disabled && (await verifyPassword(password, row.password_hash));
    if (!ok) {
      await this.ds.query(
        `UPDATE operator SET failed_attempts = failed_attempts + 1,
           locked_until = CASE WHEN failed_attempts + 1 >= $2 THEN now() + make_interval(secs => $3) ELSE locked_until END
         WHERE id = $1`,
        [row.id, this.lockout.maxFailures, this.lockout.lockSeconds],
      );
      return { refused: row.failed_attempts + 1 >= this.lockout.maxFailures ? 'locked' : 'invalid' };
    }
    await this.ds.query('UPDATE operator SET failed_attempts = 0, locked_until = NULL, last_login_at = now() WHERE id = $1', [row.id]);
    return { username: row.username, roles: row.roles };
  }

  async rolesOf(username: string): Promise<Role[] | null> {
    const rows = await this.ds.query('SELECT roles FROM operator WHERE username = $1 AND NOT disabled', [username]);
    return rows[0]?.roles ?? null;
  }
}
