import { expect } from 'chai';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RunningBus, startBus } from '../../../../bin/bootstrap';
import { loadConfig } from '../../../../config';
import { signAccessToken, signOperatorToken } from '../../../../core/auth';
import { HOUSEHOLDS } from '../../../../simulators/marketing/dataset';
import { MarketingSimulator, startMarketingSimulator } from '../../../../simulators/marketing/server';
import { bindAccounts, TEST_PII_ENV } from '../../../helpers/binding';
import { createFreshDatabase, query } from '../../../helpers/db';
import { requireEnv } from '../../../helpers/env';
import { operatorToken } from '../../../helpers/operators';
import { eventually, http, HttpResult } from '../../../helpers/http';

const JWT_SECRET = 'statistics-secret-0123456789-0123456789-ab';
const JWT = { jwtSecret: JWT_SECRET, issuer: 'gridbus', audience: 'gridbus-life-number', adminAudience: 'gridbus-life-number-admin' };

type Row = { function: string; route_group: string; user_id: string | null; status: number; outcome: string; error_code: string | null; latency_ms: number; request_id: string; node_id: string };

/** PostgreSQL's percentile_cont: linear interpolation between the two closest ranks. */
function percentileCont(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const pos = p * (sorted.length - 1);
  const lo = Math.floor(pos);
  return sorted[lo] + (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]) * (pos - lo);
}

/**
 * A gateway node and a services node (billing, marketing, binding, audit,
 * statistics) over the real NATS, on a database of their own: every call
 * through the gateway becomes one `access_event` row (via batched
 * `access.batch` events), and the admin API aggregates them.
 */
describe('statistics - one access event per gateway call, aggregated for the back office (NATS, PostgreSQL)', function () {
  this.timeout(60_000);
  const suffix = randomBytes(3).toString('hex');
  let db: { url: string; drop(): Promise<void> };
  let sim: MarketingSimulator;
  let dir: string;
  let services: RunningBus;
  let gateway: RunningBus;
  let base: string;
  const [bound, other] = [HOUSEHOLDS[0].ConsNo, HOUSEHOLDS[1].ConsNo];
  const alice = `2088${suffix}0001`;
  const bob = `2088${suffix}0002`;
  const token = (sub: string) => signAccessToken(JWT, { sub });
  // logged in when first needed, after the first test has counted the access events (a log-in is one too)
  let auditorToken: string | null = null;
  const auditor = async () => (auditorToken ??= await operatorToken(db.url, base, 'auditor:zhao', ['auditor']));
  const stats = async (qs: string, t?: string) => http(`${base}/admin/api/statistics/access?${qs}`, { token: t ?? (await auditor()) });
  const rows = () => query<Row>(db.url, 'SELECT function, route_group, user_id, status, outcome, error_code, latency_ms, request_id, node_id FROM access_event ORDER BY at');
  let from: string;
  let to: string;

  /** The calls made through the gateway and what each must become. */
  const expected: Array<{ requestId: string; function: string; userId: string | null; status: number; outcome: string; code: string | null }> = [];
  async function call(
    what: { function: string; userId: string | null; status: number; outcome: string; code: string | null },
    url: string,
    init: RequestInit & { token?: string } = {},
  ): Promise<HttpResult> {
    const requestId = `stat-${suffix}-${expected.length}`;
    const res = await http(`${base}${url}`, { ...init, headers: { ...(init.headers as Record<string, string>), 'X-Request-ID': requestId } });
    expect(res.status, `${url}: ${res.text}`).to.equal(what.status);
    expect(res.json?.code ?? null).to.equal(what.code);
    expected.push({ requestId, ...what });
    return res;
  }

  before(async () => {
    db = await createFreshDatabase();
    sim = await startMarketingSimulator();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-statistics-'));
    const common = { NATS_URL: requireEnv('TEST_NATS_URL'), BUS_NAMESPACE: `it-stat-${suffix}`, JWT_SECRET, SIMULATORS: 'off', LOG_LEVEL: 'error', VAR_DIR: dir };
    services = await startBus(
      loadConfig({ ...common, ...TEST_PII_ENV, SERVICES: 'auth,billing,marketing,binding,audit,statistics', NODE_ID: `stat-svc-${suffix}`, DATABASE_URL: db.url, MARKETING_WSDL_URL: sim.wsdlUrl }),
    );
    gateway = await startBus(loadConfig({ ...common, SERVICES: 'gateway', NODE_ID: `stat-gw-${suffix}`, HTTP_PORT: '0' }));
    base = gateway.gatewayUrl!;
    await gateway.broker.waitForServices(['billing', 'binding', 'statistics'], 20_000);
    await bindAccounts(db.url, alice, [bound]);
    await bindAccounts(db.url, bob, [bound]);
  });

  after(async () => {
    await gateway?.stop();
    await services?.stop();
    await sim?.close();
    await db?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes exactly one row per call, with its function, user, outcome and code, and no account number', async () => {
    from = new Date(Date.now() - 60_000).toISOString();
    const arrears = { function: 'billing.getArrears', status: 200, outcome: 'ok', code: null };
    for (let i = 0; i < 3; i++) await call({ ...arrears, userId: alice }, `/api/v1/accounts/${bound}/arrears`, { token: token(alice) });
    await call({ ...arrears, userId: bob }, `/api/v1/accounts/${bound}/arrears`, { token: token(bob) });
    // not bound to bob: 404 like an unknown account
    await call({ function: 'billing.getArrears', userId: bob, status: 404, outcome: 'refused', code: 'ACCOUNT_NOT_FOUND' }, `/api/v1/accounts/${other}/arrears`, { token: token(bob) });
    // no alias for this URL: named by its route, not by the URL
    await call({ function: 'GET /api/v1/*', userId: null, status: 404, outcome: 'refused', code: 'NOT_FOUND' }, `/api/v1/nothing/${bound}`, { token: token(alice) });
    for (let i = 0; i < 2; i++) {
      await call({ function: 'billing.getArrears', userId: null, status: 401, outcome: 'refused', code: 'UNAUTHORIZED' }, `/api/v1/accounts/${bound}/arrears`);
    }
    // the body is read before the token is checked: no user yet
    await call({ function: 'billing.getArrears', userId: null, status: 400, outcome: 'refused', code: 'MALFORMED_REQUEST' }, '/api/v1/arrears/query', {
      method: 'POST',
      token: token(alice),
      headers: { 'Content-Type': 'application/json' },
      body: `{"accountNo": "${bound}"`,
    });
    await call({ function: 'billing.getArrears', userId: alice, status: 422, outcome: 'refused', code: 'VALIDATION_FAILED' }, '/api/v1/accounts/12ab/arrears', { token: token(alice) });

    await eventually(rows, (r) => r.length >= expected.length, 10_000);
    // batches leave every second: give a stray one time to arrive before counting
    await new Promise((r) => setTimeout(r, 1500));
    const all = await rows();
    expect(all).to.have.length(expected.length);
    const byRequest = new Map(all.map((r) => [r.request_id, r]));
    for (const e of expected) {
      const row = byRequest.get(e.requestId);
      expect(row, e.requestId).to.not.equal(undefined);
      expect({ function: row!.function, userId: row!.user_id, status: row!.status, outcome: row!.outcome, code: row!.error_code }, e.requestId).to.deep.equal({
        function: e.function,
        userId: e.userId,
        status: e.status,
        outcome: e.outcome,
        code: e.code,
      });
      expect(row!.route_group).to.equal('api');
      expect(row!.node_id).to.equal(`stat-gw-${suffix}`);
      expect(row!.latency_ms).to.be.a('number').and.to.be.at.least(0);
    }
    expect(all.filter((r) => /\d{10}/.test(r.function))).to.deep.equal([]);
    to = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
  });

  it('aggregates them per function: calls, outcomes, latency percentiles and distinct users', async () => {
    const res = await stats(`from=${from}&to=${to}&groupBy=function`);
    expect(res.status, res.text).to.equal(200);
    expect(res.json).to.include({ from, to, groupBy: 'function', tz: 'UTC' });
    const all = await rows();
    const arrears = all.filter((r) => r.function === 'billing.getArrears');
    expect(res.json.groups).to.have.length(2);
    const [first, second] = res.json.groups;
    expect(first).to.deep.include({ key: 'billing.getArrears', calls: 9, ok: 4, refused: 5, errors: 0, users: 2 });
    expect(second).to.deep.include({ key: 'GET /api/v1/*', calls: 1, ok: 0, refused: 1, errors: 0, users: 0 });
    const latencies = arrears.map((r) => r.latency_ms);
    expect(first.p50Ms).to.be.closeTo(percentileCont(latencies, 0.5), 0.051);
    expect(first.p95Ms).to.be.closeTo(percentileCont(latencies, 0.95), 0.051);
    expect(first.p99Ms).to.be.closeTo(percentileCont(latencies, 0.99), 0.051);
    expect(first.p50Ms).to.be.at.most(first.p95Ms);
    expect(first.p95Ms).to.be.at.most(first.p99Ms);
  });

  it('aggregates them per outcome and per hour', async () => {
    const outcomes = await stats(`from=${from}&to=${to}&groupBy=outcome`);
    expect(outcomes.status).to.equal(200);
    const byKey = Object.fromEntries(outcomes.json.groups.map((g: { key: string; calls: number }) => [g.key, g.calls]));
    expect(byKey).to.deep.equal({ ok: 4, refused: 6 });
    const hours = await stats(`from=${from}&to=${to}&groupBy=hour&tz=Asia/Shanghai`);
    expect(hours.status).to.equal(200);
    expect(hours.json.groups.reduce((n: number, g: { calls: number }) => n + g.calls, 0)).to.equal(10);
    for (const g of hours.json.groups) expect(new Date(g.key).getTime() % 3_600_000).to.equal(0);
    const days = await stats(`from=${from}&to=${to}&groupBy=day&tz=Asia/Shanghai`);
    // a day in Beijing starts at 16:00 UTC
    for (const g of days.json.groups) expect(g.key).to.match(/T16:00:00\.000Z$/);
  });

  it('lets operators and auditors read them, and refuses user tokens and tokens of no operator', async () => {
    const qs = `from=${from}&to=${to}`;
    expect((await stats(qs, await operatorToken(db.url, base, 'operator:li', ['operator']))).status).to.equal(200);
    const user = await stats(qs, token(alice));
    expect(user.status).to.equal(401);
    expect(user.json.code).to.equal('UNAUTHORIZED');
    // signed with the right key, but no such operator (and no session): refused
    const none = await stats(qs, signOperatorToken(JWT, { sub: 'operator:nobody', roles: ['operator'] }));
    expect(none.status).to.equal(401);
    expect(none.json.code).to.equal('UNAUTHORIZED');
  });

  it('refuses unknown parameters, bad dates, reversed and too long ranges with VALIDATION_FAILED', async () => {
    const refused = async (qs: string, type: string) => {
      const res = await stats(qs);
      expect(res.status, qs).to.equal(422);
      expect(res.json.code).to.equal('VALIDATION_FAILED');
      expect(res.json.details.problems.map((p: { type: string }) => p.type), qs).to.include(type);
    };
    await refused(`from=${from}&to=${to}&accountNo=${bound}`, 'objectStrict');
    await refused(`from=${from}&to=${to}&groupBy=account`, 'enumValue');
    await refused(`to=${to}`, 'required');
    await refused(`from=yesterday&to=${to}`, 'stringPattern');
    await refused(`from=2026-02-31&to=2026-03-05`, 'date');
    await refused(`from=${to}&to=${from}`, 'dateRange');
    await refused('from=2026-01-01&to=2026-02-02', 'dateRangeTooLong');
    await refused(`from=${from}&to=${to}&groupBy=hour&tz=Mars/Olympus`, 'timeZone');
    expect((await stats('from=2026-01-01&to=2026-02-01')).status).to.equal(200);
  });

  it('emits what it holds when the gateway stops', async () => {
    const before = (await rows()).length;
    const res = await http(`${base}/api/v1/accounts/${bound}/arrears`, { token: token(alice), headers: { 'X-Request-ID': `stat-${suffix}-last` } });
    expect(res.status).to.equal(200);
    // well within the batch delay (1 s): only the stop's flush can deliver it
    await gateway.stop();
    const after = await eventually(rows, (r) => r.some((x) => x.request_id === `stat-${suffix}-last`), 5_000);
    // the statistics reads of the cases above are rows too
    expect(after.length).to.be.greaterThan(before);
    expect(after.filter((r) => r.function === 'statistics.access').every((r) => r.route_group === 'admin')).to.equal(true);
  });
});
