/**
 * The money path's speed: Alipay notifications through the gateway and the
 * write-offs they cause. Prints figures beside a baseline measured in the
 * same run; asserts nothing. Run:
 *   scripts/services.sh up nats postgres && source var/services/env.sh
 *   npx ts-node --transpile-only bench/payments.ts [orders, default 400]
 *
 * (a) baseline: signed notifications for orders that do not exist (signature,
 *     checks, stored, kept as anomalies: no order moves, nothing written off);
 * (b) signed notifications that pay real orders (the same, plus the order's
 *     move and its write-off's outbox row in the same transaction);
 * (c) the write-offs of (b) delivered by the outbox to the SOAP marketing
 *     simulator, in order per account (4 accounts here, so 4 in flight).
 */
import 'reflect-metadata';
import { generateKeyPairSync } from 'crypto';
import { startBus } from '../bin/bootstrap';
import { loadConfig } from '../config';
import { startAlipaySimulator } from '../simulators/alipay/server';
import { startMarketingSimulator } from '../simulators/marketing/server';
import { TEST_PII_ENV } from '../test/helpers/binding';
import { createFreshDatabase, query } from '../test/helpers/db';

const ORDERS = Number(process.argv[2] ?? 400);
const PARALLEL = 8;
const ACCOUNTS = ['3301000001', '3301000002', '3301000004', '3301000005'];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Posts every form, PARALLEL at a time; answers the rate and latencies. */
async function postAll(url: string, forms: Array<Record<string, string>>): Promise<{ perS: number; p50: number; p99: number; failed: number }> {
  const times: number[] = [];
  let next = 0;
  let failed = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      while (next < forms.length) {
        const form = forms[next++];
        const t = process.hrtime.bigint();
        const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
        if ((await res.text()) !== 'success') failed++;
        times.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }),
  );
  const s = Number(process.hrtime.bigint() - started) / 1e9;
  times.sort((a, b) => a - b);
  return { perS: forms.length / s, p50: percentile(times, 50), p99: percentile(times, 99), failed };
}

async function main(): Promise<void> {
  const app = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const alipay = await startAlipaySimulator({ appPublicKey: app.publicKey.export({ type: 'spki', format: 'pem' }) as string, appId: '2021004200000077' });
  const marketing = await startMarketingSimulator();
  const db = await createFreshDatabase();
  const bus = await startBus(
    loadConfig({
      JWT_SECRET: 'bench-payments-jwt-secret-0123456789-abcdef',
      ...TEST_PII_ENV,
      DATABASE_URL: db.url,
      SERVICES: 'gateway,marketing,mapping,payment,alipay,outbox,audit',
      SIMULATORS: 'off',
      HTTP_PORT: '0',
      LOG_LEVEL: 'fatal', // (a) raises an ALARM line per notification
      NODE_ID: `bench-payments-${process.pid}`,
      MARKETING_WSDL_URL: marketing.wsdlUrl,
      ALIPAY_GATEWAY_URL: alipay.gatewayUrl,
      ALIPAY_APP_ID: alipay.appId,
      ALIPAY_APP_PRIVATE_KEY: app.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
      ALIPAY_PUBLIC_KEY: alipay.alipayPublicKeyPem,
      OUTBOX_POLL_MS: '50',
      // these orders are inserted directly, not asked of Alipay: keep payments-sync's query away from them
      PAYMENT_QUERY_AFTER_S: '86400',
    }),
  );
  const url = `${bus.gatewayUrl}/alipay/notify`;
  try {
    // WITHHOLD orders: many open at once per account (a PAY order is one open per account), the same notification path
    const outTradeNos = Array.from({ length: ORDERS }, (_, i) => `BENCH${process.pid}${String(i).padStart(6, '0')}`);
    await query(
      db.url,
      `INSERT INTO payment_orders (out_trade_no, kind, user_id, account_no, amount_fen, arrears_fen, bill_key, subject, state, expires_at)
       SELECT t.no, 'WITHHOLD', '2088100000000001', ($2::text[])[(t.i % 4) + 1], 1, 1, t.no, 'bench', 'WAIT_PAY', now() + interval '1 hour'
         FROM unnest($1::text[]) WITH ORDINALITY AS t(no, i)`,
      [outTradeNos, ACCOUNTS],
    );
    // signed before the clock starts: the bench measures the bus, not the simulator's signing
    const unknown = outTradeNos.map((_, i) => alipay.notification({ out_trade_no: `NOORDER${process.pid}${i}`, total_amount: '0.01', receipt_amount: '0.01' }));
    const paying = outTradeNos.map((no) => alipay.notification({ out_trade_no: no, total_amount: '0.01', receipt_amount: '0.01' }));
    await postAll(url, unknown.slice(0, 20).map((f) => ({ ...f }))); // warm-up (stored too, excluded below)

    const a = await postAll(url, unknown.slice(20));
    const startedB = process.hrtime.bigint();
    const b = await postAll(url, paying);
    let written = 0;
    for (;;) {
      written = (await query<{ n: number }>(db.url, `SELECT count(*)::int AS n FROM payment_orders WHERE state = 'WRITTEN_OFF'`))[0].n;
      if (written >= ORDERS) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const cS = Number(process.hrtime.bigint() - startedB) / 1e9;
    const applied = marketing.writeOffs().filter((w) => w.applied === 1).length;
    const resent = marketing.writeOffs().filter((w) => w.received > 1).length;

    const row = (name: string, r: { perS: number; p50: number; p99: number; failed: number }, n: number) =>
      `| ${name} | ${n} | ${Math.round(r.perS)} | ${r.p50.toFixed(1)} / ${r.p99.toFixed(1)} | ${r.failed} |`;
    process.stdout.write(`${ORDERS} orders, ${PARALLEL} parallel posts, ${ACCOUNTS.length} accounts\n\n`);
    process.stdout.write('| case | notifications | per s | p50 / p99 ms | not success |\n| --- | --- | --- | --- | --- |\n');
    process.stdout.write(`${row('(a) baseline: unknown order, kept as anomaly', a, unknown.length - 20)}\n`);
    process.stdout.write(`${row('(b) pays an order: move + write-off row in one transaction', b, paying.length)}\n`);
    process.stdout.write(`\n(b)/(a) rate: ${((b.perS / a.perS) * 100).toFixed(0)} %\n`);
    process.stdout.write(`(c) ${written} orders WRITTEN_OFF ${cS.toFixed(1)} s after (b) began: ${(written / cS).toFixed(0)} write-offs/s end to end; marketing applied ${applied}, serials received more than once: ${resent}\n`);
  } finally {
    await bus.stop();
    await alipay.close();
    await marketing.close();
    await db.drop();
  }
}

void main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
