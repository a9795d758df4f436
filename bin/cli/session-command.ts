import { CliCommand } from './command';
import { SessionFile } from './session-file';

export const SESSION_USAGE = `Usage: gridbus session

Shows the sessions kept by gridbus login (bus, operator, roles, expiry of the access token) and
which one commands use by default (*). Talks to no bus.

  -h, --help    this help`;

export const sessionCommand: CliCommand = {
  name: 'session',
  summary: 'show the kept sessions (no bus is contacted)',
  usage: SESSION_USAGE,
  options: {},
  async run() {
    const file = new SessionFile();
    const sessions = file.list();
    if (!sessions.length) {
      process.stdout.write(`not logged in (no sessions in ${file.file}): run gridbus login --url URL\n`);
      return 0;
    }
    const current = file.current();
    for (const s of sessions) {
      const renewable = s.refreshToken ? 'refreshable' : 'from a token, not refreshable';
      process.stdout.write(`${s.url === current ? '*' : ' '} ${s.url}  ${s.user} (${s.roles.join(', ') || 'roles unknown'})  access token until ${s.expiresAt}, ${renewable}\n`);
    }
    process.stdout.write(`(${file.file})\n`);
    return 0;
  },
};
