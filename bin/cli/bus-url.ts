import { UsageError } from './cli-error';
import { SessionFile } from './session-file';

/** Where `gridbus login` goes when neither --url nor GRIDBUS_URL names a bus: the embedded default's gateway. */
export const DEFAULT_BUS_URL = 'http://127.0.0.1:8080';

/** A bus's base URL in one spelling, the key of its session: http(s), no credentials, no trailing slash. */
export function busUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`not a URL: '${raw}' (a bus URL looks like ${DEFAULT_BUS_URL})`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`a bus URL is http:// or https:// (got '${url.protocol}')`);
  if (url.username || url.password) throw new UsageError('a bus URL carries no user or password: gridbus login asks for them');
  if (url.search || url.hash) throw new UsageError(`a bus URL has no query or fragment (got '${url.search}${url.hash}')`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** The bus a command talks to: --url, else GRIDBUS_URL, else the bus of the last log-in (null: none). */
export function chosenBusUrl(urlOption: string | undefined, file: SessionFile, env: NodeJS.ProcessEnv = process.env): string | null {
  const named = urlOption ?? (env.GRIDBUS_URL || undefined);
  return named !== undefined ? busUrl(named) : file.current();
}

/** Whether a password sent to this URL can be read on the way (plain http beyond this machine). */
export function sendsInClear(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return protocol === 'http:' && !['localhost', '127.0.0.1', '[::1]'].includes(hostname) && !hostname.startsWith('127.');
}
