import { expect } from 'chai';
import { randomBytes } from 'crypto';
import { openDatabase } from '../../../core/db';
import { JobStore } from '../../../scheduler/job-store';
import { sleepJob } from '../../../scheduler/jobs/sleep.job';
import { BusProcess } from '../../helpers/bus-process';
import { createFreshDatabase, query } from '../../helpers/db';
import { requireEnv, TEST_JWT_ENV } from '../../helpers/env';
import { eventually } from '../../helpers/http';

interface Run {
  id: string;
  scheduled_for: Date;
  node: string;
  outcome: string;
  reason: string;
  error: string | null;
}

describe('scheduler - two nodes as separate processes share each job through a PostgreSQL lease', function () {
  this.timeout(90000);
  const suffix = randomBytes(3).toString('hex');
  let db: { url: string; drop(): Promise<void> };
  const nodes: Record<string, BusProcess> = {};
  const runs = () => query<Run>(db.url, `SELECT id::text, scheduled_for, node, outcome, reason, error FROM job_run WHERE job = 'sleep' ORDER BY id`);

  function start(nodeId: string): BusProcess {
    return new BusProcess(['start', '--services', 'scheduler,audit,auth'], {
      ...TEST_JWT_ENV,
      NATS_URL: requireEnv('TEST_NATS_URL'),
      BUS_NAMESPACE: `sched-${suffix}`,
      NODE_ID: nodeId,
      DATABASE_URL: db.url,
      SIMULATORS: 'off',
    });
  }

  before(async () => {
    db = await createFreshDatabase();
    const { dataSource } = await openDatabase(db.url);
    try {
      await new JobStore(dataSource).seed([sleepJob]);
      // every 2 s, a short run, a lease of 3 s: an operator's schedule
      await dataSource.query(
        `UPDATE job_schedule SET cron = '*/2 * * * * *', paused = false, lease_ms = 3000, max_attempts = 1, params = '{"ms": 300, "stepMs": 100}' WHERE job = 'sleep'`,
      );
    } finally {
      await dataSource.destroy();
    }
    nodes.a = start(`a-${suffix}`);
    nodes.b = start(`b-${suffix}`);
    await Promise.all([nodes.a.waitFor(/node a-\S+ running/), nodes.b.waitFor(/node b-\S+ running/)]);
  });

  after(async () => {
    await Promise.all(Object.values(nodes).map((n) => n.stop('SIGKILL').catch(() => undefined)));
    await db?.drop();
  });

  it('runs each scheduled instant once across both nodes, never twice', async () => {
    const rows = await eventually(runs, (r) => r.filter((x) => x.outcome === 'ok').length >= 4, 20000);
    const ok = rows.filter((r) => r.outcome !== 'running');
    const instants = ok.map((r) => new Date(r.scheduled_for).getTime());
    expect(new Set(instants).size).to.equal(instants.length);
    expect(ok.every((r) => r.outcome === 'ok' && r.reason === 'scheduled')).to.equal(true);
    // instants of the schedule (every 2 s), each once, in order
    const sorted = [...instants].sort((x, y) => x - y);
    for (let i = 1; i < sorted.length; i++) expect((sorted[i] - sorted[i - 1]) % 2000).to.equal(0);
  });

  it('after SIGKILL of the holder mid-run, the other node takes over once the lease expired and the killed run is abandoned', async () => {
    await query(db.url, `UPDATE job_schedule SET params = '{"ms": 6000, "stepMs": 200}' WHERE job = 'sleep'`);
    const long = await eventually(
      () => query<Run & { progress: unknown }>(db.url, `SELECT id::text, node, progress FROM job_run WHERE job = 'sleep' AND outcome = 'running' AND progress IS NOT NULL`),
      (r) => r.length === 1,
      15000,
    );
    const victimId = long[0].node;
    const victim = victimId.startsWith('a-') ? nodes.a : nodes.b;
    const survivor = victim === nodes.a ? `b-${suffix}` : `a-${suffix}`;
    const killedAt = Date.now();
    await victim.stop('SIGKILL');
    const after = await eventually(
      runs,
      (r) => r.some((x) => x.id === long[0].id && x.outcome === 'abandoned') && r.some((x) => Number(x.id) > Number(long[0].id) && x.node === survivor && x.outcome === 'ok'),
      30000,
    );
    const killed = after.find((x) => x.id === long[0].id)!;
    expect(killed.node).to.equal(victimId);
    expect(killed.error).to.match(new RegExp(`node ${victimId} stopped renewing it .*taken over by ${survivor}`));
    const takeover = after.find((x) => Number(x.id) > Number(long[0].id))!;
    expect(takeover.node).to.equal(survivor);
    // not before the 3 s lease the victim last renewed had run out
    const [{ started }] = await query<{ started: Date }>(db.url, `SELECT started_at AS started FROM job_run WHERE id = $1`, [takeover.id]);
    expect(new Date(started).getTime() - killedAt).to.be.greaterThan(1000);
    // each instant still once
    const instants = after.map((r) => new Date(r.scheduled_for).getTime());
    expect(new Set(instants).size).to.equal(instants.length);
  });
});
