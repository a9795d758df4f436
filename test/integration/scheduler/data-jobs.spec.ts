import { expect } from 'chai';
import type { ServiceBroker } from 'moleculer';
import { DataSource } from 'typeorm';
import { openDatabase } from '../../../core/db';
import { JobRunner } from '../../../scheduler/job-runner';
import { JobStore } from '../../../scheduler/job-store';
import { JOB_KINDS } from '../../../scheduler/jobs';
import { JobRegistry } from '../../../scheduler/registry';
import { createFreshDatabase, query } from '../../helpers/db';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const config = { statistics: { retentionDays: 90 } } as never;

describe('scheduler - the retention and daily roll-up jobs on real PostgreSQL', function () {
  this.timeout(60000);
  let db: { url: string; drop(): Promise<void> };
  let ds: DataSource;
  let runner: JobRunner;
  let store: JobStore;

  before(async () => {
    db = await createFreshDatabase();
    ds = (await openDatabase(db.url)).dataSource;
    store = new JobStore(ds);
    await store.seed(JOB_KINDS);
    runner = new JobRunner(store, new JobRegistry(JOB_KINDS), 'node-d', { dataSource: ds, config, broker: {} as ServiceBroker }, quiet);
  });

  after(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  const event = (ageSql: string, fn: string, outcome: string, user: string, ms: number) =>
    ds.query(`INSERT INTO access_event (at, function, user_id, status, outcome, latency_ms) VALUES (now() - ${ageSql}, $1, $2, 200, $3, $4)`, [fn, user, outcome, ms]);

  it('deletes access events, message log, audit log and job runs beyond their retention, and keeps the rest', async () => {
    await event(`interval '91 days'`, 'arrears', 'ok', 'u1', 5);
    await event(`interval '89 days'`, 'arrears', 'ok', 'u1', 5);
    await ds.query(`INSERT INTO message_log (at, operation, mapping_version, outcome) VALUES (now() - interval '31 days', 'op', '1', 'ok'), (now() - interval '1 day', 'op', '1', 'ok')`);
    await ds.query(`INSERT INTO audit_log (at, actor, action, outcome) VALUES (now() - interval '400 days', 'a', 'x', 'success'), (now(), 'a', 'y', 'success')`);
    await ds.query(
      `INSERT INTO job_run (job, scheduled_for, reason, node, fencing_token, started_at, outcome) VALUES ('sleep', now() - interval '100 days', 'scheduled', 'n', 1, now() - interval '100 days', 'ok')`,
    );
    const result = await runner.runInstant('retention', new Date(), 'manual');
    expect(result).to.deep.include({ outcome: 'ok', counts: { accessEvents: 1, messageLog: 1, auditLog: 1, jobRuns: 1 } });
    expect(await query(db.url, `SELECT count(*)::int AS n FROM access_event`)).to.deep.equal([{ n: 1 }]);
    expect(await query(db.url, `SELECT count(*)::int AS n FROM message_log`)).to.deep.equal([{ n: 1 }]);
    expect(await query(db.url, `SELECT action FROM audit_log`)).to.deep.equal([{ action: 'y' }]);
    // the retention run itself is in the history, the old one is gone
    expect(await query(db.url, `SELECT job, outcome FROM job_run`)).to.deep.equal([{ job: 'retention', outcome: 'ok' }]);
  });

  it('rolls up the complete previous days per function in Asia/Shanghai, idempotently, leaving today out', async () => {
    await ds.query(`DELETE FROM access_event`);
    // yesterday noon in Shanghai: three calls of arrears (two users), one refused bill; today: one call (not rolled up)
    const yesterdayNoon = `((((now() AT TIME ZONE 'Asia/Shanghai')::date - 1)::timestamp + interval '12 hours') AT TIME ZONE 'Asia/Shanghai')`;
    for (const [fn, outcome, user, ms] of [['arrears', 'ok', 'u1', 10], ['arrears', 'ok', 'u2', 20], ['arrears', 'error', 'u1', 30], ['bills', 'refused', 'u3', 5]] as const) {
      await ds.query(`INSERT INTO access_event (at, function, user_id, status, outcome, latency_ms) VALUES (${yesterdayNoon}, $1, $2, 200, $3, $4)`, [fn, user, outcome, ms]);
    }
    await event(`interval '0 seconds'`, 'arrears', 'ok', 'u9', 1);
    const first = await runner.runInstant('access-rollup', new Date(Date.now() - 1000), 'manual');
    expect(first).to.deep.include({ outcome: 'ok', counts: { days: 2, rows: 2 } });
    const again = await runner.runInstant('access-rollup', new Date(), 'manual');
    expect(again?.outcome).to.equal('ok');
    const rows = await query<Record<string, unknown>>(
      db.url,
      `SELECT day = (now() AT TIME ZONE 'Asia/Shanghai')::date - 1 AS yesterday, function, calls, ok, refused, errors, users, p50_ms FROM access_daily ORDER BY function`,
    );
    expect(rows).to.deep.equal([
      { yesterday: true, function: 'arrears', calls: 3, ok: 2, refused: 0, errors: 1, users: 2, p50_ms: 20 },
      { yesterday: true, function: 'bills', calls: 1, ok: 0, refused: 1, errors: 0, users: 1, p50_ms: 5 },
    ]);
  });

  it('refuses a job write under a token that was taken over (fenced transaction)', async () => {
    const lease = (await store.acquire('access-rollup', 'node-old', new Date(Date.now() + 60_000), 1000, { evenIfPaused: true }))!;
    await new Promise((r) => setTimeout(r, 1100));
    const taken = (await store.acquire('access-rollup', 'node-new', new Date(Date.now() + 120_000), 60000, { evenIfPaused: true }))!;
    try {
      await store.fenced(lease, (m) => m.query(`DELETE FROM access_daily`));
      expect.fail('a write under a stale token went through');
    } catch (err) {
      expect((err as { errorCode?: string }).errorCode).to.equal('JOB_LEASE_LOST');
    }
    expect((await query(db.url, `SELECT count(*)::int AS n FROM access_daily`))[0]).to.deep.equal({ n: 2 });
    await store.release(taken);
  });
});
