import { randomUUID } from 'crypto';
import type { IncomingMessage } from 'http';

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * A caller's X-Request-ID is kept when it is a sane token, so calls can be
 * traced end to end; anything else (too long, odd characters that could
 * forge log lines) is replaced by a fresh id.
 */
export function requestIdFor(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  const value = Array.isArray(given) ? given[0] : given;
  return value && SAFE_ID.test(value) ? value : randomUUID();
}
