import { expect } from 'chai';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RunningBus, startBus } from '../../../bin/bootstrap';
import { loadConfig } from '../../../config';
import { openDatabase } from '../../../core/db';
import { JobStore } from '../../../scheduler/job-store';
import { JOB_KINDS } from '../../../scheduler/jobs';
import { createFreshDatabase, query } from '../../helpers/db';
import { requireEnv, TEST_JWT_ENV } from '../../helpers/env';
import { eventually, http } from '../../helpers/http';

describe('scheduler - /health and /metrics of the jobs', function () {
  this.timeout(60000);
  const suffix = randomBytes(3).toString('hex');
  let db: { url: string; drop(): Promise<void> };
  let bus: RunningBus;
  let base: string;
  let dir: string;
  const jobHealth = async () => {
    const res = await http(`${base}/health`);
    return res.json.nodes.find((n: { nodeId: string }) => n.nodeId === `h-${suffix}`)?.dependencies?.['job sleep'];
  };

  before(async () => {
    db = await createFreshDatabase();
    const { dataSource } = await openDatabase(db.url);
    try {
      await new JobStore(dataSource).seed(JOB_KINDS);
      // every 2 s, always failing, schedule set 10 s ago: more than twice its period without a success
      await dataSource.query(
        `UPDATE job_schedule SET cron = '*/2 * * * * *', paused = false, max_attempts = 1, params = '{"ms": 10, "fail": true}', updated_at = now() - interval '10 seconds' WHERE job = 'sleep'`,
      );
    } finally {
      await dataSource.destroy();
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-jobhealth-'));
    bus = await startBus(
      loadConfig({
        ...TEST_JWT_ENV,
        NATS_URL: requireEnv('TEST_NATS_URL'),
        BUS_NAMESPACE: `it-jh-${suffix}`,
        NODE_ID: `h-${suffix}`,
        SERVICES: 'gateway,scheduler',
        DATABASE_URL: db.url,
        HTTP_PORT: '0',
        SIMULATORS: 'off',
        LOG_LEVEL: 'fatal',
        VAR_DIR: dir,
      }),
    );
    base = bus.gatewayUrl!;
  });

  after(async () => {
    await bus?.stop();
    await db?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('shows a job that has not succeeded within twice its period as degraded, with its last error', async () => {
    const h = await eventually(jobHealth, (x) => x?.status === 'degraded' && /last error/.test(x.detail), 10000);
    expect(h.detail).to.match(/^no success since the schedule was set \d+ s ago: more than twice its period \(2 s\); last error: sleep failed as params.fail asked/);
    expect((await http(`${base}/health`)).json.status).to.equal('degraded');
  });

  it('counts the failures on /metrics, and is up again once the job succeeds', async () => {
    const failures = await eventually(
      async () => (await http(`${base}/metrics`)).text,
      (t) => /gridbus_job_failures_total\{node="h-[0-9a-f]+",job="sleep"\} [1-9]/.test(t),
      15000,
    );
    expect(failures).to.match(/gridbus_job_last_success_age_seconds\{node="h-[0-9a-f]+",job="sleep"\} -1/);
    await query(db.url, `UPDATE job_schedule SET params = '{"ms": 10}' WHERE job = 'sleep'`);
    const h = await eventually(jobHealth, (x) => x?.status === 'up', 10000);
    expect(h.detail).to.match(/^last success \d+ s ago/);
    const text = await eventually(
      async () => (await http(`${base}/metrics`)).text,
      (t) => /gridbus_job_last_success_age_seconds\{node="h-[0-9a-f]+",job="sleep"\} \d/.test(t),
      5000,
    );
    expect(text).to.match(/gridbus_job_running\{node="h-[0-9a-f]+",job="sleep"\} [01]/);
  });

  it('refuses a cron expression an operator wrote that does not parse: named in the list and degraded on /health; the previous schedule stays', async () => {
    await query(db.url, `UPDATE job_schedule SET cron = '61 * * * * *' WHERE job = 'sleep'`);
    const h = await eventually(jobHealth, (x) => x?.status === 'degraded', 15000);
    expect(h.detail).to.match(/^job 'sleep': cron expression '61 \* \* \* \* \*' does not parse \(/);
    const list = await bus.broker.call<Array<{ job: string; invalid: string | null }>, Record<string, never>>('scheduler.list', {});
    expect(list.find((j) => j.job === 'sleep')?.invalid).to.equal(h.detail);
  });
});
