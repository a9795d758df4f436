import { expect } from 'chai';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { signAccessToken, signOperatorToken } from '../../core/auth';
import { TEST_PII_ENV } from '../helpers/binding';
import { BusProcess, CLI, REPO_ROOT, removeBusState } from '../helpers/bus-process';
import { requireEnv } from '../helpers/env';
import { http } from '../helpers/http';
import { freePort } from '../helpers/ports';
import { sharedUserBus, startUserBus } from './helpers/user-bus';

/** The constant that signed every token of a bus without JWT_SECRET before issue 8 (public in the repository's history). */
const OLD_PUBLIC_SECRET = 'gridbus-development-secret-do-not-use-in-production';
const OLD = { jwtSecret: OLD_PUBLIC_SECRET, issuer: 'gridbus', audience: 'gridbus-life-number' };
const ARREARS = '/api/v1/accounts/3301000001/arrears';

describe('security - JWT keys: no built-in secret; the embedded default generates its ring, every other start needs keys (issue 8 item 5)', function () {
  this.timeout(120000);

  it('JWT keys - a token signed with the old public development secret is refused on /api and /admin/api', async () => {
    const bus = await sharedUserBus();
    const user = await http(`${bus.url}${ARREARS}`, { token: signAccessToken(OLD, { sub: 'demo-user' }) });
    expect(user.status, user.text).to.equal(401);
    expect(user.json.code).to.equal('UNAUTHORIZED');
    const admin = await http(`${bus.url}/admin/api/mappings/releases`, { token: signOperatorToken(OLD, { sub: 'admin', roles: ['admin'] }) });
    expect(admin.status, admin.text).to.equal(401);
    expect(admin.json.code).to.equal('UNAUTHORIZED');
  });

  it('JWT keys - the embedded default writes its ring once (mode 0600) and uses it again after a restart: a gridbus token keeps working', async () => {
    const bus = await startUserBus();
    const dir = path.dirname(bus.varDir);
    try {
      const file = path.join(bus.varDir, 'jwt', 'keys.json');
      expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
      const ring = fs.readFileSync(file, 'utf8');
      const parsed = JSON.parse(ring) as { activeKid: string; keys: Record<string, string> };
      expect(Buffer.from(parsed.keys[parsed.activeKid], 'base64url')).to.have.length(32);
      expect(bus.process.output).to.match(/JWT keys: generated a ring in .*keys\.json/);

      const token = bus.userToken();
      expect((await http(`${bus.url}${ARREARS}`, { token })).status).to.equal(200);

      await bus.process.stop('SIGTERM', 20000);
      const again = new BusProcess(['start'], bus.env);
      try {
        await again.waitFor(/gateway: http/, 90000);
        expect(again.output).to.match(/JWT keys: the generated ring in .*keys\.json/);
        expect(fs.readFileSync(file, 'utf8')).to.equal(ring);
        const after = await http(`${bus.url}${ARREARS}`, { token });
        expect(after.status, after.text).to.equal(200);
      } finally {
        await again.stop('SIGTERM', 20000);
      }
    } finally {
      removeBusState(dir);
    }
  });

  it('JWT keys - a start with an external DATABASE_URL and no JWT keys is refused (exit 2), naming JWT_SECRET and JWT_KEYS', async () => {
    const varDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-nokeys-'));
    const bus = new BusProcess(['start'], { DATABASE_URL: requireEnv('TEST_DATABASE_URL'), VAR_DIR: varDir, HTTP_PORT: String(await freePort()), SIMULATOR_PORT: '0', ...TEST_PII_ENV });
    try {
      const code = await Promise.race([bus.exitCode(), new Promise<'running'>((r) => setTimeout(() => r('running'), 30000))]);
      expect(code, bus.output).to.equal(2);
      expect(bus.output).to.match(/JWT_SECRET/);
      expect(bus.output).to.match(/JWT_KEYS/);
      expect(fs.existsSync(path.join(varDir, 'jwt'))).to.equal(false);
    } finally {
      await bus.stop('SIGKILL').catch(() => undefined);
      fs.rmSync(varDir, { recursive: true, force: true });
    }
  });

  it('JWT keys - gridbus token with no keys configured and no generated ring says what to do (exit 2) and prints no token', () => {
    const varDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-notoken-'));
    try {
      const run = spawnSync(process.execPath, [CLI, 'token'], { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', VAR_DIR: varDir }, encoding: 'utf8' });
      expect(run.status, run.stderr).to.equal(2);
      expect(run.stdout).to.equal('');
      expect(run.stderr).to.match(/Start the bus once/);
      expect(run.stderr).to.match(/JWT_SECRET/);
      const roles = spawnSync(process.execPath, [CLI, 'token', '--roles', 'admin'], { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', VAR_DIR: varDir }, encoding: 'utf8' });
      expect(roles.status).to.equal(2);
      expect(roles.stdout).to.equal('');
    } finally {
      fs.rmSync(varDir, { recursive: true, force: true });
    }
  });
});
