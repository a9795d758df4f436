import { expect } from 'chai';
import { randomBytes } from 'crypto';
import { HOUSEHOLDS } from '../../../simulators/marketing/dataset';
import { MarketingSimulator, startMarketingSimulator } from '../../../simulators/marketing/server';
import { TEST_PII_ENV } from '../../helpers/binding';
import { BusProcess } from '../../helpers/bus-process';
import { createFreshDatabase, query } from '../../helpers/db';
import { requireEnv, TEST_JWT_ENV } from '../../helpers/env';
import { eventually } from '../../helpers/http';
import { insertOutboxRows } from '../../helpers/outbox';

/**
 * Two outbox nodes as separate OS processes over real NATS and PostgreSQL;
 * one is killed with SIGKILL while it has calls in flight (the simulator has
 * applied them, the answers are not back yet). Afterwards every row is
 * delivered and the simulator applied every serial exactly once, each
 * account's rows in the order they were written.
 */
describe('cluster - outbox delivery across kill -9 of the delivering node', function () {
  this.timeout(120000);
  const suffix = randomBytes(3).toString('hex');
  const ROWS_PER_ACCOUNT = 6;
  const accounts = HOUSEHOLDS.slice(0, 5);
  let sim: MarketingSimulator;
  let db: { url: string; drop(): Promise<void> };
  let first: BusProcess;
  let second: BusProcess | null = null;
  const serials: string[] = [];

  before(async () => {
    // answers 400 ms after applying: a node killed meanwhile never learns its updates were applied
    sim = await startMarketingSimulator({ archiveDelayMs: 400 });
    db = await createFreshDatabase();
  });

  after(async () => {
    await Promise.all([first?.stop('SIGKILL'), second?.stop()]);
    await sim?.close();
    await db?.drop();
  });

  const env = (node: string) => ({
    ...TEST_JWT_ENV,
    ...TEST_PII_ENV,
    NATS_URL: requireEnv('TEST_NATS_URL'),
    BUS_NAMESPACE: `ob-${suffix}`,
    NODE_ID: `${node}-${suffix}`,
    DATABASE_URL: db.url,
    MARKETING_WSDL_URL: sim.wsdlUrl,
    SIMULATORS: 'off',
    REQUEST_TIMEOUT_MS: '2000',
    OUTBOX_POLL_MS: '100',
    OUTBOX_BACKOFF_BASE_MS: '100',
    OUTBOX_BACKOFF_MAX_MS: '500',
    OUTBOX_MAX_ATTEMPTS: '1000',
  });

  it('every row is delivered exactly once (simulator counter by serial), in order per account', async () => {
    first = new BusProcess(['start', '--services', 'marketing,mapping,outbox'], env('outbox-a'));
    await first.waitFor(/node \S+ running/);
    // the backlog is written while only the first node runs; it starts delivering at once
    const rows = [];
    for (let i = 0; i < ROWS_PER_ACCOUNT; i++) {
      for (const h of accounts) rows.push({ serial: `kill-${suffix}-${h.ConsNo}-${i}`, accountNo: h.ConsNo, certNo: h.CertNo, mobile: h.Mobile, name: h.ConsName });
    }
    serials.push(...rows.map((r) => r.serial));
    await insertOutboxRows(db.url, rows);
    await eventually(async () => sim.archive.totalReceived(), (n) => n >= accounts.length + 1, 30000);
    // mid-backlog, with calls in flight: applied at the simulator, answers not yet back
    await first.stop('SIGKILL');
    const delivering = await query<{ n: number }>(db.url, `SELECT count(*)::int AS n FROM outbox WHERE status = 'delivering'`);
    expect(delivering[0].n, 'the kill left claimed rows behind').to.be.greaterThan(0);

    second = new BusProcess(['start', '--services', 'marketing,mapping,outbox'], env('outbox-b'));
    await second.waitFor(/node \S+ running/);
    const settled = await eventually(
      () => query<{ status: string; n: number }>(db.url, `SELECT status, count(*)::int AS n FROM outbox GROUP BY status`),
      (r) => r.length === 1 && r[0].status === 'delivered',
      60000,
    );
    expect(settled).to.deep.equal([{ status: 'delivered', n: serials.length }]);

    const ledger = sim.archive.all();
    expect(ledger.map((r) => r.serial).sort()).to.deep.equal([...serials].sort());
    for (const r of ledger) expect(r.applied, `serial ${r.serial} applied once`).to.equal(1);
    // the rows in flight at the kill were settled by the mapping's settle query (marketing.queryArchiveUpdate), not resent
    for (const r of ledger) expect(r.received, `serial ${r.serial} received once: settled by the query, not resent`).to.equal(1);
    // order per account: each account's serials were applied in the order the rows were written
    for (const h of accounts) {
      const applied = ledger.filter((r) => r.accountNo === h.ConsNo).map((r) => r.serial);
      expect(applied).to.deep.equal(serials.filter((s) => s.includes(`-${h.ConsNo}-`)));
    }
  });
});
