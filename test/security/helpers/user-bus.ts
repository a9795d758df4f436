import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BusProcess, CLI, REPO_ROOT, removeBusState } from '../../helpers/bus-process';
import { http } from '../../helpers/http';
import { freePort } from '../../helpers/ports';

/**
 * A bus started the way a user starts it: `gridbus start` (what `npm start`
 * runs) with nothing configured but a private VAR_DIR and free ports, so
 * the embedded default makes its own keys, database and first operator.
 * The security suite sends its hostile requests to this.
 */
export interface UserBus {
  url: string;
  varDir: string;
  /** The environment the bus runs with (VAR_DIR, ports): a CLI call with it talks to the same bus. */
  env: Record<string, string>;
  process: BusProcess;
  /** `gridbus token` as a user runs it: a demo user token signed with this bus's own key. */
  userToken(sub?: string): string;
  /** The first operator's password, as `npm start` leaves it in VAR_DIR. */
  adminPassword(): string;
  /** Logs in as the first operator (POST /admin/api/session) and returns the access token. */
  adminToken(): Promise<string>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startUserBus(extraEnv: Record<string, string> = {}, opts: { timeoutMs?: number } = {}): Promise<UserBus> {
  // a private folder, as mktemp -d makes it (mode 0700)
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-sec-'));
  const varDir = path.join(parent, 'var');
  const httpPort = await freePort();
  const env: Record<string, string> = {
    VAR_DIR: varDir,
    HTTP_PORT: String(httpPort),
    EMBEDDED_PG_PORT: String(await freePort()),
    SIMULATOR_PORT: '0',
    ...extraEnv,
  };
  const bus = new BusProcess(['start'], env);
  try {
    await bus.waitFor(/gateway: http/, opts.timeoutMs ?? 90000);
  } catch (err) {
    await bus.stop('SIGKILL').catch(() => undefined);
    throw err;
  }
  const url = `http://127.0.0.1:${httpPort}`;
  const cliEnv = () => ({ PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ...env });
  // the file holds the user name, then the password, one a line
  const adminPassword = () => fs.readFileSync(path.join(varDir, 'first-operator-password.txt'), 'utf8').trim().split('\n').pop()!;
  return {
    url,
    varDir,
    env,
    process: bus,
    userToken: (sub?: string) => execFileSync(process.execPath, [CLI, 'token', ...(sub ? ['--sub', sub] : [])], { cwd: REPO_ROOT, env: cliEnv() }).toString().trim(),
    adminPassword,
    async adminToken() {
      const res = await http(`${url}/admin/api/session`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: adminPassword() }),
      });
      if (res.status !== 200) throw new Error(`admin log-in answered ${res.status}: ${res.text}`);
      return res.json.accessToken as string;
    },
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      const code = await bus.stop(signal, 20000);
      removeBusState(path.dirname(varDir));
      return code;
    },
  };
}

let shared: Promise<UserBus> | null = null;

/**
 * One bus in its default configuration for every security spec that needs
 * nothing special (started on first use, stopped after the whole run).
 */
export function sharedUserBus(): Promise<UserBus> {
  // the walks send every route several hostile requests with one user token: the per-user limit (300/minute by
  // default) would answer 429 before the check under test; it stays on, out of reach
  shared ??= startUserBus({ GATEWAY_RATE_LIMIT_USER: '100000/minute' });
  return shared;
}

// a root-level hook: mocha runs it once, after every spec file
after(async function () {
  this.timeout(30000);
  if (shared) await (await shared.catch(() => null))?.stop();
});
