import { Client } from 'pg';
import { hashPassword } from '../../core/auth';
import { http } from './http';

const PASSWORD = 'integration-operator-password-123';

/**
 * An operator token as operators get one: the operator is written to the
 * bus's database (any name, roles as given, enabled) and logs in at
 * POST /admin/api/session. A token signed by a spec is refused: the gateway
 * checks the operator and its session (services/gateway/auth/bearer-auth.ts).
 * The bus needs the auth service (on any node).
 */
export async function operatorToken(dbUrl: string, gatewayUrl: string, username: string, roles: string[]): Promise<string> {
  const c = new Client({ connectionString: dbUrl });
  await c.connect();
  try {
    await c.query(
      `INSERT INTO operator (username, password_hash, roles) VALUES ($1, $2, $3)
       ON CONFLICT (username) DO UPDATE SET password_hash = EXCLUDED.password_hash, roles = EXCLUDED.roles, disabled = false`,
      [username, await hashPassword(PASSWORD), roles],
    );
  } finally {
    await c.end();
  }
  const res = await http(`${gatewayUrl}/admin/api/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  if (res.status !== 200) throw new Error(`log-in of operator ${username} answered ${res.status}: ${res.text}`);
  return res.json.accessToken as string;
}
