import { signAccessToken, signOperatorToken } from '../../core/auth';
import { option, readConfig } from './options';

/** `gridbus token`: a demo user token (or with --roles an operator token) signed with the local key. */
export async function tokenCommand(args: string[]): Promise<void> {
  const config = readConfig(args);
  const ttl = Number(option(args, 'ttl') ?? 3600);
  const roles = option(args, 'roles');
  const token = roles
    ? signOperatorToken(config.auth, { sub: option(args, 'sub') ?? 'demo-operator', roles: roles.split(',') }, ttl)
    : signAccessToken(config.auth, { sub: option(args, 'sub') ?? 'demo-user' }, ttl);
  process.stdout.write(`${token}\n`);
}
