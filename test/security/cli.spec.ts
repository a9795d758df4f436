import { expect } from 'chai';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CLI, REPO_ROOT } from '../helpers/bus-process';
import { http } from '../helpers/http';
import { sharedUserBus, UserBus } from './helpers/user-bus';

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The built CLI as its own process, as an operator's shell runs it (optionally fed standard input). */
function gridbus(args: string[], env: Record<string, string>, input?: string, timeoutMs = 20000): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gridbus ${args.join(' ')} did not end within ${timeoutMs} ms; stdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

/** A shell pipeline `gridbus ARGS | READER`: gridbus's own exit code and what it wrote to stderr. */
function piped(args: string[], reader: string, env: Record<string, string>): Promise<CliRun> {
  const command = `"${process.execPath}" "${CLI}" ${args.join(' ')} | ${reader} >/dev/null; echo "gridbus-exit=\${PIPESTATUS[0]}"`;
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', command], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', () => resolve({ code: Number(/gridbus-exit=(\d+)/.exec(stdout)?.[1] ?? -1), stdout, stderr }));
  });
}

const JWT = /eyJ[\w-]+\.[\w-]+\.[\w-]+/;
const SUBCOMMANDS = [
  ['start'],
  ['token'],
  ['migrate'],
  ['login'],
  ['logout'],
  ['session'],
  ['mappings'],
  ['mappings', 'validate'],
  ['mappings', 'diff'],
  ['mappings', 'dry-run'],
  ['mappings', 'publish'],
  ['mappings', 'rollback'],
  ['mappings', 'releases'],
];

describe('security - the CLI (issue 8 items 4 and 7)', function () {
  this.timeout(120000);
  let bus: UserBus;
  let home: string;
  let sessionFile: string;
  /** The CLI's environment: a private HOME and session file, nothing of the bus's own settings. */
  let env: Record<string, string>;

  before(async () => {
    bus = await sharedUserBus();
  });

  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-cli-home-'));
    sessionFile = path.join(home, '.config', 'gridbus', 'session.json');
    env = { PATH: process.env.PATH ?? '', HOME: home, GRIDBUS_SESSION_FILE: sessionFile };
  });
  afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

  /**
   * For commands that must only print their help: a private VAR_DIR and a database nobody listens on,
   * so a regression that runs `start` or `token` fails fast and never touches the shared bus.
   */
  const helpEnv = () => ({ ...env, VAR_DIR: path.join(home, 'var'), HTTP_PORT: '0', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
  const login = () => gridbus(['login', '--url', bus.url, '--user', 'admin', '--password-stdin'], env, `${bus.adminPassword()}\n`);
  const session = () => JSON.parse(fs.readFileSync(sessionFile, 'utf8')) as { sessions: Record<string, { accessToken: string; refreshToken: string; expiresAt: string }> };

  describe('item 4 - help, usage errors and broken pipes', () => {
    it('help - every subcommand answers --help and -h with its help, exit 0', async () => {
      const calls = SUBCOMMANDS.flatMap((words) => ['--help', '-h'].map((flag) => [...words, flag]));
      const runs = await Promise.all(calls.map((args) => gridbus(args, helpEnv())));
      runs.forEach((r, i) => {
        const called = calls[i].join(' ');
        expect(r.code, `${called}: ${r.stderr}`).to.equal(0);
        expect(r.stdout, called).to.match(/^Usage: gridbus /);
        expect(r.stderr, called).to.equal('');
      });
      expect((await gridbus(['help', 'mappings', 'validate'], env)).stdout).to.match(/^Usage: gridbus mappings validate/);
    });

    it('help - token --help prints no token', async () => {
      const r = await gridbus(['token', '--help'], helpEnv());
      expect(r.code).to.equal(0);
      expect(r.stdout).not.to.match(JWT);
      expect((await gridbus(['token', '--sub', 'someone', '-h'], helpEnv())).stdout).not.to.match(JWT);
    });

    it('help - mappings validate --help validates nothing (even a set that does not exist)', async () => {
      const r = await gridbus(['mappings', 'validate', '--dir', '/nonexistent', '--help'], env);
      expect(r.code).to.equal(0);
      expect(r.stdout).not.to.match(/✓|✗|no such directory/);
    });

    it('help - start --help starts nothing; logout and publish --help change nothing', async () => {
      const start = await gridbus(['start', '--help'], helpEnv(), undefined, 10000);
      expect(start.code).to.equal(0);
      expect(start.stdout + start.stderr, 'no log line: nothing started').not.to.match(/BROKER|BOOTSTRAP|gateway: http/);

      expect((await login()).code).to.equal(0);
      const before = (await http(`${bus.url}/admin/api/mappings/releases`, { token: await bus.adminToken() })).json.length;
      expect((await gridbus(['mappings', 'publish', '--note', 'must not happen', '--help'], env)).code).to.equal(0);
      expect((await gridbus(['logout', '--help'], env)).code).to.equal(0);
      expect(fs.existsSync(sessionFile), 'logout --help kept the session').to.equal(true);
      const after = await http(`${bus.url}/admin/api/mappings/releases`, { token: await bus.adminToken() });
      expect(after.json.length, 'publish --help published nothing').to.equal(before);
    });

    it('usage - an unknown option is refused with the usage, exit 2, and the command does nothing', async () => {
      const token = await gridbus(['token', '--sbu', 'someone'], helpEnv());
      expect(token.code).to.equal(2);
      expect(token.stdout).not.to.match(JWT);
      expect(token.stderr).to.contain("Unknown option '--sbu'").and.to.contain('Usage: gridbus token');

      const validate = await gridbus(['mappings', 'validate', '--dri', 'mappings'], env);
      expect(validate.code).to.equal(2);
      expect(validate.stdout).to.equal('');
      expect(validate.stderr).to.contain("Unknown option '--dri'").and.to.contain('Usage: gridbus mappings validate');

      const unknown = await gridbus(['mappings', 'publsh'], env);
      expect(unknown.code).to.equal(2);
      expect(unknown.stderr).to.contain("unknown command 'mappings publsh'");
    });

    it('broken pipe - gridbus --help | head -1 and a reader that is gone end quietly, exit 0', async () => {
      for (const reader of ['head -1', 'true']) {
        const r = await piped(['--help'], reader, env);
        expect(r.code, `--help | ${reader}: ${r.stderr}`).to.equal(0);
        expect(r.stderr, `--help | ${reader}`).not.to.match(/EPIPE|Error|\n\s+at /);
      }
    });

    it('broken pipe - gridbus mappings releases | head -1 ends quietly, exit 0', async () => {
      expect((await login()).code).to.equal(0);
      for (const reader of ['head -1', 'true']) {
        const r = await piped(['mappings', 'releases'], reader, env);
        expect(r.code, `releases | ${reader}: ${r.stderr}`).to.equal(0);
        expect(r.stderr, `releases | ${reader}`).not.to.match(/EPIPE|Error|\n\s+at /);
      }
    });
  });

  describe('item 7 - operators log in; the CLI never signs its own token', () => {
    it('no session - mappings releases refuses, naming gridbus login, exit 2', async () => {
      const r = await gridbus(['mappings', 'releases'], env);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.match(/not logged in: run gridbus login --url/);
      expect(r.stdout).to.equal('');
    });

    it('no session - with the bus configuration and JWT_SECRET in the environment it still refuses (no self-signed token)', async () => {
      for (const extra of [{}, { JWT_SECRET: 's'.repeat(40) }]) {
        const r = await gridbus(['mappings', 'releases'], { ...env, ...bus.env, ...extra, GRIDBUS_URL: bus.url });
        expect(r.code, r.stderr).to.equal(2);
        expect(r.stderr).to.contain(`not logged in to ${bus.url}: run gridbus login --url ${bus.url}`);
        expect(r.stdout).to.equal('');
      }
    });

    it('login - the password from stdin gives a 0600 session file; mappings releases then works and names the bus', async () => {
      const r = await login();
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.contain(`logged in to ${bus.url} as admin`);
      expect(fs.statSync(sessionFile).mode & 0o777).to.equal(0o600);
      const kept = session().sessions[bus.url];
      expect(kept.accessToken).to.match(JWT);
      expect(kept.refreshToken).to.be.a('string');

      const releases = await gridbus(['mappings', 'releases'], env);
      expect(releases.code, releases.stderr).to.equal(0);
      expect(releases.stderr).to.contain(`bus: ${bus.url} as admin`);
      expect(releases.stdout).to.match(/^\s+\d+\s+\d{4}-/m);
    });

    it('login - a wrong user or password is refused (exit 2) and nothing is kept', async () => {
      const r = await gridbus(['login', '--url', bus.url, '--user', 'nobody-here', '--password-stdin'], env, 'wrong password\n');
      expect(r.code).to.equal(2);
      expect(r.stderr).to.contain('log-in refused: 401 UNAUTHORIZED');
      expect(fs.existsSync(sessionFile)).to.equal(false);
    });

    it('login - without a terminal or --password-stdin it does not wait for a password', async () => {
      const r = await gridbus(['login', '--url', bus.url], env);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.contain('use --password-stdin or GRIDBUS_PASSWORD');
    });

    it('login --token - keeps a token the bus accepts; refuses one it does not', async () => {
      const refused = await gridbus(['login', '--url', bus.url, '--token', bus.userToken()], env);
      expect(refused.code, refused.stderr).to.equal(2);
      expect(refused.stderr).to.contain('the bus refused the token');
      expect(fs.existsSync(sessionFile)).to.equal(false);

      const r = await gridbus(['login', '--url', bus.url, '--token', await bus.adminToken()], env);
      expect(r.code, r.stderr).to.equal(0);
      const releases = await gridbus(['mappings', 'releases', '--url', bus.url], env);
      expect(releases.code, releases.stderr).to.equal(0);
      expect(releases.stderr).to.contain(`bus: ${bus.url} as admin`);
    });

    it('refresh - an expired access token is refreshed with the refresh token and the new pair kept', async () => {
      expect((await login()).code).to.equal(0);
      const file = session();
      const old = file.sessions[bus.url];
      old.expiresAt = new Date(Date.now() - 1000).toISOString();
      fs.writeFileSync(sessionFile, JSON.stringify(file), { mode: 0o600 });

      const r = await gridbus(['mappings', 'releases'], env);
      expect(r.code, r.stderr).to.equal(0);
      const renewed = session().sessions[bus.url];
      expect(renewed.refreshToken).not.to.equal(old.refreshToken);
      expect(Date.parse(renewed.expiresAt)).to.be.greaterThan(Date.now());
    });

    it('logout - ends the session on the bus and deletes the file; its tokens no longer work', async () => {
      expect((await login()).code).to.equal(0);
      const { accessToken, refreshToken } = session().sessions[bus.url];

      const r = await gridbus(['logout'], env);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stderr).to.contain(`bus: ${bus.url} as admin`);
      expect(fs.existsSync(sessionFile)).to.equal(false);

      const refresh = await http(`${bus.url}/admin/api/session/refresh`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ refreshToken }) });
      expect(refresh.status, 'the refresh token is revoked').to.equal(401);
      const access = await http(`${bus.url}/admin/api/mappings/releases`, { token: accessToken });
      expect(access.status, 'the access token is revoked (item 6: log-out revokes)').to.equal(401);

      const after = await gridbus(['mappings', 'releases'], env);
      expect(after.code).to.equal(2);
      expect(after.stderr).to.contain('gridbus login');
    });
  });
});
