import { expect } from 'chai';
import { DataSource } from 'typeorm';
import { openDatabase } from '../../../core/db';
import { GridbusError } from '../../../core/errors';
import { JobStore } from '../../../scheduler/job-store';
import { sleepJob } from '../../../scheduler/jobs/sleep.job';
import { createFreshDatabase } from '../../helpers/db';

describe('scheduler - job store: lease and fencing token on real PostgreSQL', function () {
  this.timeout(30000);
  let db: { url: string; drop(): Promise<void> };
  let ds: DataSource;
  let store: JobStore;
  const T1 = new Date('2026-12-04T10:00:00Z');
  const T2 = new Date('2026-12-04T10:00:05Z');

  before(async () => {
    db = await createFreshDatabase();
    ds = (await openDatabase(db.url)).dataSource;
    store = new JobStore(ds);
    await store.seed([sleepJob]);
  });

  after(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('seeds the default schedule once and keeps an operator change', async () => {
    await ds.query(`UPDATE job_schedule SET cron = '*/2 * * * * *' WHERE job = 'sleep'`);
    await store.seed([sleepJob]);
    const s = await store.schedule('sleep');
    expect(s).to.include({ cron: '*/2 * * * * *', timeZone: 'Asia/Shanghai', paused: true });
  });

  it('lets one of two nodes take an instant, refuses the same instant again, and skips a paused job', async () => {
    expect(await store.acquire('sleep', 'node-a', T1, 60000)).to.equal(null); // paused
    await store.setPaused('sleep', false);
    const [a, b] = await Promise.all([store.acquire('sleep', 'node-a', T1, 60000), store.acquire('sleep', 'node-b', T1, 60000)]);
    expect([a, b].filter(Boolean)).to.have.length(1);
    const lease = (a ?? b)!;
    await store.release(lease);
    expect(await store.acquire('sleep', 'node-c', T1, 60000)).to.equal(null); // that instant ran already
  });

  it('refuses every write of a run whose fencing token was taken over, and marks that run abandoned', async () => {
    const stale = (await store.acquire('sleep', 'node-a', T2, 1000))!;
    expect(stale).to.not.equal(null);
    const runId = await store.startRun(stale, 1, 'scheduled');
    await store.progress(stale, runId, { steps: 1 });
    await new Promise((r) => setTimeout(r, 1100)); // node-a "paused" past its lease
    const fresh = (await store.acquire('sleep', 'node-b', new Date(T2.getTime() + 1000), 60000))!;
    expect(BigInt(fresh.fencingToken) > BigInt(stale.fencingToken)).to.equal(true);
    let refused: unknown;
    try {
      await store.finish(stale, runId, 'ok', { steps: 9 }, null);
    } catch (err) {
      refused = err;
    }
    expect(refused).to.be.instanceOf(GridbusError);
    expect((refused as GridbusError).errorCode).to.equal('JOB_LEASE_LOST');
    try {
      await store.progress(stale, runId, { steps: 2 });
      expect.fail('progress under a stale token was written');
    } catch (err) {
      expect((err as GridbusError).errorCode).to.equal('JOB_LEASE_LOST');
    }
    expect(await store.renew(stale, 60000)).to.equal(false);
    const row = (await store.history('sleep', 10)).find((r) => r.id === runId)!;
    expect(row).to.include({ outcome: 'abandoned', node: 'node-a', counts: null });
    expect(row.progress).to.deep.equal({ steps: 1 });
    expect(row.error).to.match(/node node-a stopped renewing it .*taken over by node-b/);
    await store.release(fresh);
  });
});
