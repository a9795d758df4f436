import { expect } from 'chai';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { BusProcess, removeBusState } from '../helpers/bus-process';
import { http } from '../helpers/http';
import { freePort } from '../helpers/ports';

/**
 * A new user's two commands, as root in a private folder (what `mktemp -d`
 * or /root gives): `npm start` with no var/ yet must come up, answer, stop on
 * one Ctrl-C (the terminal signals the whole process group) or one
 * `kill -TERM`, and keep its data for the next start.
 */
describe('first run - a fresh start in a private folder comes up, stops on one signal and keeps its data', function () {
  this.timeout(120000);
  let parent: string;
  let varDir: string;
  let env: Record<string, string>;
  let base: string;

  before(async () => {
    parent = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-first-run-'));
    varDir = path.join(parent, 'var'); // not there yet, as in a fresh clone
    const httpPort = await freePort();
    env = { VAR_DIR: varDir, HTTP_PORT: String(httpPort), EMBEDDED_PG_PORT: String(await freePort()), SIMULATOR_PORT: '0' };
    base = `http://127.0.0.1:${httpPort}`;
  });

  after(() => removeBusState(parent));

  function postmasterPid(): number | null {
    try {
      return Number(fs.readFileSync(path.join(varDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
    } catch {
      return null;
    }
  }

  function alive(pid: number): boolean {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  /** A bus as a terminal runs it: a process group of its own. */
  async function startInTerminal(): Promise<{ bus: BusProcess; postgresPid: number }> {
    const bus = new BusProcess(['start'], env, { detached: true });
    try {
      await bus.waitFor(/gateway: http/, 90000);
    } catch (err) {
      await bus.stop('SIGKILL').catch(() => undefined);
      throw err;
    }
    const postgresPid = postmasterPid();
    expect(postgresPid, 'postmaster.pid of the embedded PostgreSQL').to.be.a('number');
    return { bus, postgresPid: postgresPid! };
  }

  function expectStoppedCleanly(bus: BusProcess, code: number | null, postgresPid: number, started: number): void {
    expect(code, bus.output.slice(-3000)).to.equal(0);
    expect(Date.now() - started, 'stop took too long').to.be.below(15000);
    expect(bus.output).to.contain('gridbus stopped cleanly');
    expect(alive(postgresPid), `postgres pid ${postgresPid} still running`).to.equal(false);
    expect(postmasterPid(), 'postmaster.pid left behind').to.equal(null);
  }

  it('first start: as root in a 0700 folder with no var/, the embedded default initialises, answers /health and stops on one Ctrl-C to the process group', async () => {
    if (process.getuid?.() === 0) expect(fs.statSync(parent).mode & 0o777).to.equal(0o700);
    const { bus, postgresPid } = await startInTerminal();
    expect(bus.output).to.match(/initialising embedded PostgreSQL/);
    expect(bus.output).to.not.match(/EACCES|Permission denied|\n\s+at /);
    const health = await http(`${base}/health`);
    expect(health.status, health.text).to.equal(200);
    expect(fs.existsSync(path.join(varDir, 'first-operator-password.txt'))).to.equal(true);

    const started = Date.now();
    const code = await bus.signalGroup('SIGINT', 15000);
    expectStoppedCleanly(bus, code, postgresPid, started);
    expect(bus.output).to.not.match(/SIGINT again/);
  });

  it('second start: reuses the data (no new database, the first operator still logs in) and stops on one kill -TERM of the bus alone', async () => {
    const { bus, postgresPid } = await startInTerminal();
    expect(bus.output).to.not.match(/initialising embedded PostgreSQL/);
    expect(bus.output).to.match(/database schema is up to date/);
    expect(bus.output).to.not.match(/first operator 'admin' created/);
    const password = fs.readFileSync(path.join(varDir, 'first-operator-password.txt'), 'utf8').trim().split('\n').pop()!;
    const login = await http(`${base}/admin/api/session`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password }),
    });
    expect(login.status, login.text).to.equal(200);

    const started = Date.now();
    const code = await bus.stop('SIGTERM', 15000);
    expectStoppedCleanly(bus, code, postgresPid, started);
  });

  it('a start that cannot get its database names the cause and the fix in one line and exits non-zero, without a stack trace', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const bus = new BusProcess(['start'], { ...env, EMBEDDED_PG_PORT: String(port) }, { detached: true });
      const code = await bus.exitCode();
      expect(code, bus.output.slice(-2000)).to.not.equal(0);
      expect(bus.output).to.contain(`gridbus: port 127.0.0.1:${port} is in use (another PostgreSQL or bus?): set EMBEDDED_PG_PORT to a free port`);
      expect(bus.output).to.not.match(/\n\s+at /);
    } finally {
      blocker.close();
    }
  });
});
