import { GatewayRequest } from '../types';
import { CidrSet, normalizeIp } from './ip-address';

/**
 * The client's address. X-Forwarded-For is believed only when the direct
 * peer is a trusted proxy; then the list is walked right to left, skipping
 * trusted hops, and the first untrusted address is the client (what a
 * client writes itself into the header is left of that and never read).
 * A malformed entry stops the walk at the last good hop.
 */
export function resolveClientIp(req: GatewayRequest, trustedProxies: CidrSet): string {
  const peer = normalizeIp(req.socket?.remoteAddress) ?? 'unknown';
  if (!trustedProxies.has(peer)) return peer;
  const header = req.headers['x-forwarded-for'];
  const text = Array.isArray(header) ? header.join(',') : header;
  if (!text) return peer;
  const hops = text.split(',');
  let client = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = normalizeIp(hops[i]);
    if (!hop) break;
    client = hop;
    if (!trustedProxies.has(hop)) break;
  }
  return client;
}

/** Sets `req.$clientIp` once per request, for every policy, audit entry and log downstream. */
export function clientIpOf(req: GatewayRequest, trustedProxies: CidrSet): string {
  if (!req.$clientIp) req.$clientIp = resolveClientIp(req, trustedProxies);
  return req.$clientIp;
}
