import { randomBytes } from 'crypto';
import { DataSource } from 'typeorm';
import { hashPassword, verifyPassword } from '../../core/auth';
import { GridbusError } from '../../core/errors';

export const ROLES = ['admin', 'operator', 'auditor', 'editor'] as const;
export type Role = (typeof ROLES)[number];

const USERNAME = /^[a-z][a-z0-9._-]{2,31}$/;

interface Row {
  username: string;
  password_hash: string;
  roles: Role[];
  disabled: boolean;
}

/** A hash of a random password to check unknown names against, so an answer takes as long for them as for a real operator. */
let decoyHash: Promise<string> | null = null;

/**
 * Operator accounts: slow-hashed passwords, roles, enabled or not. Failed
 * log-ins are throttled per (name, address) in login-throttle.ts, not here.
 */
export class OperatorAccounts {
  constructor(private readonly ds: DataSource) {}

  async count(): Promise<number> {
    const [row] = await this.ds.query('SELECT count(*)::int AS n FROM operator');
    return row.n;
  }

  async create(username: string, password: string, roles: Role[]): Promise<{ id: string; username: string; roles: Role[] }> {
    if (!USERNAME.test(username)) throw new GridbusError('VALIDATION_FAILED', 'username must be 3-32 lower-case letters, digits, dot, dash or underscore, starting with a letter');
    if (password.length < 12) throw new GridbusError('VALIDATION_FAILED', 'password must have at least 12 characters');
    checkRoles(roles);
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
   * Checks a password: the operator when it is right and the account is
   * enabled, otherwise null. A hash is verified in every case (the decoy for
   * unknown names, the real one for disabled accounts), so the time taken
   * does not tell which names exist.
   */
  async authenticate(username: string, password: string): Promise<{ username: string; roles: Role[] } | null> {
    const rows: Row[] = await this.ds.query('SELECT username, password_hash, roles, disabled FROM operator WHERE username = $1', [username]);
    const row = rows[0];
    if (!row) {
      decoyHash ??= hashPassword(randomBytes(16).toString('base64url'));
      await verifyPassword(password, await decoyHash);
      return null;
    }
    const ok = await verifyPassword(password, row.password_hash);
    if (!ok || row.disabled) return null;
    await this.ds.query('UPDATE operator SET last_login_at = now() WHERE username = $1', [row.username]);
    return { username: row.username, roles: row.roles };
  }

  async rolesOf(username: string): Promise<Role[] | null> {
    const rows = await this.ds.query('SELECT roles FROM operator WHERE username = $1 AND NOT disabled', [username]);
    return rows[0]?.roles ?? null;
  }

  /** Enables or disables an operator and/or replaces its roles; null when there is no such operator. */
  async update(username: string, change: { enabled?: boolean; roles?: Role[] }): Promise<{ username: string; roles: Role[]; enabled: boolean } | null> {
    if (change.roles) checkRoles(change.roles);
    const rows: Array<{ username: string; roles: Role[]; disabled: boolean }> = await this.ds.query(
      // a CTE, because TypeORM answers a bare UPDATE ... RETURNING with [rows, count]
      `WITH u AS (UPDATE operator SET disabled = COALESCE($2, disabled), roles = COALESCE($3, roles) WHERE username = $1 RETURNING username, roles, disabled)
       SELECT * FROM u`,
      [username, change.enabled === undefined ? null : !change.enabled, change.roles ?? null],
    );
    const row = rows[0];
    return row ? { username: row.username, roles: row.roles, enabled: !row.disabled } : null;
  }
}

function checkRoles(roles: Role[]): void {
  if (!roles.length || roles.some((r) => !ROLES.includes(r))) throw new GridbusError('VALIDATION_FAILED', `roles must be some of ${ROLES.join(', ')}`);
}
