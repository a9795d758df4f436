import { CliError } from './cli-error';
import { CommandLine, stringOption } from './options';
import { chosenBusUrl } from './bus-url';
import { BusAnswer, refusal, requestBus } from './bus-request';
import { BusSession, SessionFile } from './session-file';

/** An access token this close to its expiry is refreshed first, so it does not expire on the way. */
const EXPIRY_MARGIN_MS = 30_000;

/** The bus's answer to a log-in or a refresh (POST /admin/api/session[/refresh]). */
export interface SessionAnswer {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  roles?: string[];
}

export function sessionFromAnswer(url: string, user: string, answer: SessionAnswer): BusSession {
  return {
    url,
    user,
    roles: answer.roles ?? [],
    accessToken: answer.accessToken,
    refreshToken: answer.refreshToken,
    expiresAt: new Date(Date.now() + answer.expiresIn * 1000).toISOString(),
  };
}

const loginHint = (url: string) => `run gridbus login --url ${url}`;

/**
 * The operator API of one bus, reached with the session `gridbus login` kept: the access token is
 * refreshed (POST /admin/api/session/refresh) when it has expired, and the new pair is kept.
 * The CLI never signs a token itself: without a session there is no call.
 */
export class AdminApi {
  private constructor(
    private readonly file: SessionFile,
    private session: BusSession,
  ) {}

  /** The session of the bus named by --url / GRIDBUS_URL, else of the last log-in; none is exit 2. */
  static open(urlOption: string | undefined, file = new SessionFile()): AdminApi {
    const url = chosenBusUrl(urlOption, file);
    if (!url) throw new CliError(`not logged in: ${loginHint('URL')} (the session is kept in ${file.file})`, 2);
    const session = file.get(url);
    if (!session) throw new CliError(`not logged in to ${url}: ${loginHint(url)}`, 2);
    return new AdminApi(file, session);
  }

  get url(): string {
    return this.session.url;
  }

  /** Says on stderr which bus and which operator the command acts as. */
  announce(): void {
    process.stderr.write(`bus: ${this.session.url} as ${this.session.user}\n`);
  }

  /** Calls `/admin/api/<route>`; a refusal is a CliError with the bus's code and message. */
  async call<T>(method: 'GET' | 'POST' | 'PATCH', route: string, body?: unknown): Promise<T> {
    const answer = await this.answer(method, route, body);
    if (!answer.ok) throw new CliError(refusal(answer));
    return answer.payload as T;
  }

  /** Like call, but a refusal (other than of the session) is returned for the command to show. */
  async answer(method: 'GET' | 'POST' | 'PATCH', route: string, body?: unknown): Promise<BusAnswer> {
    let refreshed = false;
    if (Date.parse(this.session.expiresAt) - EXPIRY_MARGIN_MS <= Date.now()) {
      await this.refresh();
      refreshed = true;
    }
    let answer = await this.send(method, route, body);
    // revoked or signed with a key since retired: one refresh, then the operator has to log in again
    if (answer.status === 401 && !refreshed && this.session.refreshToken) {
      await this.refresh();
      answer = await this.send(method, route, body);
    }
    if (answer.status === 401) throw new CliError(`the bus refused the session (${refusal(answer)}): ${loginHint(this.url)}`, 2);
    return answer;
  }

  private send(method: 'GET' | 'POST' | 'PATCH', route: string, body?: unknown): Promise<BusAnswer> {
    return requestBus(this.url, method, route, { token: this.session.accessToken, body });
  }

  private async refresh(): Promise<void> {
    const { refreshToken, url, user } = this.session;
    if (!refreshToken) throw new CliError(`the session for ${url} has expired (it came from a token, which cannot be refreshed): ${loginHint(url)}`, 2);
    const answer = await requestBus(url, 'POST', 'session/refresh', { body: { refreshToken } });
    if (answer.status === 401) {
      this.file.remove(url);
      throw new CliError(`the session for ${url} has ended (${refusal(answer)}): ${loginHint(url)}`, 2);
    }
    if (!answer.ok) throw new CliError(`refreshing the session failed: ${refusal(answer)}`);
    this.session = sessionFromAnswer(url, user, answer.payload as SessionAnswer);
    this.file.save(this.session, false);
  }
}

/** The bus of a command (--url, GRIDBUS_URL, else the last log-in's), announced on stderr before anything is sent. */
export function adminApiFor(line: CommandLine): AdminApi {
  const api = AdminApi.open(stringOption(line, 'url'));
  api.announce();
  return api;
}
