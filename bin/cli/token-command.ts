import { signAccessToken } from '../../core/auth';
import { readJwtKeys } from '../../services/auth/jwt-keys';
import { UsageError } from './cli-error';
import { option, readConfig } from './options';

/**
 * `gridbus token`: a demo life-number user token, signed with the keys of
 * the local bus (JWT_SECRET / JWT_KEYS, or the ring the embedded default
 * generated in VAR_DIR). There is no --roles: operator tokens come only
 * from logging in (gridbus login, POST /admin/api/session).
 */
export async function tokenCommand(args: string[]): Promise<void> {
  const config = readConfig(args);
  const ttl = Number(option(args, 'ttl') ?? 3600);
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 86400) throw new UsageError('--ttl must be whole seconds 1-86400');
  // no keys: a ConfigError saying what to do (exit 2)
  const { auth } = readJwtKeys(config);
  process.stdout.write(`${signAccessToken(auth, { sub: option(args, 'sub') ?? 'demo-user' }, ttl)}\n`);
}
