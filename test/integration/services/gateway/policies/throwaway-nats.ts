import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { freePort } from '../../../../helpers/ports';

const NATS_SERVER = '/usr/sbin/nats-server';

/**
 * A nats-server of the test's own, on a free port, that the test may stop
 * and start again (never the shared test NATS). With `jetStream` its store
 * is a temporary directory kept across restarts.
 */
export class ThrowawayNats {
  private child: ChildProcess | null = null;
  private log = '';
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-nats-'));

  private constructor(
    readonly port: number,
    private readonly jetStream: boolean,
  ) {}

  static async start(options: { jetStream: boolean }): Promise<ThrowawayNats> {
    const nats = new ThrowawayNats(await freePort(), options.jetStream);
    await nats.start();
    return nats;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const args = ['-a', '127.0.0.1', '-p', String(this.port), ...(this.jetStream ? ['-js', '-sd', this.dir] : [])];
    const child = spawn(NATS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => (this.log += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (this.log += d.toString()));
    this.child = child;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) break;
      if (await accepts(this.port)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`nats-server on ${this.port} did not start:\n${this.log.slice(-2000)}`);
  }

  /** Stops the server (SIGKILL: as abrupt as a crash) and waits for it to be gone. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  async dispose(): Promise<void> {
    await this.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
