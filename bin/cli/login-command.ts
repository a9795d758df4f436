import { decode } from 'jsonwebtoken';
import { CliError, UsageError } from './cli-error';
import { CliCommand } from './command';
import { SessionAnswer, sessionFromAnswer } from './admin-api';
import { busUrl, DEFAULT_BUS_URL, sendsInClear } from './bus-url';
import { refusal, requestBus } from './bus-request';
import { operatorPassword } from './password-input';
import { BusSession, SessionFile } from './session-file';
import { stringOption } from './options';

const DEFAULT_USER = 'admin';

export const LOGIN_USAGE = `Usage: gridbus login [--url URL] [--user NAME] [--password-stdin]
       gridbus login [--url URL] --token TOKEN

Logs in to a bus as an operator (POST /admin/api/session) and keeps the session (bus URL, user,
access and refresh token, expiry) in a file only you can read: GRIDBUS_SESSION_FILE, default
~/.config/gridbus/session.json (mode 0600). Commands that talk to a bus use it, refreshing the
access token when it has expired; the last bus logged in to is the one they talk to unless
--url or GRIDBUS_URL names another.

  --url URL           the bus (default GRIDBUS_URL, else ${DEFAULT_BUS_URL})
  --user NAME         the operator (default GRIDBUS_USER, else ${DEFAULT_USER})
  --password-stdin    read the password from the first line of standard input
                      (else GRIDBUS_PASSWORD, else a prompt that does not echo)
  --token TOKEN       keep an operator access token obtained elsewhere instead of logging in
                      (it cannot be refreshed: log in again when it expires)
  -h, --help          this help`;

/** The name, roles and expiry an operator token carries (read, not verified: the bus verifies it). */
function describeToken(token: string): { user: string; roles: string[]; expiresAt: string } {
  const claims = decode(token, { json: true });
  if (!claims) throw new UsageError('--token takes an operator access token (a JWT)');
  if (typeof claims.exp !== 'number') throw new UsageError('the token has no expiry (exp): the bus refuses such tokens');
  if (claims.exp * 1000 <= Date.now()) throw new CliError(`the token expired at ${new Date(claims.exp * 1000).toISOString()}`, 2);
  const roles = Array.isArray(claims.roles) ? claims.roles.map(String) : [];
  return { user: String(claims.sub ?? 'unknown'), roles, expiresAt: new Date(claims.exp * 1000).toISOString() };
}

async function sessionFromToken(url: string, token: string): Promise<BusSession> {
  const session: BusSession = { url, ...describeToken(token), accessToken: token, refreshToken: null };
  // the bus is the judge: a token it refuses is not kept
  const answer = await requestBus(url, 'GET', 'mappings/active', { token });
  if (answer.status === 401) throw new CliError(`the bus refused the token: ${refusal(answer)}`, 2);
  return session;
}

async function sessionFromPassword(url: string, user: string, fromStdin: boolean): Promise<BusSession> {
  if (sendsInClear(url)) process.stderr.write(`warning: ${url} is plain http beyond this machine: the password can be read on the way; prefer https\n`);
  const password = await operatorPassword(user, fromStdin);
  const answer = await requestBus(url, 'POST', 'session', { body: { username: user, password } });
  if (answer.status === 401 || answer.status === 429) throw new CliError(`log-in refused: ${refusal(answer)}`, 2);
  if (!answer.ok) throw new CliError(`log-in failed: ${refusal(answer)}`);
  return sessionFromAnswer(url, user, answer.payload as SessionAnswer);
}

/** A second log-in to the same bus replaces the session: the bus revokes the old one (best effort). */
async function endReplacedSession(old: BusSession | null): Promise<void> {
  if (!old?.refreshToken) return;
  await requestBus(old.url, 'POST', 'session/logout', { token: old.accessToken, body: { refreshToken: old.refreshToken } }).catch(() => undefined);
}

export const loginCommand: CliCommand = {
  name: 'login',
  summary: 'log in to a bus as an operator and keep the session (0600 file)',
  usage: LOGIN_USAGE,
  options: { url: { type: 'string' }, user: { type: 'string' }, 'password-stdin': { type: 'boolean' }, token: { type: 'string' } },
  async run(line) {
    const token = stringOption(line, 'token');
    if (token !== undefined && (line.values['password-stdin'] || line.values.user !== undefined)) {
      throw new UsageError('--token replaces the log-in: it takes no --user or --password-stdin');
    }
    const url = busUrl(stringOption(line, 'url') ?? (process.env.GRIDBUS_URL || DEFAULT_BUS_URL));
    const user = stringOption(line, 'user') ?? (process.env.GRIDBUS_USER || DEFAULT_USER);
    process.stderr.write(`bus: ${url}\n`);
    const session = token !== undefined ? await sessionFromToken(url, token) : await sessionFromPassword(url, user, line.values['password-stdin'] === true);
    const file = new SessionFile();
    await endReplacedSession(file.get(url));
    file.save(session);
    const roles = session.roles.length ? ` (${session.roles.join(', ')})` : '';
    process.stdout.write(`logged in to ${url} as ${session.user}${roles}; session kept in ${file.file}\n`);
    return 0;
  },
};
