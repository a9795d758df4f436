import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CliError } from './cli-error';

/** What `gridbus login` keeps for one bus. */
export interface BusSession {
  /** The bus's base URL, as normalised by `busUrl`. */
  url: string;
  user: string;
  roles: string[];
  accessToken: string;
  /** Absent when the session started from a token an operator obtained (`login --token`). */
  refreshToken: string | null;
  /** When the access token expires (ISO 8601). */
  expiresAt: string;
}

interface SessionFileContent {
  /** The bus that commands talk to when no --url / GRIDBUS_URL names one: the last one logged in to. */
  current: string | null;
  sessions: Record<string, BusSession>;
}

/** GRIDBUS_SESSION_FILE, else `$XDG_CONFIG_HOME/gridbus/session.json` (default `~/.config`). */
export function sessionFilePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.GRIDBUS_SESSION_FILE) return path.resolve(env.GRIDBUS_SESSION_FILE);
  return path.join(env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config'), 'gridbus', 'session.json');
}

/**
 * The CLI's sessions, one per bus, in a file only its owner can read (0600, in a 0700 folder when the
 * CLI creates it): it holds bearer tokens. A file others can read is refused, as ssh refuses a key.
 */
export class SessionFile {
  constructor(readonly file: string = sessionFilePath()) {}

  list(): BusSession[] {
    return Object.values(this.read().sessions);
  }

  current(): string | null {
    return this.read().current;
  }

  get(url: string): BusSession | null {
    return this.read().sessions[url] ?? null;
  }

  /** Keeps the session and makes its bus the current one. */
  save(session: BusSession, makeCurrent = true): void {
    const content = this.read();
    content.sessions[session.url] = session;
    if (makeCurrent || !content.current) content.current = session.url;
    this.write(content);
  }

  /** Forgets the session of `url`; the file is deleted when no session is left. */
  remove(url: string): void {
    const content = this.read();
    delete content.sessions[url];
    if (content.current === url) content.current = Object.keys(content.sessions)[0] ?? null;
    this.write(content);
  }

  private read(): SessionFileContent {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { current: null, sessions: {} };
      throw err;
    }
    if ((stat.mode & 0o077) !== 0) {
      throw new CliError(`the session file ${this.file} can be read by others (mode ${(stat.mode & 0o777).toString(8)}): chmod 600 it, or delete it and log in again`, 2);
    }
    try {
      const parsed = JSON.parse(fs.readFileSync(this.file, 'utf8')) as Partial<SessionFileContent>;
      return { current: parsed.current ?? null, sessions: parsed.sessions ?? {} };
    } catch (err) {
      throw new CliError(`the session file ${this.file} is not readable JSON (${(err as Error).message}): delete it and log in again`, 2);
    }
  }

  private write(content: SessionFileContent): void {
    if (!Object.keys(content.sessions).length) {
      fs.rmSync(this.file, { force: true });
      return;
    }
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    // a new file with mode 0600 from the start, then renamed over the old one: never readable by others, never half written
    const temp = `${this.file}.${process.pid}.tmp`;
    fs.rmSync(temp, { force: true });
    fs.writeFileSync(temp, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    fs.renameSync(temp, this.file);
  }
}
