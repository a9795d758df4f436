import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { execFileSync } from 'child_process';
import { Client } from 'pg';
import { HOUSEHOLDS, totalFen } from '../../../simulators/marketing/dataset';
import { BusProcess, CLI, removeBusState } from '../../helpers/bus-process';
import { http } from '../../helpers/http';
import { freePort } from '../../helpers/ports';

/**
 * `npm start` with nothing configured: one process, embedded PostgreSQL under
 * VAR_DIR, simulator in-process. Run here against a temporary VAR_DIR and free
 * ports so a developer's own `npm start` is left alone.
 */
describe('embedded default - the bus starts alone, keeps its data and stops cleanly', function () {
  this.timeout(90000);
  let varDir: string;
  let env: Record<string, string>;
  let base: string;

  before(async () => {
    // private (mode 0700), as mktemp -d makes it: as root the data then lives under /var/lib/gridbus, linked from VAR_DIR/pg
    varDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-var-'));
    const httpPort = await freePort();
    env = { VAR_DIR: varDir, HTTP_PORT: String(httpPort), EMBEDDED_PG_PORT: String(await freePort()), NODE_ID: 'embedded-test' };
    base = `http://127.0.0.1:${httpPort}`;
  });

  after(() => removeBusState(varDir));

  async function runOnce(check: (bus: BusProcess) => Promise<void>): Promise<BusProcess> {
    const bus = new BusProcess(['start'], env);
    try {
      await bus.waitFor(/gateway: http/, 60000);
      await check(bus);
    } finally {
      const code = await bus.stop('SIGINT');
      expect(code, bus.output.slice(-2000)).to.equal(0);
    }
    return bus;
  }

  it('first start: initialises the database, applies migrations, answers with a demo token, stops on Ctrl-C', async () => {
    const bus = await runOnce(async (b) => {
      expect(b.output).to.match(/initialising embedded PostgreSQL/);
      expect(b.output).to.match(/migrations applied: InitialSchema/);
      expect(b.output).to.match(/demo token: /);
      // the demo user owns the simulator's first household (bound once), with a PII key pair made under VAR_DIR
      expect(b.output).to.match(/demo: user 'demo-user' \(npm run token\) bound to the marketing simulator's household 3301000001/);
      expect(b.output).to.match(/PII_ENC_KEY \/ PII_HASH_KEY not set: generated a development pair in \S+keys\.json \(mode 0600/);
      expect(fs.statSync(path.join(varDir, 'pii', 'keys.json')).mode & 0o777).to.equal(0o600);
      const token = execFileSync(process.execPath, [CLI, 'token'], { env: { ...process.env, ...env } }).toString().trim();
      const h = HOUSEHOLDS[0];
      const res = await http(`${base}/api/v1/accounts/${h.ConsNo}/arrears`, { token });
      expect(res.status).to.equal(200);
      expect(res.json.totalFen).to.equal(totalFen(h));
      const refused = await http(`${base}/api/v1/accounts/${h.ConsNo}/arrears`, { headers: { 'X-Request-ID': 'embedded-marker' } });
      expect(refused.status).to.equal(401);
    });
    expect(bus.output).to.contain('gridbus stopped cleanly');
    expect(fs.existsSync(path.join(varDir, 'pg', 'postmaster.pid')), 'postgres left running').to.equal(false);
  });

  it('second start: reuses the data directory (no re-init, no re-migration, earlier rows intact)', async () => {
    await runOnce(async (b) => {
      expect(b.output).to.not.match(/initialising embedded PostgreSQL/);
      expect(b.output).to.match(/database schema is up to date/);
      expect(b.output).to.match(/using the development pair in/);
      expect(b.output).to.not.match(/demo: user 'demo-user'/);
      // the database password is generated once beside the data (0600), never a constant
      const passwordFile = path.join(varDir, 'pg.credentials', 'password');
      expect(fs.statSync(passwordFile).mode & 0o777).to.equal(0o600);
      const connect = async (password: string) => {
        const c = new Client({ host: '127.0.0.1', port: Number(env.EMBEDDED_PG_PORT), user: 'gridbus', password, database: 'gridbus' });
        c.on('error', () => undefined);
        await c.connect();
        return c;
      };
      let legacy: Error | null = null;
      await connect('gridbus').then((c) => c.end(), (err: Error) => (legacy = err));
      expect(legacy, 'the old constant password still logs in').to.not.equal(null);
      const pg = await connect(fs.readFileSync(passwordFile, 'utf8').trim());
      try {
        const rows = (await pg.query("SELECT action FROM audit_log WHERE request_id = 'embedded-marker'")).rows;
        expect(rows).to.deep.equal([{ action: 'auth.token.rejected' }]);
      } finally {
        await pg.end();
      }
    });
    expect(fs.existsSync(path.join(varDir, 'pg', 'postmaster.pid'))).to.equal(false);
  });
});

describe('embedded default - configuration errors stop the start with the key named', () => {
  it('refuses a bad HTTP_PORT with exit code 2 and a message naming the key and the value expected', async () => {
    const bus = new BusProcess(['start'], { HTTP_PORT: 'eighty' });
    const code = await bus.exitCode();
    expect(code).to.equal(2);
    expect(bus.output).to.contain('HTTP_PORT must be a TCP port 0-65535 (0 picks a free one) (got "eighty")');
  });

  it('refuses an unknown service name', async () => {
    const bus = new BusProcess(['start', '--services', 'gateway,bilin'], {});
    expect(await bus.exitCode()).to.not.equal(0);
    expect(bus.output).to.contain('SERVICES names unknown service(s) bilin');
  });
});
