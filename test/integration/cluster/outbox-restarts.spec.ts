import { expect } from 'chai';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EmbeddedDatabase, startEmbeddedPostgres } from '../../../core/db';
import { ArchiveLedger } from '../../../simulators/archive-ledger';
import { HOUSEHOLDS } from '../../../simulators/marketing/dataset';
import { MarketingSimulator, startMarketingSimulator } from '../../../simulators/marketing/server';
import { TEST_PII_ENV } from '../../helpers/binding';
import { BusProcess, removeBusState } from '../../helpers/bus-process';
import { query } from '../../helpers/db';
import { requireEnv, TEST_JWT_ENV } from '../../helpers/env';
import { eventually, http } from '../../helpers/http';
import { insertOutboxRows } from '../../helpers/outbox';
import { freePort } from '../../helpers/ports';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The outbox rides out a marketing system that is down for a whole minute
 * and, in the middle of that outage, a real restart of its PostgreSQL (its
 * own embedded server, stopped and started again on the same data and port,
 * so the shared test server is not disturbed). The bus process is never
 * restarted: afterwards every serial was applied exactly once at the
 * simulator, each account's rows in the order they were written, no row is
 * dead and the node still answers /health.
 */
describe('cluster - outbox delivery across a one-minute marketing outage and a PostgreSQL restart', function () {
  this.timeout(180000);
  const suffix = randomBytes(3).toString('hex');
  const ROWS_PER_ACCOUNT = 6;
  const accounts = HOUSEHOLDS.slice(0, 5);
  const ledger = new ArchiveLedger();
  let work: string;
  let pgDir: string;
  let pgPort: number;
  let pg: EmbeddedDatabase | null = null;
  let sim: MarketingSimulator | null = null;
  let simPort: number;
  let bus: BusProcess | null = null;
  let base: string;
  const serials: string[] = [];

  before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-ob-restarts-'));
    pgDir = path.join(work, 'pg');
    pgPort = await freePort();
    pg = await startEmbeddedPostgres({ dir: pgDir, port: pgPort, log: () => undefined });
    // answers 200 ms after applying: the outage starts with calls in flight
    sim = await startMarketingSimulator({ archive: ledger, archiveDelayMs: 200 });
    simPort = Number(new URL(sim.url).port);
  });

  after(async () => {
    await bus?.stop('SIGKILL');
    await sim?.close();
    await pg?.stop();
    if (work) removeBusState(work);
  });

  it('every row is delivered exactly once (simulator ledger), in order per account, none dead, the node still up', async () => {
    const httpPort = await freePort();
    base = `http://127.0.0.1:${httpPort}`;
    bus = new BusProcess(['start', '--services', 'gateway,marketing,mapping,outbox'], {
      ...TEST_JWT_ENV,
      ...TEST_PII_ENV,
      NATS_URL: requireEnv('TEST_NATS_URL'),
      BUS_NAMESPACE: `obr-${suffix}`,
      NODE_ID: `outbox-r-${suffix}`,
      DATABASE_URL: pg!.url,
      MARKETING_WSDL_URL: sim!.wsdlUrl,
      HTTP_PORT: String(httpPort),
      SIMULATORS: 'off',
      REQUEST_TIMEOUT_MS: '2000',
      OUTBOX_POLL_MS: '200',
      OUTBOX_BACKOFF_BASE_MS: '200',
      OUTBOX_BACKOFF_MAX_MS: '2000',
      OUTBOX_MAX_ATTEMPTS: '1000',
    });
    await bus.waitFor(/node \S+ running/, 60000);

    const rows = [];
    for (let i = 0; i < ROWS_PER_ACCOUNT; i++) {
      for (const h of accounts) rows.push({ serial: `rst-${suffix}-${h.ConsNo}-${i}`, accountNo: h.ConsNo, certNo: h.CertNo, mobile: h.Mobile, name: h.ConsName });
    }
    serials.push(...rows.map((r) => r.serial));
    await insertOutboxRows(pg!.url, rows);
    await eventually(async () => ledger.totalReceived(), (n) => n >= accounts.length, 30000);

    // the marketing system goes away for 60 s, with most of the backlog still waiting
    const outageStart = Date.now();
    await sim!.close();
    sim = null;
    const pendingAtOutage = await query<{ n: number }>(pg!.url, `SELECT count(*)::int AS n FROM outbox WHERE status <> 'delivered'`);
    expect(pendingAtOutage[0].n, 'backlog left when the outage starts').to.be.greaterThan(accounts.length);

    // in the middle of it, PostgreSQL restarts (same data, same port): ~5 s without a database
    await sleep(25000);
    await pg!.stop();
    const stoppedPg = pg;
    pg = null;
    await sleep(5000);
    pg = await startEmbeddedPostgres({ dir: pgDir, port: pgPort, log: () => undefined });
    expect(pg.url).to.equal(stoppedPg!.url);
    expect(bus.child.exitCode, `the bus survived the PostgreSQL restart; output:\n${bus.output.slice(-2000)}`).to.equal(null);

    await sleep(Math.max(0, 60000 - (Date.now() - outageStart)));
    expect(ledger.totalReceived(), 'nothing reached the ledger while the simulator was down').to.be.lessThan(serials.length + 20);
    const before = ledger.all().length;
    sim = await startMarketingSimulator({ port: simPort, archive: ledger });

    const settled = await eventually(
      () => query<{ status: string; n: number }>(pg!.url, `SELECT status, count(*)::int AS n FROM outbox GROUP BY status`),
      (r) => r.length === 1 && r[0].status === 'delivered',
      45000,
    );
    expect(settled).to.deep.equal([{ status: 'delivered', n: serials.length }]);
    expect(before, 'rows were still waiting when the simulator came back').to.be.lessThan(serials.length);

    const all = ledger.all();
    expect(all.map((r) => r.serial).sort()).to.deep.equal([...serials].sort());
    for (const r of all) expect(r.applied, `serial ${r.serial} applied once`).to.equal(1);
    for (const h of accounts) {
      const applied = all.filter((r) => r.accountNo === h.ConsNo).map((r) => r.serial);
      expect(applied).to.deep.equal(serials.filter((s) => s.includes(`-${h.ConsNo}-`)));
    }

    // the worker did meet the database away (a failed round), and carried on in the same process
    expect(bus.output).to.match(/outbox round failed/);
    expect(bus.child.exitCode).to.equal(null);
    const health = await eventually(() => http(`${base}/health`), (r) => r.status === 200, 15000);
    expect(health.status).to.equal(200);
  });
});
