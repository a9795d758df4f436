import type { IncomingMessage, ServerResponse } from 'http';
import type { Context } from 'moleculer';

/** moleculer-web's request with what the gateway attaches to it. */
export type GatewayRequest = IncomingMessage & {
  $ctx?: Context;
  $requestId?: string;
  $startedAt?: bigint;
  originalUrl?: string;
  /** The client address after trusted-proxy resolution (set by the ip policies). */
  $clientIp?: string;
};
export type GatewayResponse = ServerResponse & {
  /** The code of the error body sent, noted by the one error writer (sendError, sendRefusal) for the access event. */
  $errorCode?: string;
};

/** The path of a request without its query, for logs and audit. */
export function pathOf(req: GatewayRequest): string {
  return (req.originalUrl ?? req.url ?? '').split('?')[0];
}
