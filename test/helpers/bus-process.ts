import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { POSTGRES_HOME_BASE } from '../../core/db/postgres-place';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const CLI = path.join(REPO_ROOT, 'dist', 'bin', 'gridbus.js');

export interface BusProcessOptions {
  /** Working directory (the repository by default). */
  cwd?: string;
  /** In a process group of its own, as a terminal starts it: then signalGroup() is its Ctrl-C. */
  detached?: boolean;
}

/** A bus started from the built CLI as its own OS process, with its output kept. */
export class BusProcess {
  readonly child: ChildProcess;
  output = '';
  private exited: Promise<number | null>;

  constructor(args: string[], env: Record<string, string>, opts: BusProcessOptions = {}) {
    this.child = spawn(process.execPath, [CLI, ...args], {
      cwd: opts.cwd ?? REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: opts.detached ?? false,
    });
    this.child.stdout!.on('data', (d: Buffer) => (this.output += d.toString()));
    this.child.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  async waitFor(pattern: RegExp, timeoutMs = 30000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const m = this.output.match(pattern);
      if (m) return m;
      if (this.child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`process did not print ${pattern} (exit code ${this.child.exitCode}); output:\n${this.output.slice(-4000)}`);
  }

  /** Sends a signal and resolves with the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15000): Promise<number | null> {
    if (this.child.exitCode !== null) return this.child.exitCode;
    this.child.kill(signal);
    return this.awaitExit(signal, timeoutMs);
  }

  /**
   * What a terminal's Ctrl-C does: the signal to every process of the bus's
   * group (the bus must have been started with `detached: true`), then the exit code.
   */
  async signalGroup(signal: NodeJS.Signals = 'SIGINT', timeoutMs = 15000): Promise<number | null> {
    if (this.child.exitCode !== null) return this.child.exitCode;
    process.kill(-this.child.pid!, signal);
    return this.awaitExit(signal, timeoutMs);
  }

  private async awaitExit(signal: NodeJS.Signals, timeoutMs: number): Promise<number | null> {
    const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref());
    const result = await Promise.race([this.exited, timer]);
    if (result === 'timeout') {
      this.child.kill('SIGKILL');
      throw new Error(`process did not stop within ${timeoutMs} ms after ${signal}; output:\n${this.output.slice(-2000)}`);
    }
    return result;
  }

  exitCode(): Promise<number | null> {
    return this.exited;
  }
}

/**
 * Removes a bus's state folder and, when the embedded PostgreSQL had to keep
 * its data outside it (a link VAR_DIR/pg into /var/lib/gridbus, as root in a
 * private folder), that data too.
 */
export function removeBusState(dir: string): void {
  for (const name of ['pg', path.join('var', 'pg')]) {
    const link = path.join(dir, name);
    let target: string;
    try {
      target = path.resolve(path.dirname(link), fs.readlinkSync(link));
    } catch {
      continue;
    }
    const home = path.dirname(target);
    if (path.dirname(home) === POSTGRES_HOME_BASE) fs.rmSync(home, { recursive: true, force: true });
  }
  fs.rmSync(dir, { recursive: true, force: true });
}
