import { readFileSync } from 'fs';
import { Socket, connect as netConnect } from 'net';
import SftpClient from 'ssh2-sftp-client';
import { GridbusError } from '../../core/errors';
import { HostKeyVerdict, hostKeyAlgorithmsFor, parseKnownHosts, verifyHostKey } from './known-hosts';
import { hostKeyRejected, translateSftpError } from './sftp-errors';
import { ResolvedConnectionOptions, SftpLogger } from './sftp-options';

/**
 * Opens the TCP connection ssh2 will run over. The default turns Nagle's
 * algorithm off (TCP_NODELAY): SFTP is a request/answer protocol of small
 * packets, and with Nagle on each one can wait for a delayed ACK (tens of
 * ms), which makes ssh2 many times slower. ssh2 only calls setNoDelay on
 * sockets it creates itself when asked, and not before the handshake, so we
 * hand it a socket of our own (`sock` connect option).
 */
export type SocketFactory = (host: string, port: number) => Socket;

export const noDelaySocket: SocketFactory = (host, port) => {
  const socket = netConnect({ host, port });
  socket.setNoDelay(true);
  return socket;
};

export interface ConnectionState {
  connected: boolean;
  /** Successful connects so far; a new value means a new session (reconcile). */
  generation: number;
  /** Failed attempts in a row. */
  failures: number;
  lastError?: GridbusError;
  /** When the next attempt is allowed (ms since epoch), while backing off. */
  nextAttemptAt?: number;
}

/**
 * One SFTP session, re-opened on demand: `ensure()` connects when there is
 * no live session, unless a failed attempt was so recent that the backoff
 * (reconnectDelay doubling up to maxReconnectDelay) says wait; it then
 * fails fast with BACKEND_UNAVAILABLE naming the last error. Host keys are
 * checked against known_hosts (read at every connect, so a corrected file
 * takes effect without a restart).
 */
export class SftpConnection {
  private client: SftpClient | null = null;
  private socket: Socket | null = null;
  private connecting: Promise<SftpClient> | null = null;
  private failures = 0;
  private nextAttemptAt = 0;
  private lastError: GridbusError | undefined;
  private generation = 0;
  private closing = false;
  private warnedInsecure = false;

  constructor(
    private readonly options: ResolvedConnectionOptions,
    /** For messages: `sftp://user@host:port/dir`. */
    readonly endpoint: string,
    private readonly logger: SftpLogger,
    private readonly socketFactory: SocketFactory = noDelaySocket,
  ) {}

  get connected(): boolean {
    return this.client !== null;
  }

  state(): ConnectionState {
    return {
      connected: this.connected,
      generation: this.generation,
      failures: this.failures,
      lastError: this.lastError,
      nextAttemptAt: this.connected || this.failures === 0 ? undefined : this.nextAttemptAt,
    };
  }

  /** The live session, connecting first if needed (and allowed by the backoff). */
  async ensure(): Promise<SftpClient> {
    if (this.client) return this.client;
    if (this.connecting) return this.connecting;
    if (this.closing) throw new GridbusError('BACKEND_UNAVAILABLE', `${this.endpoint}: the adapter is stopped`, { details: { reason: 'NOT_CONNECTED' } });
    const wait = this.nextAttemptAt - Date.now();
    if (wait > 0) {
      // fail fast with what went wrong last time (its code and reason), not a vaguer error
      const last = this.lastError;
      const details: Record<string, unknown> = { ...((last?.data as Record<string, unknown> | undefined) ?? {}), endpoint: this.endpoint, nextAttemptInMs: wait };
      delete details.retryable;
      throw new GridbusError(last?.errorCode ?? 'BACKEND_UNAVAILABLE', `${this.endpoint}: not connected (next attempt in ${wait} ms); last error: ${last?.message ?? 'none'}`, {
        details: { reason: 'NOT_CONNECTED', ...details },
        retryable: last ? last.retryable : true,
        cause: last,
      });
    }
    this.connecting = this.open()
      .then((client) => {
        this.client = client;
        this.failures = 0;
        this.nextAttemptAt = 0;
        this.lastError = undefined;
        this.generation++;
        this.logger.info(`${this.endpoint}: connected (session ${this.generation})`);
        return client;
      })
      .catch((err: unknown) => {
        const typed = translateSftpError(err, 'connect', this.endpoint);
        this.failures++;
        const backoff = Math.min(this.options.reconnectDelay * 2 ** (this.failures - 1), this.options.maxReconnectDelay);
        this.nextAttemptAt = Date.now() + backoff;
        this.lastError = typed;
        this.logger.warn(`${this.endpoint}: connect failed (attempt ${this.failures}, next in ${backoff} ms): ${typed.message}`);
        throw typed;
      })
      .finally(() => {
        this.connecting = null;
      });
    return this.connecting;
  }

  /**
   * Runs one SFTP request with the `timeout` option as its limit. A request
   * that times out leaves the session in an unknown state, so the session
   * is dropped (the next ensure() reconnects).
   */
  async run<T>(operation: string, fn: (client: SftpClient) => Promise<T>): Promise<T> {
    const client = await this.ensure();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new GridbusError('BACKEND_TIMEOUT', `${operation}: ${this.endpoint} did not answer within ${this.options.timeout} ms`, { details: { operation, endpoint: this.endpoint } }));
      }, this.options.timeout);
      timer.unref();
    });
    try {
      return await Promise.race([fn(client), timeout]);
    } catch (err) {
      const typed = translateSftpError(err, operation, this.endpoint);
      if (typed.errorCode === 'BACKEND_TIMEOUT') this.drop(typed);
      else if (client !== this.client) this.lastError = this.lastError ?? typed;
      throw typed;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Ends the session politely (bounded wait); later ensure() calls are refused. */
  async close(): Promise<void> {
    this.closing = true;
    await this.connecting?.catch(() => undefined);
    const client = this.client;
    const socket = this.socket;
    this.client = null;
    if (client) {
      await Promise.race([client.end().catch(() => undefined), new Promise((r) => setTimeout(r, 2000).unref())]);
    }
    socket?.destroy();
    this.socket = null;
  }

  /** Allows ensure() again after close() (a restarted adapter). */
  reopen(): void {
    this.closing = false;
  }

  /** Drops the session at once (the socket is destroyed), recording why. */
  drop(reason: GridbusError): void {
    this.lastError = reason;
    this.socket?.destroy();
    this.onClosed(this.client);
  }

  private onClosed(client: SftpClient | null): void {
    if (!client || client !== this.client) return;
    this.client = null;
    this.socket = null;
    if (!this.closing) {
      this.lastError =
        this.lastError ?? new GridbusError('BACKEND_UNAVAILABLE', `${this.endpoint}: connection closed`, { details: { reason: 'NOT_CONNECTED', endpoint: this.endpoint } });
      this.logger.warn(`${this.endpoint}: connection lost: ${this.lastError.message}`);
    }
  }

  private loadKnownHosts(): { text: string; source: string } {
    if (this.options.knownHosts !== undefined) return { text: this.options.knownHosts, source: 'knownHosts' };
    try {
      return { text: readFileSync(this.options.knownHostsFile, 'utf8'), source: this.options.knownHostsFile };
    } catch (err) {
      throw new GridbusError('CONFIG_INVALID', `${this.endpoint}: strictHostKeyChecking is on but the known hosts file ${this.options.knownHostsFile} cannot be read (${(err as Error).message})`, {
        details: { reason: 'HOST_KEY_REJECTED', endpoint: this.endpoint },
      });
    }
  }

  private loadPrivateKey(): string | Buffer | undefined {
    if (this.options.privateKey !== undefined) return this.options.privateKey;
    if (!this.options.privateKeyFile) return undefined;
    try {
      return readFileSync(this.options.privateKeyFile);
    } catch (err) {
      throw new GridbusError('CONFIG_INVALID', `${this.endpoint}: the private key file ${this.options.privateKeyFile} cannot be read (${(err as Error).message})`);
    }
  }

  private async open(): Promise<SftpClient> {
    const o = this.options;
    const strict = o.strictHostKeyChecking;
    const known = strict ? this.loadKnownHosts() : undefined;
    const entries = known ? parseKnownHosts(known.text) : [];
    const privateKey = this.loadPrivateKey();
    if (!strict && !this.warnedInsecure) {
      this.warnedInsecure = true;
      this.logger.warn(`${this.endpoint}: strictHostKeyChecking is OFF: any server key is accepted, a man-in-the-middle would not be noticed`);
    }
    let verdict: HostKeyVerdict | undefined;
    const serverHostKey = hostKeyAlgorithmsFor(entries, o.host, o.port);
    const socket = this.socketFactory(o.host, o.port);
    // until ssh2 attaches its own listeners (synchronously below)
    socket.on('error', () => undefined);
    const client: SftpClient = new SftpClient(`gridbus-${this.endpoint}`, {
      // ssh2-sftp-client would log these to the console; state is tracked below
      error: () => undefined,
      end: () => undefined,
      close: () => undefined,
    });
    const ssh = (client as unknown as { client: import('events').EventEmitter }).client;
    ssh.on('close', () => this.onClosed(client));
    ssh.on('error', (err: Error) => {
      if (client === this.client && !this.closing) this.lastError = translateSftpError(err, 'session', this.endpoint);
    });
    try {
      await client.connect({
        host: o.host,
        port: o.port,
        username: o.username,
        password: o.password,
        privateKey,
        passphrase: o.privateKeyPassphrase,
        sock: socket,
        readyTimeout: o.connectTimeout,
        keepaliveInterval: o.serverAliveInterval,
        keepaliveCountMax: o.serverAliveCountMax,
        ...(serverHostKey ? { algorithms: { serverHostKey: serverHostKey as never } } : {}),
        hostVerifier: (key: Buffer) => {
          if (!strict) return true;
          verdict = verifyHostKey(entries, o.host, o.port, key, known!.source);
          return verdict.ok;
        },
      });
    } catch (err) {
      socket.destroy();
      if (verdict && !verdict.ok) throw hostKeyRejected(this.endpoint, verdict.message, verdict.reason);
      throw err;
    }
    if (this.closing) {
      socket.destroy();
      throw new GridbusError('BACKEND_UNAVAILABLE', `${this.endpoint}: the adapter was stopped while connecting`, { details: { reason: 'NOT_CONNECTED' } });
    }
    this.socket = socket;
    return client;
  }
}
