import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Client } from 'pg';
import { RunningBus, startBus } from '../../../../bin/bootstrap';
import { loadConfig } from '../../../../config';
import { signAccessToken } from '../../../../core/auth';
import { HOUSEHOLDS, SPECIAL_CONS_NO, UNKNOWN_CONS_NO, totalFen } from '../../../../simulators/marketing/dataset';
import { MarketingSimulator, startMarketingSimulator } from '../../../../simulators/marketing/server';
import { bindAccounts, TEST_PII_ENV } from '../../../helpers/binding';
import { requireEnv } from '../../../helpers/env';
import { http } from '../../../helpers/http';

const JWT_SECRET = 'test-secret-0123456789-0123456789-abcdef';

function busConfig(extra: Record<string, string>) {
  return loadConfig({
    DATABASE_URL: requireEnv('TEST_DATABASE_URL'),
    HTTP_PORT: '0',
    SIMULATORS: 'off',
    SERVICES: 'gateway,billing,marketing,audit,mapping,binding',
    LOG_LEVEL: 'error',
    JWT_SECRET,
    ...TEST_PII_ENV,
    NODE_ID: `gateway-e2e-${process.pid}`,
    ...extra,
  });
}

describe('gateway - arrears end to end (in-process bus, real SOAP simulator, real PostgreSQL)', () => {
  let sim: MarketingSimulator;
  let bus: RunningBus;
  let base: string;
  let token: string;

  before(async () => {
    sim = await startMarketingSimulator({ slowDelayMs: 2000 });
    bus = await startBus(busConfig({ MARKETING_WSDL_URL: sim.wsdlUrl }));
    base = bus.gatewayUrl!;
    token = signAccessToken(bus.config.auth, { sub: 'user-1' });
    // user-1 reads arrears only of accounts bound to them: every account these cases ask about
    await bindAccounts(requireEnv('TEST_DATABASE_URL'), 'user-1', [...HOUSEHOLDS.map((h) => h.ConsNo), UNKNOWN_CONS_NO, SPECIAL_CONS_NO.FAULT]);
  });

  after(async () => {
    await bus?.stop();
    await sim?.close();
  });

  for (const household of HOUSEHOLDS.filter((h) => h.ConsNo !== SPECIAL_CONS_NO.SLOW)) {
    it(`answers the canonical arrears of ${household.ConsNo} in integer fen`, async () => {
      const res = await http(`${base}/api/v1/accounts/${household.ConsNo}/arrears`, { token });
      expect(res.status).to.equal(200);
      expect(res.json.accountNo).to.equal(household.ConsNo);
      expect(res.json.totalFen).to.equal(totalFen(household));
      expect(res.json.items).to.deep.equal(
        household.arrears.map((a) => ({
          billMonth: a.BillMonth,
          amountFen: a.ArrearsFen,
          lateFeeFen: a.PenaltyFen,
          status: a.Status === '01' ? 'UNPAID' : 'PARTLY_PAID',
        })),
      );
      for (const item of res.json.items) expect(Number.isInteger(item.amountFen)).to.equal(true);
    });
  }

  it('masks the holder name in the response', async () => {
    const [h] = HOUSEHOLDS;
    const res = await http(`${base}/api/v1/accounts/${h.ConsNo}/arrears`, { token });
    expect(res.json.holderName).to.be.a('string');
    expect(res.json.holderName).to.not.equal(h.ConsName);
    expect(res.json.holderName.startsWith(h.ConsName[0])).to.equal(true);
    expect(res.text).to.not.contain(h.ConsName);
  });

  it('answers the same query posted as a JSON body', async () => {
    const [h] = HOUSEHOLDS;
    const res = await http(`${base}/api/v1/arrears/query`, {
      method: 'POST',
      token,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ accountNo: h.ConsNo }),
    });
    expect(res.status).to.equal(200);
    expect(res.json.totalFen).to.equal(totalFen(h));
  });

  it('echoes a caller request id and replaces an unsafe one', async () => {
    const ok = await http(`${base}/api/v1/accounts/${UNKNOWN_CONS_NO}/arrears`, { token, headers: { 'X-Request-ID': 'trace-abc-123' } });
    expect(ok.headers.get('x-request-id')).to.equal('trace-abc-123');
    expect(ok.json.requestId).to.equal('trace-abc-123');
    const odd = await http(`${base}/api/v1/accounts/${UNKNOWN_CONS_NO}/arrears`, { token, headers: { 'X-Request-ID': 'a b<script>' } });
    expect(odd.json.requestId).to.match(/^[0-9a-f-]{36}$/);
  });

  it('refuses a missing token with 401 and records the refusal in the audit log', async () => {
    const res = await http(`${base}/api/v1/accounts/${HOUSEHOLDS[0].ConsNo}/arrears`, { headers: { 'X-Request-ID': `audit-${process.pid}` } });
    expect(res.status).to.equal(401);
    expect(res.json).to.include({ code: 'UNAUTHORIZED', requestId: `audit-${process.pid}` });
    const pg = new Client({ connectionString: requireEnv('TEST_DATABASE_URL') });
    await pg.connect();
    try {
      let rows: Array<{ action: string; outcome: string; details: { reason: string } }> = [];
      for (let i = 0; i < 50 && rows.length === 0; i++) {
        rows = (await pg.query('SELECT action, outcome, details FROM audit_log WHERE request_id = $1', [`audit-${process.pid}`])).rows;
        if (!rows.length) await new Promise((r) => setTimeout(r, 100));
      }
      expect(rows).to.have.length(1);
      expect(rows[0]).to.deep.include({ action: 'auth.token.rejected', outcome: 'denied' });
      expect(rows[0].details.reason).to.equal('token missing');
    } finally {
      await pg.end();
    }
  });

  it('refuses a token signed with another secret, and an expired one', async () => {
    const forged = signAccessToken({ ...bus.config.auth, jwtSecret: 'another-secret-0123456789-0123456789' }, { sub: 'user-1' });
    const expired = signAccessToken(bus.config.auth, { sub: 'user-1' }, -10);
    for (const t of [forged, expired, 'not-a-jwt']) {
      const res = await http(`${base}/api/v1/accounts/${HOUSEHOLDS[0].ConsNo}/arrears`, { token: t });
      expect(res.status).to.equal(401);
      expect(res.json.code).to.equal('UNAUTHORIZED');
    }
  });

  it('answers 404 ACCOUNT_NOT_FOUND for an unknown account', async () => {
    const res = await http(`${base}/api/v1/accounts/${UNKNOWN_CONS_NO}/arrears`, { token });
    expect(res.status).to.equal(404);
    expect(res.json.code).to.equal('ACCOUNT_NOT_FOUND');
  });

  it('answers 422 VALIDATION_FAILED for a malformed account number', async () => {
    const res = await http(`${base}/api/v1/accounts/12ab/arrears`, { token });
    expect(res.status).to.equal(422);
    expect(res.json.code).to.equal('VALIDATION_FAILED');
  });

  it('maps a SOAP fault to the code the mapping names, without leaking internals', async () => {
    const res = await http(`${base}/api/v1/accounts/${SPECIAL_CONS_NO.FAULT}/arrears`, { token });
    expect(res.status).to.equal(503);
    expect(res.json.code).to.equal('BACKEND_UNAVAILABLE');
    expect(res.json).to.not.have.property('details');
    expect(res.text).to.not.match(/stack|soap:Server|at .*\.js/);
  });

  it('refuses malformed JSON with 400 and keeps serving', async () => {
    const bad = await http(`${base}/api/v1/arrears/query`, { method: 'POST', token, headers: { 'Content-Type': 'application/json' }, body: '{"accountNo": ' });
    expect(bad.status).to.equal(400);
    expect(bad.json.code).to.equal('MALFORMED_REQUEST');
    expect(bad.json.requestId).to.be.a('string');
    const good = await http(`${base}/api/v1/accounts/${HOUSEHOLDS[0].ConsNo}/arrears`, { token });
    expect(good.status).to.equal(200);
  });

  it('refuses an oversized body with 413', async () => {
    const res = await http(`${base}/api/v1/arrears/query`, {
      method: 'POST',
      token,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ accountNo: 'x'.repeat(200 * 1024) }),
    });
    expect(res.status).to.equal(413);
    expect(res.json.code).to.equal('PAYLOAD_TOO_LARGE');
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await http(`${base}/api/v1/nothing-here`, { token });
    expect(res.status).to.equal(404);
    expect(res.json.code).to.equal('NOT_FOUND');
  });

  it('reports readiness of each dependency on /health and liveness on /health/live', async () => {
    const live = await http(`${base}/health/live`);
    expect(live.status).to.equal(200);
    const res = await http(`${base}/health`);
    expect(res.status).to.equal(200);
    expect(res.json.status).to.equal('up');
    const [node] = res.json.nodes;
    expect(node.dependencies.database.status).to.equal('up');
    expect(node.dependencies.transporter.status).to.equal('disabled');
    expect(node.dependencies[`adapter soap:${sim.wsdlUrl}`].status).to.equal('up');
  });

  it('serves Prometheus metrics that count the actions called', async () => {
    const res = await http(`${base}/metrics`);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.contain('text/plain');
    const line = res.text.split('\n').find((l) => l.startsWith('moleculer_request_total{') && l.includes('action="billing.getArrears"'));
    expect(line, 'moleculer_request_total for billing.getArrears').to.be.a('string');
    expect(Number(line!.split(' ').pop())).to.be.greaterThan(0);
  });

  it('answers 503 when the back office goes away, reports it on /health, and recovers nothing it should not', async () => {
    await sim.close();
    const res = await http(`${base}/api/v1/accounts/${HOUSEHOLDS[0].ConsNo}/arrears`, { token });
    expect(res.status).to.equal(503);
    expect(res.json.code).to.equal('BACKEND_UNAVAILABLE');
    const health = await http(`${base}/health`);
    expect(health.json.status).to.equal('degraded');
    const live = await http(`${base}/health/live`);
    expect(live.status).to.equal(200);
  });
});

describe('gateway - back-office timeout (mapping with a short timeout)', () => {
  let sim: MarketingSimulator;
  let bus: RunningBus;
  let dir: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-mappings-'));
    fs.mkdirSync(path.join(dir, 'operations'));
    const original = fs.readFileSync(path.resolve(__dirname, '../../../../mappings/operations/marketing.queryArrears.yaml'), 'utf8');
    const short = original.replace(/timeoutMs: \d+/, 'timeoutMs: 300').replace(/retries: \d+/, 'retries: 0');
    fs.writeFileSync(path.join(dir, 'operations', 'marketing.queryArrears.yaml'), short);
    sim = await startMarketingSimulator({ slowDelayMs: 2000 });
    bus = await startBus(busConfig({ MARKETING_WSDL_URL: sim.wsdlUrl, MAPPINGS_DIR: dir, NODE_ID: `timeout-e2e-${process.pid}` }));
    await bindAccounts(requireEnv('TEST_DATABASE_URL'), 'user-1', [SPECIAL_CONS_NO.SLOW, HOUSEHOLDS[0].ConsNo]);
  });

  after(async () => {
    await bus?.stop();
    await sim?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers 504 BACKEND_TIMEOUT when the back office is slower than the mapping allows', async () => {
    const token = signAccessToken(bus.config.auth, { sub: 'user-1' });
    const res = await http(`${bus.gatewayUrl}/api/v1/accounts/${SPECIAL_CONS_NO.SLOW}/arrears`, { token });
    expect(res.status).to.equal(504);
    expect(res.json.code).to.equal('BACKEND_TIMEOUT');
    const fast = await http(`${bus.gatewayUrl}/api/v1/accounts/${HOUSEHOLDS[0].ConsNo}/arrears`, { token });
    expect(fast.status).to.equal(200);
  });
});
