/**
 * Secrets written into URLs, hidden wherever such a URL is printed (a log
 * line, a health detail, an error message, a metric label). Configuration
 * may carry credentials in a URL (`http://svc:pw@host/…`, `nats://token@…`,
 * `postgres://user:pw@…`); the host, port and path stay readable so an
 * operator still sees which system is meant.
 *
 *   scheme://user:password@host  ->  scheme://user:***@host
 *   scheme://token@host          ->  scheme://***@host   (NATS tokens, `:password@`)
 *   ?password=…&token=…          ->  ?password=***&token=***
 *
 * The user-info part ends at the last `@` before the first `/ ? #`, space or
 * quote, so an unencoded `@` in a password is covered too.
 */
const USER_INFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#"'`<>]*)@/gi;

/** Query parameters whose value is a secret (names compared without case). */
const SECRET_PARAM =
  /([?&;](?:[a-z0-9_.-]*(?:password|passwd|pwd|secret|token|api[_-]?key|private[_-]?key|credentials?)|pass|key|auth|authorization|signature|sig)=)[^&;#\s"'`<>]*/gi;

export const MASK = '***';

export function maskUrlSecrets(text: string): string {
  if (!text.includes('@') && !text.includes('=')) return text; // the common log line: nothing to look for
  return text
    .replace(USER_INFO, (_m, scheme: string, userInfo: string) => {
      const colon = userInfo.indexOf(':');
      return colon < 0 ? `${scheme}${MASK}@` : `${scheme}${userInfo.slice(0, colon)}:${MASK}@`;
    })
    .replace(SECRET_PARAM, `$1${MASK}`);
}

/**
 * A copy of `value` with every string, and every key of a plain object,
 * passed through maskUrlSecrets (health reports: an adapter is named by its
 * URL). Other objects are passed through as they are.
 */
export function maskUrlSecretsDeep<T>(value: T): T {
  return walk(value, 0) as T;
}

function walk(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return maskUrlSecrets(value);
  if (depth > 32 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => walk(v, depth + 1));
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [maskUrlSecrets(k), walk(v, depth + 1)]));
}
