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
});
