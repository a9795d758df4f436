import * as fs from 'fs';
import { request as httpRequest } from 'http';
import * as path from 'path';
import { GridbusConfig } from '../../../config';
import { HttpResult } from '../../helpers/http';

const ROUTES_DIR = path.resolve(__dirname, '..', '..', '..', 'services', 'gateway', 'routes');

/** One alias of the gateway as a client reaches it. */
export interface RoutedAlias {
  method: string;
  /** e.g. `/api/v1/accounts/:accountNo/arrears` */
  path: string;
  /** The action it calls, or null for a handler written in the route file itself. */
  action: string | null;
  /** The route's authentication: `/api/v1` wants a user token, `/admin/api` an operator token. */
  authenticated: boolean;
}

/**
 * Every alias of every route file (services/gateway/routes/*.route.ts),
 * built by the files' own factories with the bus's configuration: a route
 * file added later is walked without editing the tests.
 */
export function gatewayAliases(config: GridbusConfig): RoutedAlias[] {
  const aliases: RoutedAlias[] = [];
  for (const file of fs.readdirSync(ROUTES_DIR).filter((f) => f.endsWith('.route.ts')).sort()) {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const mod = require(path.join(ROUTES_DIR, file)) as Record<string, unknown>;
    for (const [name, factory] of Object.entries(mod)) {
      if (typeof factory !== 'function' || !/Route$/.test(name)) continue;
      const route = (factory as (c: GridbusConfig) => { path: string; authentication?: unknown; aliases?: Record<string, unknown> })(config);
      for (const [key, target] of Object.entries(route.aliases ?? {})) {
        const [method, aliasPath] = key.trim().split(/\s+/);
        const action = typeof target === 'string' ? target : target && typeof target === 'object' && typeof (target as { action?: unknown }).action === 'string' ? (target as { action: string }).action : null;
        const tail = aliasPath === '/' ? '' : `/${aliasPath.replace(/^\//, '')}`;
        aliases.push({ method: method.toUpperCase(), path: `${route.path}${tail}`, action, authenticated: Boolean(route.authentication) });
      }
    }
  }
  return aliases;
}

/**
 * A request as a hostile client sends it: any method with any body (fetch
 * refuses a body on GET), raw bytes, any headers. Answers like test/helpers/http.
 */
export function rawRequest(url: string, init: { method: string; headers?: Record<string, string>; body?: Buffer | string; token?: string }): Promise<HttpResult> {
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  if (init.token) headers.Authorization = `Bearer ${init.token}`;
  // Node sends a GET or DELETE body without a length unless told: the server would read it as the next request
  if (init.body !== undefined && !Object.keys(headers).some((h) => /^(content-length|transfer-encoding)$/i.test(h))) headers['Content-Length'] = String(Buffer.byteLength(init.body));
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: init.method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(', ') : v);
        resolve({ status: res.statusCode ?? 0, headers: h, text, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(init.body);
  });
}
