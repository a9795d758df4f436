import { expect } from 'chai';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { ServiceBroker } from 'moleculer';
import { DataSource } from 'typeorm';
import { RunningBus, startBus } from '../../../bin/bootstrap';
import { loadConfig } from '../../../config';
import { openDatabase } from '../../../core/db';
import { JobRunner } from '../../../scheduler/job-runner';
import { JobStore } from '../../../scheduler/job-store';
import { JOB_KINDS } from '../../../scheduler/jobs';
import { JobRegistry } from '../../../scheduler/registry';
import { createFreshDatabase, query } from '../../helpers/db';
import { requireEnv, TEST_JWT_ENV } from '../../helpers/env';
import { eventually } from '../../helpers/http';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('scheduler - retries with backoff and the missed-run policy', function () {
  this.timeout(60000);
  let db: { url: string; drop(): Promise<void> };
  let ds: DataSource;
  let store: JobStore;

  beforeEach(async () => {
    db = await createFreshDatabase();
    ds = (await openDatabase(db.url)).dataSource;
    store = new JobStore(ds);
    await store.seed(JOB_KINDS);
  });

  afterEach(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('retries a failed run up to maxAttempts with doubling backoff, each attempt in the history', async () => {
    await ds.query(`UPDATE job_schedule SET paused = false, max_attempts = 3, backoff_ms = 300, params = '{"ms": 10, "fail": true}' WHERE job = 'sleep'`);
    const runner = new JobRunner(store, new JobRegistry(JOB_KINDS), 'node-r', { dataSource: ds, config: {} as never, broker: {} as ServiceBroker }, quiet);
    const result = await runner.runWithRetries('sleep', new Date('2026-12-04T01:00:00Z'), 'scheduled');
    expect(result?.outcome).to.equal('failed');
    const rows = await query<{ attempt: number; reason: string; outcome: string; error: string; started_at: Date }>(
      db.url,
      `SELECT attempt, reason, outcome, error, started_at FROM job_run WHERE job = 'sleep' ORDER BY attempt`,
    );
    expect(rows.map((r) => [r.attempt, r.reason, r.outcome])).to.deep.equal([
      [1, 'scheduled', 'failed'],
      [2, 'retry', 'failed'],
      [3, 'retry', 'failed'],
    ]);
    expect(rows[0].error).to.equal('sleep failed as params.fail asked');
    const gap = (i: number) => new Date(rows[i].started_at).getTime() - new Date(rows[i - 1].started_at).getTime();
    expect(gap(1)).to.be.at.least(300);
    expect(gap(2)).to.be.at.least(600);
  });

  it('stops retrying once an attempt succeeds', async () => {
    await ds.query(`UPDATE job_schedule SET paused = false, max_attempts = 3, backoff_ms = 10, params = '{"ms": 10}' WHERE job = 'sleep'`);
    const runner = new JobRunner(store, new JobRegistry(JOB_KINDS), 'node-r', { dataSource: ds, config: {} as never, broker: {} as ServiceBroker }, quiet);
    expect((await runner.runWithRetries('sleep', new Date('2026-12-04T02:00:00Z'), 'scheduled'))?.outcome).to.equal('ok');
    expect(await query(db.url, `SELECT 1 FROM job_run`)).to.have.length(1);
  });

  for (const policy of ['catchUp', 'skip'] as const) {
    it(`after downtime, ${policy === 'catchUp' ? 'runs the newest missed instant once at start (catchUp)' : 'runs nothing missed at start (skip)'}`, async () => {
      // hourly at minute 0; the last instant taken was three hours ago
      await ds.query(`UPDATE job_schedule SET paused = false, cron = '0 * * * *', missed = $1, params = '{"ms": 10}' WHERE job = 'sleep'`, [policy]);
      await ds.query(`UPDATE job_lease SET scheduled_for = date_trunc('hour', now()) - interval '3 hours' WHERE job = 'sleep'`);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-sched-'));
      const buses: RunningBus[] = [];
      try {
        const env = { ...TEST_JWT_ENV, NATS_URL: requireEnv('TEST_NATS_URL'), SIMULATORS: 'off', LOG_LEVEL: 'error', VAR_DIR: dir, DATABASE_URL: db.url, SERVICES: 'scheduler' };
        const suffix = randomBytes(3).toString('hex');
        // two nodes start at once: the missed instant still runs once
        buses.push(...(await Promise.all(['x', 'y'].map((n) => startBus(loadConfig({ ...env, BUS_NAMESPACE: `it-miss-${suffix}`, NODE_ID: `${n}-${suffix}` }))))));
        if (policy === 'catchUp') {
          const rows = await eventually(
            () => query<{ reason: string; outcome: string; scheduled_for: Date }>(db.url, `SELECT reason, outcome, scheduled_for FROM job_run`),
            (r) => r.length > 0 && r.every((x) => x.outcome === 'ok'),
            10000,
          );
          expect(rows).to.have.length(1);
          expect(rows[0].reason).to.equal('catchUp');
          const hour = new Date();
          hour.setUTCMinutes(0, 0, 0);
          expect(new Date(rows[0].scheduled_for).toISOString()).to.equal(hour.toISOString());
        } else {
          await new Promise((r) => setTimeout(r, 1500));
          expect(await query(db.url, `SELECT 1 FROM job_run`)).to.have.length(0);
        }
      } finally {
        await Promise.all(buses.map((b) => b.stop()));
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
