import { GridbusError } from '../../core/errors';
import { HttpEndpoint } from '../../core/mapping';
import { HttpCall } from './http-adapter';

/**
 * Turns a mapped request `{ path?, query?, headers?, body? }` and the endpoint
 * URL (with `{name}` placeholders) into one HTTP call.
 */
export function buildHttpCall(endpoint: HttpEndpoint, mapped: Record<string, unknown>, timeoutMs: number): { origin: string; call: HttpCall } {
  const url = new URL(endpoint.url);
  const pathParams = (mapped.path ?? {}) as Record<string, unknown>;
  const pathname = url.pathname.replace(/%7B([A-Za-z0-9_]+)%7D|\{([A-Za-z0-9_]+)\}/g, (_m, a: string, b: string) => {
    const name = a ?? b;
    const v = pathParams[name];
    if (v === undefined || v === null || v === '') throw new GridbusError('VALIDATION_FAILED', `request path parameter '${name}' is missing`, { details: { field: `path.${name}` } });
    return encodeURIComponent(String(v));
  });
  const search = new URLSearchParams(url.search);
  for (const [k, v] of Object.entries((mapped.query ?? {}) as Record<string, unknown>)) if (v !== undefined && v !== null) search.set(k, String(v));
  const headers: Record<string, string> = { ...(endpoint.headers ?? {}) };
  for (const [k, v] of Object.entries((mapped.headers ?? {}) as Record<string, unknown>)) if (v !== undefined && v !== null) headers[k] = String(v);
  const query = search.toString();
  return {
    origin: url.origin,
    call: { method: endpoint.method, path: `${pathname}${query ? `?${query}` : ''}`, headers, body: mapped.body, timeoutMs },
  };
}
