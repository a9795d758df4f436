/**
 * The life-number plates' read paths through the gateway, each beside a
 * baseline measured in the same run; asserts nothing. Run:
 *   scripts/services.sh up nats postgres && source var/services/env.sh
 *   npx ts-node --transpile-only bench/plates.ts [requests per case, default 400]
 *
 * (a) baseline: GET /accounts/{no}/bills with the cache off (every call asks
 *     the SOAP marketing simulator: marketing.listBills);
 * (b) the same with the plate's freshness cache on (ELECTRICITY_CACHE_TTL_S
 *     default: one back-office call, the rest answered with asOf/cached);
 * (c) GET /accounts/{no}/usage/daily over 60 days of stored readings (no
 *     back office: series computed from meter_daily_reading);
 * (d) GET /content/search?q=停电 over 2,000 articles (bigram tsvector).
 */
import 'reflect-metadata';
import { startBus } from '../bin/bootstrap';
import { loadConfig } from '../config';
import { signAccessToken } from '../core/auth';
import { seedDemoReadings } from '../core/collection/demo-readings';
import { createDataSource } from '../core/db';
import { ContentStore } from '../core/content/content-store';
import { startMarketingSimulator } from '../simulators/marketing/server';
import { bindAccounts, TEST_PII_ENV } from '../test/helpers/binding';
import { createFreshDatabase } from '../test/helpers/db';

const REQUESTS = Number(process.argv[2] ?? 400);
const PARALLEL = 8;
const USER = '2088000000000777';
const ACCOUNT = '3301000001';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function getAll(url: string, token: string): Promise<{ perS: number; p50: number; p99: number; failed: number }> {
  const times: number[] = [];
  let next = 0;
  let failed = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      while (next++ < REQUESTS) {
        const t = process.hrtime.bigint();
        const res = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
        const body = await res.text();
        if (res.status !== 200 && failed++ === 0) console.error(`first failure: ${url} ${res.status} ${body.slice(0, 200)}`);
        times.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }),
  );
  const s = Number(process.hrtime.bigint() - started) / 1e9;
  times.sort((a, b) => a - b);
  return { perS: REQUESTS / s, p50: percentile(times, 50), p99: percentile(times, 99), failed };
}

async function startPlates(dbUrl: string, wsdlUrl: string, cacheTtl: string | undefined) {
  return startBus(
    loadConfig({
      JWT_SECRET: 'bench-plates-jwt-secret-0123456789-abcdef',
      ...TEST_PII_ENV,
      DATABASE_URL: dbUrl,
      SERVICES: 'gateway,marketing,mapping,binding,electricity,content,payment,audit',
      SIMULATORS: 'off',
      HTTP_PORT: '0',
      LOG_LEVEL: 'error',
      NODE_ID: `bench-plates-${process.pid}-${cacheTtl ? 'nocache' : 'cache'}`,
      MARKETING_WSDL_URL: wsdlUrl,
      ...(cacheTtl ? { ELECTRICITY_CACHE_TTL_S: cacheTtl } : {}),
      // the per-user limit would measure the limiter, not the plates
      GATEWAY_RATE_LIMIT_USER: 'off',
      GATEWAY_IP_LIMIT: 'off', // every request comes from loopback: the ban would measure itself
    }),
  );
}

async function main(): Promise<void> {
  const marketing = await startMarketingSimulator();
  const db = await createFreshDatabase();
  const row = (name: string, r: { perS: number; p50: number; p99: number; failed: number }, base?: number) =>
    console.log(`| ${name} | ${r.perS.toFixed(0)}${base ? ` (${((r.perS / base) * 100).toFixed(0)} % of (a))` : ''} | ${r.p50.toFixed(1)} / ${r.p99.toFixed(1)} | ${r.failed} |`);
  let bus = await startPlates(db.url, marketing.wsdlUrl, 'listBills=0');
  try {
    await bindAccounts(db.url, USER, [ACCOUNT]);
    const ds = createDataSource(db.url);
    await ds.initialize();
    await seedDemoReadings(ds, ACCOUNT);
    const content = new ContentStore(ds);
    const words = ['停电', '电费', '缴费', '光伏', '充电桩', '节能', '检修', '营业厅', '电表', '账单'];
    for (let i = 0; i < 2000; i++) {
      const w = words[i % words.length];
      await content.create({ category: 'NEWS', title: `第${i}号通知：${w}相关事项`, summary: `关于${words[(i * 7) % words.length]}的说明`, body: `本文介绍${w}与${words[(i * 3) % words.length]}。`.repeat(5), tags: [w] }, 'bench', true);
    }
    await ds.destroy();
    const token = signAccessToken(bus.config.auth, { sub: USER });
    const api = `${bus.gatewayUrl}/api/v1`;
    const today = new Date(Date.now() + 8 * 3600_000);
    const day = (n: number) => new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - n)).toISOString().slice(0, 10);

    console.log(`${REQUESTS} requests per case, ${PARALLEL} in parallel, one process (gateway, services, SOAP simulator, PostgreSQL on loopback)\n`);
    console.log('| case | req/s | p50 / p99 ms | failed |\n| --- | --- | --- | --- |');
    const bills = `${api}/accounts/${ACCOUNT}/bills?from=202410&to=202503`;
    await getAll(bills, token); // warm-up
    const a = await getAll(bills, token);
    row('(a) bills, cache off: marketing.listBills every call', a);
    await bus.stop();
    bus = await startPlates(db.url, marketing.wsdlUrl, undefined);
    const token2 = signAccessToken(bus.config.auth, { sub: USER });
    const api2 = `${bus.gatewayUrl}/api/v1`;
    await getAll(`${api2}/accounts/${ACCOUNT}/bills?from=202410&to=202503`, token2);
    row('(b) bills, freshness cache on', await getAll(`${api2}/accounts/${ACCOUNT}/bills?from=202410&to=202503`, token2), a.perS);
    row('(c) usage/daily, 30 days from stored readings', await getAll(`${api2}/accounts/${ACCOUNT}/usage/daily?from=${day(30)}&to=${day(1)}`, token2), a.perS);
    row('(d) content/search?q=停电 over 2,000 articles', await getAll(`${api2}/content/search?q=${encodeURIComponent('停电')}`, token2), a.perS);
  } finally {
    await bus.stop();
    await marketing.close();
    await db.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
