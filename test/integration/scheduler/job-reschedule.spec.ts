import { expect } from 'chai';
import { spawn } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RunningBus, startBus } from '../../../bin/bootstrap';
import { loadConfig } from '../../../config';
import { CLI } from '../../helpers/bus-process';
import { createFreshDatabase, query } from '../../helpers/db';
import { requireEnv, TEST_JWT_ENV } from '../../helpers/env';
import { eventually, http } from '../../helpers/http';
import { operatorToken } from '../../helpers/operators';

function cli(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('scheduler - `gridbus jobs set`: an operator changes when and how often a job runs', function () {
  this.timeout(60000);
  const suffix = randomBytes(3).toString('hex');
  let db: { url: string; drop(): Promise<void> };
  let bus: RunningBus;
  let base: string;
  let home: string;
  let env: Record<string, string>;
  let auditor: string;
  let operator: string;
  const run = (...args: string[]) => cli(args, env);

  before(async () => {
    db = await createFreshDatabase();
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-jobset-'));
    bus = await startBus(
      loadConfig({
        ...TEST_JWT_ENV,
        NATS_URL: requireEnv('TEST_NATS_URL'),
        BUS_NAMESPACE: `it-jobset-${suffix}`,
        NODE_ID: `jobset-${suffix}`,
        SERVICES: 'gateway,scheduler,audit,auth',
        DATABASE_URL: db.url,
        HTTP_PORT: '0',
        SIMULATORS: 'off',
        LOG_LEVEL: 'error',
        VAR_DIR: home,
      }),
    );
    base = bus.gatewayUrl!;
    operator = await operatorToken(db.url, base, 'op-jobset', ['operator']);
    auditor = await operatorToken(db.url, base, 'aud-jobset', ['auditor']);
    env = { PATH: process.env.PATH ?? '', HOME: home, GRIDBUS_SESSION_FILE: path.join(home, 'session.json') };
    const login = await run('login', '--url', base, '--token', operator);
    expect(login.status, login.stderr).to.equal(0);
  });

  after(async () => {
    await bus?.stop();
    await db?.drop();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  const sleepRow = async () => {
    const r = await run('jobs', 'list', '--json');
    expect(r.status, r.stderr).to.equal(0);
    return JSON.parse(r.stdout).find((j: { job: string }) => j.job === 'sleep');
  };

  it('sets a new cron, zone and missed policy: list shows it, audited with before and after', async () => {
    const set = await run('jobs', 'set', 'sleep', '--cron', '*/7 * * * *', '--tz', 'Europe/Berlin', '--missed', 'catchUp');
    expect(set.status, set.stderr).to.equal(0);
    expect(set.stdout).to.match(/^job sleep: '\*\/7 \* \* \* \*' \(Europe\/Berlin\), attempts \d+, backoff \d+ ms, missed: catchUp; every node within 10 s\n$/);
    expect(await sleepRow()).to.include({ cron: '*/7 * * * *', timeZone: 'Europe/Berlin', missed: 'catchUp', paused: true, invalid: null });
    const rows = await eventually(
      () => query<{ actor: string; outcome: string; target: string; details: { before: { cron: string }; after: { cron: string; timeZone: string } } }>(
        db.url,
        `SELECT actor, outcome, target, details FROM audit_log WHERE action = 'scheduler.job.rescheduled' ORDER BY id`,
      ),
      (r) => r.length >= 1,
      5000,
    );
    expect(rows[0]).to.deep.include({ actor: 'op-jobset', outcome: 'success', target: 'job:sleep' });
    expect(rows[0].details.before).to.include({ cron: '*/5 * * * *', timeZone: 'Asia/Shanghai', missed: 'skip' });
    expect(rows[0].details.after).to.include({ cron: '*/7 * * * *', timeZone: 'Europe/Berlin', missed: 'catchUp' });
  });

  it('refuses a cron expression that does not parse (JOB_SCHEDULE_INVALID naming job and expression), keeping the old one', async () => {
    const bad = await run('jobs', 'set', 'sleep', '--cron', '61 * * * *');
    expect(bad.status).to.equal(1);
    expect(bad.stderr).to.contain('JOB_SCHEDULE_INVALID').and.to.contain("job 'sleep'").and.to.contain("'61 * * * *'");
    const res = await http(`${base}/admin/api/jobs/sleep`, {
      token: operator,
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ timeZone: 'Mars/Olympus' }),
    });
    expect(res.status).to.equal(422);
    expect(await sleepRow()).to.include({ cron: '*/7 * * * *', timeZone: 'Europe/Berlin' });
    const failures = await eventually(
      () => query<{ outcome: string }>(db.url, `SELECT outcome FROM audit_log WHERE action = 'scheduler.job.rescheduled' AND outcome = 'failure'`),
      (r) => r.length >= 2,
      5000,
    );
    expect(failures).to.have.length(2);
  });

  it('refuses an unknown job with JOB_NOT_FOUND and an empty change as a usage error', async () => {
    const r = await run('jobs', 'set', 'no-such-job', '--cron', '* * * * *');
    expect(r.status).to.equal(1);
    expect(r.stderr).to.contain('JOB_NOT_FOUND');
    const none = await run('jobs', 'set', 'sleep');
    expect(none.status).to.equal(2);
    expect(none.stderr).to.contain('at least one of --cron');
  });

  it('refuses an auditor (403), leaving the schedule as it was', async () => {
    const res = await http(`${base}/admin/api/jobs/sleep`, { token: auditor, method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ cron: '* * * * *' }) });
    expect(res.status).to.equal(403);
    expect(await sleepRow()).to.include({ cron: '*/7 * * * *' });
  });
});
