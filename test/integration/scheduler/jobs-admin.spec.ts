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

describe('scheduler - admin API and `gridbus jobs`, each action audited', function () {
  this.timeout(60000);
  const suffix = randomBytes(3).toString('hex');
  let db: { url: string; drop(): Promise<void> };
  let bus: RunningBus;
  let base: string;
  let home: string;
  let env: Record<string, string>;
  let auditor: string;
  const run = (...args: string[]) => cli(args, env);

  before(async () => {
    db = await createFreshDatabase();
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-jobs-'));
    bus = await startBus(
      loadConfig({
        ...TEST_JWT_ENV,
        NATS_URL: requireEnv('TEST_NATS_URL'),
        BUS_NAMESPACE: `it-jobs-${suffix}`,
        NODE_ID: `jobs-${suffix}`,
        SERVICES: 'gateway,scheduler,audit,auth',
        DATABASE_URL: db.url,
        HTTP_PORT: '0',
        SIMULATORS: 'off',
        LOG_LEVEL: 'error',
        VAR_DIR: home,
      }),
    );
    base = bus.gatewayUrl!;
    const operator = await operatorToken(db.url, base, 'op-jobs', ['operator']);
    auditor = await operatorToken(db.url, base, 'aud-jobs', ['auditor']);
    env = { PATH: process.env.PATH ?? '', HOME: home, GRIDBUS_SESSION_FILE: path.join(home, 'session.json') };
    const login = await run('login', '--url', base, '--token', operator);
    expect(login.status, login.stderr).to.equal(0);
  });

  after(async () => {
    await bus?.stop();
    await db?.drop();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it('lists the jobs with their schedules (--json and text)', async () => {
    const json = await run('jobs', 'list', '--json');
    expect(json.status, json.stderr).to.equal(0);
    const sleep = JSON.parse(json.stdout).find((j: { job: string }) => j.job === 'sleep');
    expect(sleep).to.include({ cron: '*/5 * * * *', timeZone: 'Asia/Shanghai', paused: true, missed: 'skip', invalid: null });
    const text = await run('jobs', 'list');
    expect(text.stdout).to.match(/^sleep\s+\*\/5 \* \* \* \*\s+Asia\/Shanghai\s+paused/m);
  });

  it('resumes and pauses a job, written to job_schedule and audited', async () => {
    const resumed = await run('jobs', 'resume', 'sleep');
    expect(resumed.stdout).to.equal('job sleep: resumed\n');
    expect((await query(db.url, `SELECT paused FROM job_schedule WHERE job = 'sleep'`))[0]).to.deep.equal({ paused: false });
    const paused = await run('jobs', 'pause', 'sleep', '--json');
    expect(JSON.parse(paused.stdout)).to.deep.equal({ job: 'sleep', paused: true });
    const rows = await eventually(
      () => query<{ actor: string; action: string; outcome: string; target: string }>(db.url, `SELECT actor, action, outcome, target FROM audit_log WHERE action LIKE 'scheduler.job.%' ORDER BY id`),
      (r) => r.length >= 2,
      5000,
    );
    expect(rows.slice(0, 2)).to.deep.equal([
      { actor: 'op-jobs', action: 'scheduler.job.resumed', outcome: 'success', target: 'job:sleep' },
      { actor: 'op-jobs', action: 'scheduler.job.paused', outcome: 'success', target: 'job:sleep' },
    ]);
  });

  it('runs a paused job now and shows the run in the history', async () => {
    const r = await run('jobs', 'run', 'sleep', '--json');
    expect(r.status, r.stderr).to.equal(0);
    const { runId } = JSON.parse(r.stdout);
    expect(runId).to.match(/^\d+$/);
    await eventually(
      () => query<{ outcome: string }>(db.url, `SELECT outcome FROM job_run WHERE id = $1`, [runId]),
      (rows) => rows[0]?.outcome === 'ok',
      10000,
    );
    const hist = await run('jobs', 'history', 'sleep', '--json');
    const row = JSON.parse(hist.stdout).find((x: { id: string }) => x.id === runId);
    expect(row).to.include({ job: 'sleep', reason: 'manual', outcome: 'ok', node: `jobs-${suffix}`, attempt: 1, error: null });
    expect(row.counts.steps).to.be.greaterThan(0);
    const text = await run('jobs', 'history', '--limit', '5');
    expect(text.stdout).to.match(new RegExp(`^\\s*${runId} sleep .* ok\\s+jobs-${suffix} #1 manual steps=`, 'm'));
    const audit = await eventually(
      () => query<{ outcome: string; details: { runId: string } }>(db.url, `SELECT outcome, details FROM audit_log WHERE action = 'scheduler.job.run'`),
      (x) => x.length > 0,
      5000,
    );
    expect(audit[0]).to.deep.include({ outcome: 'success', details: { runId } });
  });

  it('refuses an unknown job with JOB_NOT_FOUND, audited as a failure', async () => {
    const r = await run('jobs', 'run', 'no-such-job');
    expect(r.status).to.not.equal(0);
    expect(r.stderr).to.contain('JOB_NOT_FOUND').and.to.contain("no job 'no-such-job'");
    const rows = await eventually(
      () => query<{ outcome: string }>(db.url, `SELECT outcome FROM audit_log WHERE action = 'scheduler.job.run' AND target = 'job:no-such-job'`),
      (x) => x.length > 0,
      5000,
    );
    expect(rows[0].outcome).to.equal('failure');
  });

  it('lets an auditor read the jobs and the history but not pause, resume or run', async () => {
    expect((await http(`${base}/admin/api/jobs`, { token: auditor })).status).to.equal(200);
    expect((await http(`${base}/admin/api/jobs/history?job=sleep`, { token: auditor })).status).to.equal(200);
    for (const verb of ['pause', 'resume', 'run']) {
      const res = await http(`${base}/admin/api/jobs/sleep/${verb}`, { token: auditor, method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
      expect(res.status, verb).to.equal(403);
    }
  });
});
