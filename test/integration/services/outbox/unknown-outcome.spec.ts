import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RunningBus, startBus } from '../../../../bin/bootstrap';
import { loadConfig } from '../../../../config';
import { HOUSEHOLDS } from '../../../../simulators/marketing/dataset';
import { MarketingSimulator, startMarketingSimulator } from '../../../../simulators/marketing/server';
import { TEST_PII_ENV } from '../../../helpers/binding';
import { createFreshDatabase, query } from '../../../helpers/db';
import { eventually } from '../../../helpers/http';
import { TEST_JWT_ENV } from '../../../helpers/env';
import { insertOutboxRows, OutboxRow } from '../../../helpers/outbox';

const ROOT = path.resolve(__dirname, '../../../..');

/** The mapping set with marketing.updateArchive timing out after 300 ms, idempotent or not, with or without its settle query. */
function mappingsWith(idempotent: boolean, settle = false): string {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-outbox-mappings-'));
  fs.cpSync(path.join(ROOT, 'mappings'), copy, { recursive: true });
  const file = path.join(copy, 'operations', 'marketing.updateArchive.yaml');
  const original = fs.readFileSync(file, 'utf8');
  let changed = original.replace(/^idempotent: true.*$/m, `idempotent: ${idempotent}`).replace(/timeoutMs: \d+/, 'timeoutMs: 300');
  expect(changed).to.not.equal(original);
  if (!settle) {
    const without = changed.replace(/^settle:.*\n/m, '');
    expect(without).to.not.equal(changed);
    changed = without;
  }
  fs.writeFileSync(file, changed);
  return copy;
}

/**
 * A timeout is an unknown outcome: the back end may have applied the update.
 * An operation marked idempotent is resent with the same serial (the back end
 * answers "already done"); one that is not is parked `unknown`, never resent.
 * (These run without the mapping's settle query; see the settle specs below.)
 */
for (const idempotent of [true, false]) {
  describe(`outbox - a timeout of ${idempotent ? 'an idempotent' : 'a non-idempotent'} operation (real PostgreSQL, SOAP simulator)`, function () {
    this.timeout(60000);
    let db: { url: string; drop(): Promise<void> };
    let bus: RunningBus;
    let sim: MarketingSimulator;
    let dir: string;

    before(async () => {
      db = await createFreshDatabase();
      // applies at once, answers after 1 s: the caller times out after 300 ms not knowing it was applied
      sim = await startMarketingSimulator({ archiveDelayMs: 1000 });
      dir = mappingsWith(idempotent);
      bus = await startBus(
        loadConfig({
          ...TEST_JWT_ENV,
          ...TEST_PII_ENV,
          DATABASE_URL: db.url,
          SERVICES: 'marketing,mapping,outbox',
          MARKETING_WSDL_URL: sim.wsdlUrl,
          MAPPINGS_DIR: dir,
          SIMULATORS: 'off',
          LOG_LEVEL: 'fatal',
          NODE_ID: `outbox-unknown-${idempotent}-${process.pid}`,
          OUTBOX_POLL_MS: '100',
          OUTBOX_BACKOFF_BASE_MS: '100',
          OUTBOX_BACKOFF_MAX_MS: '300',
        }),
      );
    });

    after(async () => {
      await bus?.stop();
      await sim?.close();
      await db?.drop();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it(idempotent ? 'resends with the same serial: applied once, delivered on the "already done" answer' : 'parks the row unknown with the reason, never resending it', async () => {
      const h = HOUSEHOLDS[0];
      const [id] = await insertOutboxRows(db.url, [{ serial: `timeout-${idempotent}`, accountNo: h.ConsNo, certNo: h.CertNo, mobile: h.Mobile, name: h.ConsName }]);
      const rowOf = async () => (await query<OutboxRow>(db.url, 'SELECT * FROM outbox WHERE id = $1', [id]))[0];
      if (idempotent) {
        const row = await eventually(rowOf, (r) => r.status === 'delivered');
        expect(row.attempts).to.equal(2);
        expect(sim.archive.get(row.serial)).to.deep.include({ received: 2, applied: 1 });
      } else {
        const row = await eventually(rowOf, (r) => r.status === 'unknown');
        expect(row.last_error).to.match(/outcome unknown \(BACKEND_TIMEOUT.*not idempotent: check the back end, then replay or discard/);
        await new Promise((r) => setTimeout(r, 1500));
        expect((await rowOf()).status).to.equal('unknown');
        expect(sim.archive.get(row.serial)).to.deep.include({ received: 1, applied: 1 });
      }
    });
  });
}

/**
 * A timeout settled by the mapping's query (settle.query: marketing.queryArchiveUpdate),
 * the operation NOT idempotent: found → delivered without a resend; not found
 * (the back end dropped the request before applying it) → resent once.
 */
for (const applied of [true, false]) {
  describe(`outbox - a timeout settled by the settle query, the update ${applied ? 'applied' : 'dropped'} by the back end (real PostgreSQL, SOAP simulator)`, function () {
    this.timeout(60000);
    let db: { url: string; drop(): Promise<void> };
    let bus: RunningBus;
    let sim: MarketingSimulator;
    let dir: string;

    before(async () => {
      db = await createFreshDatabase();
      // applied: applies at once and answers after 1 s; dropped: the first request never applies, answers a fault after 1 s
      sim = await startMarketingSimulator(applied ? { archiveDelayMs: 1000 } : { archiveDropFirst: 1 });
      dir = mappingsWith(false, true);
      bus = await startBus(
        loadConfig({
          ...TEST_JWT_ENV,
          ...TEST_PII_ENV,
          DATABASE_URL: db.url,
          SERVICES: 'marketing,mapping,outbox',
          MARKETING_WSDL_URL: sim.wsdlUrl,
          MAPPINGS_DIR: dir,
          SIMULATORS: 'off',
          LOG_LEVEL: 'fatal',
          NODE_ID: `outbox-settle-${applied}-${process.pid}`,
          OUTBOX_POLL_MS: '100',
          OUTBOX_BACKOFF_BASE_MS: '100',
          OUTBOX_BACKOFF_MAX_MS: '300',
        }),
      );
    });

    after(async () => {
      await bus?.stop();
      await sim?.close();
      await db?.drop();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it(applied ? 'asks marketing.queryArchiveUpdate, finds it applied: delivered, applied once, never resent' : 'asks marketing.queryArchiveUpdate, finds it not applied: resent once, applied once, delivered', async () => {
      const h = HOUSEHOLDS[0];
      const serial = `settle-${applied}`;
      const [id] = await insertOutboxRows(db.url, [{ serial, accountNo: h.ConsNo, certNo: h.CertNo, mobile: h.Mobile, name: h.ConsName }]);
      const rowOf = async () => (await query<OutboxRow>(db.url, 'SELECT * FROM outbox WHERE id = $1', [id]))[0];
      const row = await eventually(rowOf, (r) => r.status === 'delivered' || r.status === 'unknown' || r.status === 'dead');
      expect(row.status).to.equal('delivered');
      if (applied) {
        expect(row.attempts).to.equal(1);
        // wait past the late answer: still one request, one apply
        await new Promise((r) => setTimeout(r, 1500));
        expect(sim.archive.get(serial)).to.deep.include({ received: 1, applied: 1 });
      } else {
        expect(row.attempts).to.equal(2);
        expect(row.last_error).to.match(/BACKEND_TIMEOUT.*queryArchiveUpdate says it was not applied: resent/);
        await new Promise((r) => setTimeout(r, 1500));
        expect(sim.archive.get(serial)).to.deep.include({ received: 1, applied: 1 });
      }
      expect((await rowOf()).status).to.equal('delivered');
    });
  });
}
