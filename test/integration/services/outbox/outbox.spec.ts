import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RunningBus, startBus } from '../../../../bin/bootstrap';
import { loadConfig } from '../../../../config';
import { signAccessToken } from '../../../../core/auth';
import { ALIPAY_USERS } from '../../../../simulators/alipay/dataset';
import { HOUSEHOLDS } from '../../../../simulators/marketing/dataset';
import { MarketingSimulator, startMarketingSimulator } from '../../../../simulators/marketing/server';
import { TEST_PII_ENV } from '../../../helpers/binding';
import { createFreshDatabase, query } from '../../../helpers/db';
import { eventually, http } from '../../../helpers/http';
import { TEST_JWT_ENV } from '../../../helpers/env';
import { insertOutboxRows, OutboxRow } from '../../../helpers/outbox';
import { operatorToken } from '../../../helpers/operators';
import { spawn } from 'child_process';
import { CLI } from '../../../helpers/bus-process';

/**
 * The closed loop: a binding through the real flow (gateway, Alipay and SOAP
 * simulators) writes its archive update to the outbox in the binding's
 * transaction, and the outbox worker delivers it to the SOAP simulator, once,
 * also after the marketing system was down for a while.
 */
describe('outbox - closed-loop delivery to the marketing system (real PostgreSQL, SOAP and Alipay simulators)', function () {
  this.timeout(60000);
  let db: { url: string; drop(): Promise<void> };
  let bus: RunningBus;
  let sim: MarketingSimulator;
  let simPort: number;
  let varDir: string;

  const A = { alipay: ALIPAY_USERS[0], household: HOUSEHOLDS[0] };
  const B = { alipay: ALIPAY_USERS[1], household: HOUSEHOLDS[1] };
  const call = (method: string, route: string, userId: string, body?: unknown) =>
    http(`${bus.gatewayUrl}/api/v1/${route}`, {
      method,
      token: signAccessToken(bus.config.auth, { sub: userId }),
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const candidateOf = async (userId: string, accountNo: string): Promise<string> => {
    const res = await call('POST', 'bindings/candidates', userId, { authCode: bus.alipaySimulator!.issueAuthCode(userId) });
    expect(res.status, JSON.stringify(res.json)).to.equal(200);
    const c = (res.json.candidates as Array<{ accountNo: string; candidateToken: string }>).find((x) => x.accountNo.endsWith(accountNo.slice(-4)));
    return c!.candidateToken;
  };
  const rows = () => query<OutboxRow>(db.url, 'SELECT * FROM outbox ORDER BY id');
  const rowOf = async (id: string) => (await query<OutboxRow>(db.url, 'SELECT * FROM outbox WHERE id = $1', [id]))[0];

  before(async () => {
    varDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-outbox-'));
    db = await createFreshDatabase();
    sim = await startMarketingSimulator();
    simPort = Number(new URL(sim.url).port);
    bus = await startBus(
      loadConfig({
        ...TEST_JWT_ENV,
        ...TEST_PII_ENV,
        DATABASE_URL: db.url,
        SERVICES: 'gateway,auth,audit,mapping,alipay,binding,marketing,outbox',
        MARKETING_WSDL_URL: sim.wsdlUrl,
        HTTP_PORT: '0',
        LOG_LEVEL: 'error',
        VAR_DIR: varDir,
        NODE_ID: `outbox-${process.pid}`,
        OUTBOX_POLL_MS: '100',
        OUTBOX_BACKOFF_BASE_MS: '100',
        OUTBOX_BACKOFF_MAX_MS: '400',
        OUTBOX_MAX_ATTEMPTS: '1000',
      }),
    );
  });

  after(async () => {
    await bus?.stop();
    await sim?.close();
    await db?.drop();
    if (varDir) fs.rmSync(varDir, { recursive: true, force: true });
  });

  it('a binding through the real flow leads to exactly one UpdateArchive at the SOAP simulator', async () => {
    const token = await candidateOf(A.alipay.userId, A.household.ConsNo);
    const bound = await call('POST', 'bindings', A.alipay.userId, { candidateToken: token });
    expect(bound.status, JSON.stringify(bound.json)).to.equal(200);
    expect(bound.json.created).to.equal(true);
    const [row] = await eventually(rows, (r) => r.length === 1 && r[0].status === 'delivered');
    expect(row).to.include({ operation: 'marketing.updateArchive', partition_key: A.household.ConsNo, attempts: 1 });
    // the personal data is sealed at rest, never in clear
    const stored = JSON.stringify(row.payload);
    for (const secret of [A.household.CertNo, A.household.Mobile, A.household.ConsName]) expect(stored).to.not.include(secret);
    expect(sim.archive.all()).to.deep.equal([{ serial: row.serial, accountNo: A.household.ConsNo, received: 1, applied: 1 }]);
    // the exchange log (message_log) keeps the call masked: canonical, SOAP request and raw XML alike
    const [logged] = await eventually(
      () => query<Record<string, unknown>>(db.url, `SELECT * FROM message_log WHERE operation = 'marketing.updateArchive'`),
      (r) => r.length === 1,
    );
    expect(logged.outcome).to.equal('ok');
    const loggedText = JSON.stringify(logged);
    expect(loggedText).to.include(row.serial);
    for (const secret of [A.household.CertNo, A.household.Mobile, A.household.ConsName]) expect(loggedText).to.not.include(secret);
    // binding again (idempotent) writes nothing new
    const again = await call('POST', 'bindings', A.alipay.userId, { candidateToken: token });
    expect(again.json.created).to.equal(false);
    await new Promise((r) => setTimeout(r, 500));
    expect(await rows()).to.have.length(1);
    expect(sim.archive.totalReceived()).to.equal(1);
  });

  it('a marketing system down for a while: the row waits with its error, and is delivered once when it is back', async () => {
    const token = await candidateOf(B.alipay.userId, B.household.ConsNo);
    const ledger = sim.archive;
    await sim.close();
    const bound = await call('POST', 'bindings', B.alipay.userId, { candidateToken: token });
    expect(bound.status, JSON.stringify(bound.json)).to.equal(200);
    expect(bound.json.created).to.equal(true);
    const waiting = await eventually(
      async () => (await rows()).find((r) => r.partition_key === B.household.ConsNo)!,
      (r) => !!r && r.status === 'pending' && r.attempts >= 3 && !!r.last_error,
    );
    expect(waiting.last_error).to.match(/BACKEND_UNAVAILABLE|ECONNREFUSED|unavailable/i);
    sim = await startMarketingSimulator({ port: simPort, archive: ledger });
    const done = await eventually(() => rowOf(waiting.id), (r) => r.status === 'delivered', 30000);
    expect(done.delivered_at).to.be.instanceOf(Date);
    expect(sim.archive.get(waiting.serial)).to.deep.include({ received: 1, applied: 1 });
  });

  it('a binding whose outbox row cannot be written is not made either (one transaction)', async () => {
    const C = { alipay: ALIPAY_USERS[2], household: HOUSEHOLDS[2] };
    const token = await candidateOf(C.alipay.userId, C.household.ConsNo);
    const bindings = () => query(db.url, 'SELECT 1 FROM account_binding WHERE user_id = $1', [C.alipay.userId]);
    await query(db.url, 'ALTER TABLE outbox RENAME TO outbox_away');
    try {
      const refused = await call('POST', 'bindings', C.alipay.userId, { candidateToken: token });
      expect(refused.status).to.equal(500);
      expect(await bindings(), 'no binding without its archive update').to.have.length(0);
    } finally {
      await query(db.url, 'ALTER TABLE outbox_away RENAME TO outbox');
    }
    const bound = await call('POST', 'bindings', C.alipay.userId, { candidateToken: token });
    expect(bound.json.created).to.equal(true);
    expect(await bindings()).to.have.length(1);
    await eventually(async () => (await rows()).filter((r) => r.partition_key === C.household.ConsNo), (r) => r.length === 1 && r[0].status === 'delivered');
  });

  it('the database dropping every connection (as a PostgreSQL restart does): rows written afterwards are delivered once', async () => {
    const dbName = new URL(db.url).pathname.slice(1);
    const killed = await query<{ n: number }>(
      db.url,
      `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
      [dbName],
    );
    expect(killed[0].n, 'the bus had connections to drop').to.be.greaterThan(0);
    const h = HOUSEHOLDS[2];
    const [id] = await insertOutboxRows(db.url, [{ serial: 'after-db-restart-1', accountNo: h.ConsNo, certNo: h.CertNo, mobile: h.Mobile, name: h.ConsName }]);
    await eventually(() => rowOf(id), (r) => r.status === 'delivered', 30000);
    expect(sim.archive.get('after-db-restart-1')).to.deep.include({ received: 1, applied: 1 });
  });

  it('a duplicate-serial answer ("already done") counts as delivered', async () => {
    const h = HOUSEHOLDS[2];
    sim.archive.receive('dup-serial-1', h.ConsNo); // the marketing system applied it before (a lost answer)
    const [id] = await insertOutboxRows(db.url, [{ serial: 'dup-serial-1', accountNo: h.ConsNo, certNo: h.CertNo, mobile: h.Mobile, name: h.ConsName }]);
    const row = await eventually(() => rowOf(id), (r) => r.status === 'delivered');
    expect(row.attempts).to.equal(1);
    expect(sim.archive.get('dup-serial-1')).to.deep.include({ received: 2, applied: 1 });
  });

  it('a row whose operation no mapping defines is parked dead with the reason, never lost, and holds its account\'s later rows', async () => {
    const h = HOUSEHOLDS[3];
    const [gone, later] = await insertOutboxRows(db.url, [
      { operation: 'marketing.noLongerMapped', serial: 'gone-1', accountNo: h.ConsNo, certNo: h.CertNo, mobile: h.Mobile, name: h.ConsName },
      { serial: 'after-gone-1', accountNo: h.ConsNo, certNo: h.CertNo, mobile: h.Mobile, name: h.ConsName },
    ]);
    const dead = await eventually(() => rowOf(gone), (r) => r.status === 'dead');
    expect(dead.last_error).to.match(/no mapping defines the operation marketing\.noLongerMapped/);
    await new Promise((r) => setTimeout(r, 500));
    expect((await rowOf(later)).status, 'order per account: the later row waits behind the dead letter').to.equal('pending');
    expect(sim.archive.get('after-gone-1')).to.equal(undefined);
  });

  it('operators see and steer the backlog: gridbus outbox backlog | dead | discard | replay (audited), /health and /metrics', async () => {
    const h = HOUSEHOLDS[4];
    // a dead letter two hours old (its account's queue held behind it), as a night of failures leaves one
    const [old] = await insertOutboxRows(db.url, [
      { serial: 'old-dead-1', accountNo: h.ConsNo, certNo: h.CertNo, mobile: h.Mobile, name: h.ConsName, status: 'dead', ageS: 7200, lastError: 'BACKEND_UNAVAILABLE: simulated night' },
    ]);
    const health = await http(`${bus.gatewayUrl}/health`);
    const outboxHealth = health.json.nodes[0].dependencies.outbox;
    expect(outboxHealth.status, JSON.stringify(outboxHealth)).to.equal('degraded');
    expect(outboxHealth.detail).to.match(/oldest undelivered row is \d+ s old \(OUTBOX_DEGRADED_AGE_S 900\)/);

    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-outbox-cli-'));
    const env = { PATH: process.env.PATH ?? '', HOME: home, GRIDBUS_SESSION_FILE: path.join(home, 'session.json') };
    // without blocking this process: the bus it asks runs here
    const cli = (...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> =>
      new Promise((resolve) => {
        const child = spawn(process.execPath, [CLI, ...args], { cwd: home, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('close', (status) => resolve({ status, stdout, stderr }));
      });
    try {
      const token = await operatorToken(db.url, bus.gatewayUrl!, 'outbox-ops', ['operator']);
      expect((await cli('login', '--url', bus.gatewayUrl!, '--token', token)).status).to.equal(0);

      const backlog = await cli('outbox', 'backlog', '--json');
      expect(backlog.status, backlog.stderr).to.equal(0);
      const b = JSON.parse(backlog.stdout);
      expect(b.operations).to.deep.include({ operation: 'marketing.noLongerMapped', status: 'dead', count: 1, oldestAgeS: b.operations.find((o: { operation: string }) => o.operation === 'marketing.noLongerMapped').oldestAgeS });
      expect(b.oldestAgeS).to.be.at.least(7200);
      expect((await cli('outbox', 'backlog')).stdout).to.match(/marketing\.updateArchive\s+dead\s+1\s+oldest 72\d\d s/);

      const dead = JSON.parse((await cli('outbox', 'dead', '--json')).stdout);
      expect(dead.dead.map((r: { serial: string }) => r.serial)).to.have.members(['gone-1', 'old-dead-1']);
      const gone = dead.dead.find((r: { serial: string }) => r.serial === 'gone-1');
      expect(gone.lastError).to.match(/no mapping defines the operation marketing\.noLongerMapped/);

      // bad input: clear errors, nothing changed
      const noReason = await cli('outbox', 'discard', gone.id);
      expect(noReason.status).to.equal(2);
      expect(noReason.stderr).to.match(/--reason/);
      const notAnId = await cli('outbox', 'replay', 'abc');
      expect(notAnId.status).to.equal(2);
      expect(notAnId.stderr).to.match(/not an outbox row id/);

      // the retired operation's row is discarded: its account's later row is delivered
      const discarded = await cli('outbox', 'discard', gone.id, '--reason', 'operation retired in release 7', '--json');
      expect(discarded.status, discarded.stderr).to.equal(0);
      expect(JSON.parse(discarded.stdout)).to.deep.equal({ id: gone.id, status: 'discarded' });
      await eventually(async () => sim.archive.get('after-gone-1'), (r) => r?.applied === 1);
      const again = await cli('outbox', 'discard', gone.id, '--reason', 'twice');
      expect(again.status).to.equal(1);
      expect(again.stderr, again.stderr).to.match(/OUTBOX_ROW_SETTLED.*is discarded: only a pending, dead or unknown row can be discarded|is discarded: only a pending, dead or unknown row can be discarded/);
      const missing = await cli('outbox', 'discard', '999999', '--reason', 'no such row');
      expect(missing.status).to.equal(1);
      expect(missing.stderr).to.match(/no outbox row 999999/);

      // the old dead letter is replayed: delivered once
      const replayed = await cli('outbox', 'replay', old, '--json');
      expect(replayed.status, replayed.stderr).to.equal(0);
      expect(JSON.parse(replayed.stdout)).to.deep.equal({ replayed: [old], skipped: [] });
      await eventually(() => rowOf(old), (r) => r.status === 'delivered');
      expect(sim.archive.get('old-dead-1')).to.deep.include({ received: 1, applied: 1 });

      const audits = await eventually(
        () => query<{ action: string; actor: string; target: string; details: Record<string, unknown> }>(db.url, `SELECT action, actor, target, details FROM audit_log WHERE action LIKE 'outbox.%' ORDER BY id`),
        (r) => r.length === 4,
      );
      // refused attempts are audited too
      expect(audits.map((a) => [a.action, a.actor, a.target])).to.deep.equal([
        ['outbox.discard', 'outbox-ops', gone.id],
        ['outbox.discard', 'outbox-ops', gone.id],
        ['outbox.discard', 'outbox-ops', '999999'],
        ['outbox.replay', 'outbox-ops', old],
      ]);
      expect(audits[0].details).to.deep.include({ reason: 'operation retired in release 7' });
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
    const healthy = await http(`${bus.gatewayUrl}/health`);
    expect(healthy.json.nodes[0].dependencies.outbox.status).to.equal('up');
    // the backlog gauges are refreshed in the background: read until the series are there
    const metrics = await eventually(() => http(`${bus.gatewayUrl}/metrics`), (m) => /gridbus_outbox_backlog\{[^}]*operation="marketing\.updateArchive"/.test(m.text));
    expect(metrics.text).to.match(/gridbus_outbox_deliveries_total\{[^}]*operation="marketing\.updateArchive"[^}]*\} \d+/);
    expect(metrics.text).to.match(/gridbus_outbox_failures_total\{[^}]*\} \d+/);
    expect(metrics.text).to.match(/gridbus_outbox_oldest_age_seconds(\{[^}]*\})? \d+/);
    expect(metrics.text).to.match(/gridbus_outbox_backlog\{[^}]*operation="marketing\.updateArchive"[^}]*\} \d+/);
  });
});
