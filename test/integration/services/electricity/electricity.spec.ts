import { expect } from 'chai';
import * as path from 'path';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { RunningBus, startBus } from '../../../../bin/bootstrap';
import { loadConfig } from '../../../../config';
import { signAccessToken } from '../../../../core/auth';
import { upsertDailyReadings } from '../../../../core/collection/meter-reading-store';
import { addDays, chinaToday } from '../../../../core/electricity/calendar';
import { chinaIso } from '../../../../core/payments/write-off';
import { UNKNOWN_CONS_NO } from '../../../../simulators/marketing/dataset';
import { balanceOf, billsOfAccount, historyOfAccount, kwhText, PREPAID_CONS_NO } from '../../../../simulators/marketing/plate-dataset';
import { MarketingSimulator, startMarketingSimulator } from '../../../../simulators/marketing/server';
import { startMarketingBSimulator } from '../../../../simulators/marketing-b/server';
import { bindAccounts, TEST_PII_ENV } from '../../../helpers/binding';
import { expectContract } from '../../../helpers/contract';
import { createFreshDatabase, query } from '../../../helpers/db';
import { TEST_JWT_ENV } from '../../../helpers/env';
import { eventually, http, HttpResult } from '../../../helpers/http';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const ROOT = path.resolve(__dirname, '../../../..');
/** The plate against both marketing dialects (A flat/fen, YX nested/yuan/other codes): only the mapping set differs. */
const DIALECTS: Array<{ name: string; start: () => Promise<Pick<MarketingSimulator, 'wsdlUrl' | 'writeOffs' | 'ebills' | 'close'>>; mappingsDir: string }> = [
  { name: 'marketing system A', start: () => startMarketingSimulator(), mappingsDir: path.join(ROOT, 'mappings') },
  { name: 'marketing system YX', start: () => startMarketingBSimulator(), mappingsDir: path.join(ROOT, 'examples/mappings/marketing-b') },
];

/** Every route's answer is checked against the OpenAPI contract (test/helpers/contract.ts). */
const CONTRACT = {
  bills: (res: HttpResult) => expectContract(res, 'GET /api/v1/accounts/{accountNo}/bills'),
  bill: (res: HttpResult) => expectContract(res, 'GET /api/v1/accounts/{accountNo}/bills/{billMonth}'),
  dailyUsage: (res: HttpResult) => expectContract(res, 'GET /api/v1/accounts/{accountNo}/usage/daily'),
  monthlyUsage: (res: HttpResult) => expectContract(res, 'GET /api/v1/accounts/{accountNo}/usage/monthly'),
  balance: (res: HttpResult) => expectContract(res, 'GET /api/v1/accounts/{accountNo}/balance'),
  setThreshold: (res: HttpResult) => expectContract(res, 'PUT /api/v1/accounts/{accountNo}/balance/threshold'),
  paymentRecords: (res: HttpResult) => expectContract(res, 'GET /api/v1/accounts/{accountNo}/payment-records'),
  ebill: (res: HttpResult) => expectContract(res, 'GET /api/v1/accounts/{accountNo}/ebill'),
  setEbill: (res: HttpResult) => expectContract(res, 'PUT /api/v1/accounts/{accountNo}/ebill'),
};
type Route = keyof typeof CONTRACT;

const HOME = '3301000001';
const SUBSCRIBED = '3301000002';
const NOT_MINE = '3301000004';
const USER = 'electricity-user';
const NEIGHBOUR = 'electricity-neighbour';

/**
 * My electricity end to end through the gateway: the electricity service
 * with the real marketing, mapping, binding and outbox services on real
 * PostgreSQL and NATS-less one-process bus, against the marketing simulators
 * (real SOAP, real WSDL); readings written by the collection store's own
 * writer. Every response is checked against the OpenAPI contract.
 */
for (const dialect of DIALECTS) describe(`e2e - my electricity against ${dialect.name}: bills, usage series, balance and threshold, payment records, e-bill subscription (real PostgreSQL, marketing simulator)`, function () {
  this.timeout(60_000);
  let marketing: Awaited<ReturnType<(typeof DIALECTS)[number]['start']>>;
  let db: { url: string; drop(): Promise<void> };
  let bus: RunningBus;
  let token: string;
  let neighbour: string;
  let marketingStopped = false;

  const api = async (route: string, operation: Route, init: RequestInit & { token?: string } = {}): Promise<HttpResult> => {
    const res = await http(`${bus.gatewayUrl}/api/v1${route}`, { token, ...init, headers: { 'Content-Type': 'application/json', ...(init.headers ?? {}) } });
    CONTRACT[operation](res);
    return res;
  };
  const put = (route: string, operation: Route, body: unknown, as = token) => api(route, operation, { method: 'PUT', body: JSON.stringify(body), token: as });

  before(async () => {
    marketing = await dialect.start();
    db = await createFreshDatabase();
    bus = await startBus(
      loadConfig({
        ...TEST_JWT_ENV,
        ...TEST_PII_ENV,
        DATABASE_URL: db.url,
        SERVICES: 'gateway,electricity,marketing,mapping,binding,payment,outbox,audit,auth',
        SIMULATORS: 'off',
        HTTP_PORT: '0',
        LOG_LEVEL: 'fatal',
        NODE_ID: `electricity-${process.pid}`,
        MARKETING_WSDL_URL: marketing.wsdlUrl,
        MAPPINGS_DIR: dialect.mappingsDir,
        OUTBOX_POLL_MS: '100',
        OUTBOX_BACKOFF_BASE_MS: '100',
      }),
    );
    await bindAccounts(db.url, USER, [HOME, SUBSCRIBED, PREPAID_CONS_NO]);
    await bindAccounts(db.url, NEIGHBOUR, [PREPAID_CONS_NO]);
    token = signAccessToken(bus.config.auth, { sub: USER });
    neighbour = signAccessToken(bus.config.auth, { sub: NEIGHBOUR });
  });

  after(async () => {
    await bus?.stop();
    if (!marketingStopped) await marketing?.close();
    await db?.drop();
  });

  it('bills - the months asked for, newest first, as the marketing system bills them; a second call is cached with the first answer time', async () => {
    const expected = billsOfAccount(HOME)!.slice().reverse();
    const first = await api(`/accounts/${HOME}/bills?from=202410&to=202503`, 'bills');
    expect(first.status, first.text).to.equal(200);
    expect(first.json).to.include({ accountNo: HOME, from: '202410', to: '202503', cached: false });
    expect(first.json.items.map((b: Json) => [b.billMonth, b.amountFen, b.kWh])).to.deep.equal(expected.map((b) => [b.billMonth, b.amountFen, kwhText(b.kwhCenti)]));
    expect(first.json.items.find((b: Json) => b.billMonth === '202410')).to.include({ status: 'PAID', paidFen: expected.find((b) => b.billMonth === '202410')!.amountFen });
    const again = await api(`/accounts/${HOME}/bills?from=202410&to=202503`, 'bills');
    expect(again.json).to.deep.equal({ ...first.json, cached: true });
    const narrower = await api(`/accounts/${HOME}/bills?from=202501&to=202502`, 'bills');
    expect(narrower.json.cached, 'another range is another request').to.equal(false);
    expect(narrower.json.items.map((b: Json) => b.billMonth)).to.deep.equal(['202502', '202501']);
  });

  it('bill detail - kWh and charge by tariff period, charges by item adding up to the total; a month without a bill is 404 BILL_NOT_FOUND', async () => {
    const bill = billsOfAccount(HOME)!.find((b) => b.billMonth === '202412')!;
    const res = await api(`/accounts/${HOME}/bills/202412`, 'bill');
    expect(res.status, res.text).to.equal(200);
    expect(res.json).to.include({ accountNo: HOME, billMonth: '202412', totalFen: bill.amountFen, kWh: kwhText(bill.kwhCenti), cached: false });
    expect(res.json.periods).to.deep.equal(bill.tou.map((p) => ({ period: p.period, kWh: kwhText(p.kwhCenti), amountFen: p.fen })));
    expect(res.json.charges.reduce((s: number, c: Json) => s + c.amountFen, 0)).to.equal(bill.amountFen);
    const none = await api(`/accounts/${HOME}/bills/202601`, 'bill');
    expect(none.status, none.text).to.equal(404);
    expect(none.json.code).to.equal('BILL_NOT_FOUND');
  });

  it('ownership - an account not bound to the user and an unknown one answer the same 404 ACCOUNT_NOT_FOUND on every route', async () => {
    const routes: Array<[string, Route, RequestInit?]> = [
      ['/bills?from=202410&to=202503', 'bills'],
      ['/bills/202412', 'bill'],
      ['/usage/daily?from=2026-11-01&to=2026-11-02', 'dailyUsage'],
      ['/usage/monthly', 'monthlyUsage'],
      ['/balance', 'balance'],
      ['/balance/threshold', 'setThreshold', { method: 'PUT', body: JSON.stringify({ thresholdFen: 100 }) }],
      ['/payment-records', 'paymentRecords'],
      ['/ebill', 'ebill'],
      ['/ebill', 'setEbill', { method: 'PUT', body: JSON.stringify({ subscribe: true }) }],
    ];
    for (const [suffix, operation, init] of routes) {
      for (const accountNo of [NOT_MINE, UNKNOWN_CONS_NO]) {
        const res = await api(`/accounts/${accountNo}${suffix}`, operation, init);
        expect([res.status, res.json.code, res.json.message], `${operation} ${accountNo}`).to.deep.equal([404, 'ACCOUNT_NOT_FOUND', 'No electricity account with this number']);
      }
    }
    const [threshold] = await query(db.url, 'SELECT count(*)::int AS n FROM electricity_balance_thresholds');
    const [requests] = await query(db.url, 'SELECT count(*)::int AS n FROM electricity_ebill_requests');
    expect([threshold.n, requests.n], 'nothing stored for a refused account').to.deep.equal([0, 0]);
  });

  it('auth - without a token the routes answer 401 and reach no service', async () => {
    const res = await http(`${bus.gatewayUrl}/api/v1/accounts/${HOME}/balance`);
    CONTRACT.balance(res);
    expect([res.status, res.json.code]).to.deep.equal([401, 'UNAUTHORIZED']);
    const change = await http(`${bus.gatewayUrl}/api/v1/accounts/${HOME}/ebill`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ subscribe: true }) });
    CONTRACT.setEbill(change);
    expect(change.status).to.equal(401);
  });

  it('validation - ranges beyond 366 days or 36 months, from after to, a bad month, an unknown parameter: 422 VALIDATION_FAILED naming the field', async () => {
    const cases: Array<[string, Route, string, string]> = [
      [`/accounts/${HOME}/usage/daily?from=2025-01-01&to=2026-01-02`, 'dailyUsage', 'to', 'a range covers at most 366 days; 2025-01-01..2026-01-02 covers 367'],
      [`/accounts/${HOME}/usage/monthly?from=202301&to=202601`, 'monthlyUsage', 'to', 'a range covers at most 36 months; 202301..202601 covers 37'],
      [`/accounts/${HOME}/bills?from=202503&to=202410`, 'bills', 'from', 'from (202503) must not be after to (202410)'],
      [`/accounts/${HOME}/bills/202513`, 'bill', 'billMonth', 'billMonth must be a month yyyyMM (got "202513")'],
      [`/accounts/${HOME}/payment-records?from=2026-02-30`, 'paymentRecords', 'from', 'from must be a calendar day yyyy-MM-dd (got "2026-02-30")'],
    ];
    for (const [route, operation, field, message] of cases) {
      const res = await api(route, operation);
      expect([res.status, res.json.code, res.json.message], route).to.deep.equal([422, 'VALIDATION_FAILED', message]);
      expect(res.json.details.problems[0].field).to.equal(field);
    }
    const unknown = await api(`/accounts/${HOME}/balance?verbose=1`, 'balance');
    expect([unknown.status, unknown.json.code]).to.deep.equal([422, 'VALIDATION_FAILED']);
    const badAccount = await api('/accounts/33010/usage/daily', 'dailyUsage');
    expect([badAccount.status, badAccount.json.details.problems[0].message]).to.deep.equal([422, 'accountNo must be 10 digits']);
  });

  it('usage - daily series from the stored readings: exact differences, per tariff register, gaps as null points; monthly from month-end readings', async () => {
    const reading = (day: string, total: string, registers: string[], offset: number) => ({
      reading: { meterPointId: `MP${HOME}`, accountNo: HOME, dataDate: day, readingTotal: total, readings: registers },
      topic: 'e_mp_day_read',
      partition: 0,
      offset,
    });
    const c = new Client({ connectionString: db.url });
    await c.connect();
    try {
      const store = { query: (sql: string, params: unknown[]) => c.query(sql, params).then((r) => r.rows) } as unknown as DataSource;
      await upsertDailyReadings(store, [
        reading('2026-10-31', '1000.1000', ['100.1', '300', '400', '200'], 1),
        reading('2026-11-01', '1000.3000', ['100.1', '300.2', '400', '200'], 2),
        reading('2026-11-02', '1012.6500', ['101.3', '304.7', '403.15', '203.5'], 3),
        // 2026-11-03 missing
        reading('2026-11-04', '1030', ['103', '310', '412', '205'], 4),
        reading('2026-11-05', '1041.25', ['104', '315', '416', '206.25'], 5),
        reading('2026-11-30', '1300.5', ['130', '390', '520', '260.5'], 6),
      ]);
    } finally {
      await c.end();
    }
    const daily = await api(`/accounts/${HOME}/usage/daily?from=2026-11-01&to=2026-11-05`, 'dailyUsage');
    expect(daily.status, daily.text).to.equal(200);
    expect(daily.json).to.include({ accountNo: HOME, from: '2026-11-01', to: '2026-11-05', unit: 'kWh', cached: false });
    expect(daily.json.asOf).to.be.a('string');
    expect(daily.json.points.map((p: Json) => [p.date, p.kWh, p.status])).to.deep.equal([
      ['2026-11-01', '0.2', 'OK'],
      ['2026-11-02', '12.35', 'OK'],
      ['2026-11-03', null, 'NO_READING'],
      ['2026-11-04', null, 'NO_READING'],
      ['2026-11-05', '11.25', 'OK'],
    ]);
    expect(daily.json.points[1].periods).to.deep.equal({ SHARP: '1.2', PEAK: '4.5', FLAT: '3.15', VALLEY: '3.5' });

    const monthly = await api(`/accounts/${HOME}/usage/monthly?from=202610&to=202611`, 'monthlyUsage');
    expect(monthly.status, monthly.text).to.equal(200);
    expect(monthly.json.points).to.deep.equal([
      { month: '202610', throughDate: null, kWh: null, periods: { SHARP: null, PEAK: null, FLAT: null, VALLEY: null }, status: 'NO_READING' },
      { month: '202611', throughDate: '2026-11-30', kWh: '300.4', periods: { SHARP: '29.9', PEAK: '90', FLAT: '120', VALLEY: '60.5' }, status: 'OK' },
    ]);
    const none = await api(`/accounts/${SUBSCRIBED}/usage/daily?from=2026-11-01&to=2026-11-02`, 'dailyUsage');
    expect(none.json).to.include({ asOf: null });
    expect(none.json.points.map((p: Json) => p.kWh)).to.deep.equal([null, null]);
  });

  it('balance - a prepaid account below the user\'s threshold is low; the threshold is per user; a postpaid account is never low', async () => {
    const balance = () => api(`/accounts/${PREPAID_CONS_NO}/balance`, 'balance');
    const before = await balance();
    expect(before.status, before.text).to.equal(200);
    expect(before.json).to.include({ accountNo: PREPAID_CONS_NO, prepaid: true, balanceFen: balanceOf(PREPAID_CONS_NO).balanceFen, thresholdFen: null, low: false, cached: false });
    const set = await put(`/accounts/${PREPAID_CONS_NO}/balance/threshold`, 'setThreshold', { thresholdFen: 5000 });
    expect(set.status, set.text).to.equal(200);
    expect(set.json).to.include({ accountNo: PREPAID_CONS_NO, thresholdFen: 5000 });
    const after = await balance();
    expect(after.json).to.include({ thresholdFen: 5000, low: true, cached: true, asOf: before.json.asOf });
    const theirs = await api(`/accounts/${PREPAID_CONS_NO}/balance`, 'balance', { token: neighbour });
    expect(theirs.json).to.include({ thresholdFen: null, low: false });
    await put(`/accounts/${PREPAID_CONS_NO}/balance/threshold`, 'setThreshold', { thresholdFen: 1000 });
    expect((await balance()).json).to.include({ thresholdFen: 1000, low: false });

    await put(`/accounts/${SUBSCRIBED}/balance/threshold`, 'setThreshold', { thresholdFen: 999999 });
    const postpaid = await api(`/accounts/${SUBSCRIBED}/balance`, 'balance');
    expect(postpaid.json).to.include({ prepaid: false, balanceFen: balanceOf(SUBSCRIBED).balanceFen, thresholdFen: 999999, low: false });

    for (const bad of [{ thresholdFen: -1 }, { thresholdFen: 10.5 }, { thresholdFen: '5000' }, {}, { thresholdFen: 100, extra: true }]) {
      const res = await put(`/accounts/${PREPAID_CONS_NO}/balance/threshold`, 'setThreshold', bad);
      expect([res.status, res.json.code], JSON.stringify(bad)).to.deep.equal([422, 'VALIDATION_FAILED']);
    }
    expect((await query(db.url, 'SELECT threshold_fen::int AS t FROM electricity_balance_thresholds WHERE user_id = $1 AND account_no = $2', [USER, PREPAID_CONS_NO]))[0].t).to.equal(1000);
  });

  it('payment records - the bus\'s orders and the marketing system\'s payments merged on the serial: one record per payment, never two', async () => {
    const history = historyOfAccount(HOME);
    const old = await api(`/accounts/${HOME}/payment-records?from=2024-10-01&to=2025-09-30`, 'paymentRecords');
    expect(old.status, old.text).to.equal(200);
    expect(old.json.items.map((r: Json) => r.serial).sort()).to.deep.equal(history.map((h) => h.serial).sort());
    expect(old.json.items.every((r: Json) => r.source === 'marketing' && r.orderState === null)).to.equal(true);
    const paidAts = old.json.items.map((r: Json) => Date.parse(r.paidAt));
    expect(paidAts).to.deep.equal([...paidAts].sort((a: number, b: number) => b - a));

    // a payment of the life number written off (the marketing system has it too) and one still being written off (only the bus knows it)
    const paidAt = new Date();
    const serial = `PE2E${Date.now()}`;
    await bus.broker.call('marketing.writeOff', { serial, accountNo: HOME, amountFen: 1000, paidAt: chinaIso(paidAt), channel: 'ALIPAY' });
    const order = (outTradeNo: string, state: string, amountFen: number) =>
      query(db.url, `INSERT INTO payment_orders (out_trade_no, kind, user_id, account_no, amount_fen, arrears_fen, bill_key, subject, state, paid_at, expires_at)
                     VALUES ($1, 'PAY', $2, $3, $4, $4, 'k', 's', $5, $6, now())`, [outTradeNo, USER, HOME, amountFen, state, paidAt]);
    await order(serial, 'WRITTEN_OFF', 1000);
    await order(`${serial}B`, 'PAID', 2500);
    await order(`${serial}C`, 'WAIT_PAY', 700).catch(() => undefined); // not a payment (one open order per account: may be refused)
    const today = chinaToday();
    const now = await api(`/accounts/${HOME}/payment-records?from=${addDays(today, -1)}&to=${today}`, 'paymentRecords');
    expect(now.status, now.text).to.equal(200);
    const bySerial = new Map(now.json.items.map((r: Json) => [r.serial, r]));
    expect(now.json.items.filter((r: Json) => r.serial === serial)).to.have.length(1);
    expect(bySerial.get(serial)).to.include({ source: 'both', status: 'POSTED', bookedStatus: 'POSTED', orderState: 'WRITTEN_OFF', amountFen: 1000, channel: 'ALIPAY' });
    expect(bySerial.get(`${serial}B`)).to.include({ source: 'life-number', status: 'POSTING', bookedStatus: null, orderState: 'PAID', amountFen: 2500 });
    expect(bySerial.has(`${serial}C`), 'an unpaid order is no payment').to.equal(false);
  });

  it('e-bill - a change is recorded with its outbox row (e-mail encrypted), answered 202 PENDING, applied once by the marketing system, then visible, not from a stale cache', async () => {
    const before = await api(`/accounts/${HOME}/ebill`, 'ebill');
    expect(before.status, before.text).to.equal(200);
    expect(before.json).to.include({ accountNo: HOME, subscribed: false, since: null, lastRequest: null, cached: false });
    expect((await api(`/accounts/${HOME}/ebill`, 'ebill')).json.cached).to.equal(true);

    const email = 'zhangwei.home@example.com';
    const change = await put(`/accounts/${HOME}/ebill`, 'setEbill', { subscribe: true, email });
    expect(change.status, change.text).to.equal(202);
    expect(change.json).to.include({ accountNo: HOME, subscribe: true, email: 'z***@example.com', state: 'PENDING' });
    const serial = change.json.serial as string;

    const [row] = await query(db.url, 'SELECT email_enc FROM electricity_ebill_requests WHERE serial = $1', [serial]);
    expect(row.email_enc).to.be.a('string').and.not.include('zhangwei');
    const [outbox] = await query(db.url, `SELECT operation, partition_key, payload::text AS payload FROM outbox WHERE serial = $1`, [serial]);
    expect(outbox).to.include({ operation: 'marketing.subscribeEBill', partition_key: HOME });
    expect(outbox.payload, 'no e-mail in clear in the outbox').to.not.include('zhangwei');

    const applied = await eventually(() => api(`/accounts/${HOME}/ebill`, 'ebill'), (r) => r.json.lastRequest?.state === 'APPLIED');
    expect(applied.json).to.include({ subscribed: true, cached: false });
    expect(applied.json.since).to.be.a('string');
    expect(applied.json.lastRequest).to.include({ serial, subscribe: true, email: 'z***@example.com' });
    expect(marketing.ebills.received(serial)).to.equal(1);
    expect(marketing.ebills.state(HOME)).to.include({ subscribed: true, email });
    expect((await api(`/accounts/${HOME}/ebill`, 'ebill')).json).to.include({ subscribed: true, cached: true });

    const off = await put(`/accounts/${SUBSCRIBED}/ebill`, 'setEbill', { subscribe: false });
    expect([off.status, off.json.email]).to.deep.equal([202, null]);
    await eventually(() => api(`/accounts/${SUBSCRIBED}/ebill`, 'ebill'), (r) => r.json.lastRequest?.state === 'APPLIED' && r.json.subscribed === false);
  });

  // the subscribeEBill exchange is logged three times (canonical request, back-office request, raw XML): the address masked in each
  it('e-bill - the delivered exchange is in the message log with the e-mail masked', async () => {
    await eventually(() => query<{ n: number }>(db.url, `SELECT count(*)::int AS n FROM message_log WHERE operation = 'marketing.subscribeEBill'`), (rows) => rows[0].n > 0);
    const leaked = await query(db.url, `SELECT count(*)::int AS n FROM message_log m WHERE m::text LIKE '%zhangwei%'`);
    expect(leaked[0].n, 'no e-mail in clear in the message log').to.equal(0);
  });

  it('e-bill - a bad e-mail, an e-mail with subscribe false, a missing subscribe: 422 saying what is wrong, nothing recorded', async () => {
    const [{ n: before }] = await query(db.url, 'SELECT count(*)::int AS n FROM electricity_ebill_requests');
    const cases: Array<[unknown, string]> = [
      [{ subscribe: true, email: 'not-an-address' }, 'email must be an e-mail address such as name@example.com'],
      [{ subscribe: false, email: 'a@example.com' }, 'an email goes only with subscribe: true'],
    ];
    for (const [body, message] of cases) {
      const res = await put(`/accounts/${HOME}/ebill`, 'setEbill', body);
      expect([res.status, res.json.code, res.json.message]).to.deep.equal([422, 'VALIDATION_FAILED', message]);
    }
    const missing = await put(`/accounts/${HOME}/ebill`, 'setEbill', { email: 'a@example.com' });
    expect([missing.status, missing.json.details.problems[0].field]).to.deep.equal([422, 'subscribe']);
    const [{ n: after }] = await query(db.url, 'SELECT count(*)::int AS n FROM electricity_ebill_requests');
    expect(after).to.equal(before);
  });

  // last: stops the marketing simulator
  it('back office down - a fresh question answers 5xx with the contract\'s error body, a cached answer is still served, the usage series keep working', async () => {
    const cachedBefore = await api(`/accounts/${HOME}/bills?from=202410&to=202503`, 'bills');
    expect(cachedBefore.status, cachedBefore.text).to.equal(200);
    await marketing.close();
    marketingStopped = true;
    const fresh = await api(`/accounts/${HOME}/bills?from=202411&to=202503`, 'bills');
    expect([fresh.status, fresh.json.code], fresh.text).to.deep.equal([503, 'BACKEND_UNAVAILABLE']);
    const cached = await api(`/accounts/${HOME}/bills?from=202410&to=202503`, 'bills');
    // one refused connection does not open the circuit: the node's copy still answers, saying how old it is
    expect(cached.status, cached.text).to.equal(200);
    expect(cached.json).to.include({ cached: true, asOf: cachedBefore.json.asOf });
    const usage = await api(`/accounts/${HOME}/usage/daily?from=2026-11-01&to=2026-11-02`, 'dailyUsage');
    expect(usage.status, usage.text).to.equal(200);
    const change = await put(`/accounts/${SUBSCRIBED}/ebill`, 'setEbill', { subscribe: true });
    expect([change.status, change.json.state], 'a change is queued while the marketing system is down').to.deep.equal([202, 'PENDING']);
  });
});
