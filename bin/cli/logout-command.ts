import { CliError } from './cli-error';
import { CliCommand } from './command';
import { chosenBusUrl } from './bus-url';
import { refusal, requestBus } from './bus-request';
import { SessionFile } from './session-file';
import { stringOption } from './options';

export const LOGOUT_USAGE = `Usage: gridbus logout [--url URL]

Ends the session with the bus (POST /admin/api/session/logout: the bus revokes it) and deletes it
from the session file; the file is deleted when no session is left.

  --url URL     the bus (default GRIDBUS_URL, else the bus of the last log-in)
  -h, --help    this help`;

export const logoutCommand: CliCommand = {
  name: 'logout',
  summary: 'end the session with a bus and delete it',
  usage: LOGOUT_USAGE,
  options: { url: { type: 'string' } },
  async run(line) {
    const file = new SessionFile();
    const url = chosenBusUrl(stringOption(line, 'url'), file);
    const session = url ? file.get(url) : null;
    if (!url || !session) {
      process.stderr.write(`not logged in${url ? ` to ${url}` : ''}: nothing to do\n`);
      return 0;
    }
    process.stderr.write(`bus: ${url} as ${session.user}\n`);
    // forgotten here whatever the bus answers: a session the operator wants gone must not stay usable from this file
    file.remove(url);
    const gone = file.list().length === 0 ? `${file.file} deleted` : `removed from ${file.file}`;
    if (!session.refreshToken) {
      process.stdout.write(`logged out of ${url} (${gone}); the token itself stays valid until ${session.expiresAt}\n`);
      return 0;
    }
    const answer = await requestBus(url, 'POST', 'session/logout', { token: session.accessToken, body: { refreshToken: session.refreshToken } }).catch((err: Error) => err);
    if (answer instanceof Error || !answer.ok) {
      const why = answer instanceof Error ? answer.message : refusal(answer);
      throw new CliError(`the session is ${gone}, but the bus did not confirm the log-out (${why}): the refresh token may stay valid until it expires`);
    }
    process.stdout.write(`logged out of ${url} (${gone})\n`);
    return 0;
  },
};
