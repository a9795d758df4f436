import { randomUUID } from 'crypto';
import * as http from 'http';
import type { Duplex } from 'stream';

export interface HeaderLimits {
  /** All request header bytes together (Node's `maxHeaderSize`). */
  maxHeaderBytes: number;
  /** Header lines; more are refused by checkHeaderCount (Node keeps one more than this). */
  maxHeaders: number;
}

/**
 * The gateway's HTTP server with the header flood limits applied where Node
 * applies them: an oversized header block never reaches JavaScript; the
 * parser fails and `clientError` answers 431 (400 for any other malformed
 * request, 408 for a request that took too long to arrive) in the bus's
 * JSON error body, then closes the connection.
 */
export function createLimitedServer(handler: http.RequestListener, limits: HeaderLimits): http.Server {
  const server = http.createServer({ maxHeaderSize: limits.maxHeaderBytes }, handler);
  server.maxHeadersCount = limits.maxHeaders + 1;
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => answerClientError(err, socket));
  return server;
}

const CLIENT_ERRORS: Record<string, { status: number; reason: string; code: string; message: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, reason: 'Request Header Fields Too Large', code: 'REQUEST_HEADER_FIELDS_TOO_LARGE', message: 'The request headers are too large' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, reason: 'Request Timeout', code: 'MALFORMED_REQUEST', message: 'The request took too long to arrive' },
};
const BAD_REQUEST = { status: 400, reason: 'Bad Request', code: 'MALFORMED_REQUEST', message: 'The request is not valid HTTP' };

export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  // as Node's own handler: nothing to answer on a dead socket or after a response began
  if (err.code === 'ECONNRESET' || !socket.writable || (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent) {
    socket.destroy();
    return;
  }
  const e = (err.code && CLIENT_ERRORS[err.code]) || BAD_REQUEST;
  const body = JSON.stringify({ code: e.code, message: e.message, requestId: randomUUID() });
  socket.end(
    `HTTP/1.1 ${e.status} ${e.reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
