/**
 * The plates' canonical marketing operations through a real bus broker
 * against both simulator dialects: A (flat, fen, 0000/1001/1003/2001) with
 * `mappings/`, and YX (nested, yuan text, TouType/SettleFlag/ChannelCode
 * codes, E2001/E3001/E0002/E0003) with `examples/mappings/marketing-b/`.
 * Same canonical requests, same canonical answers, computed from the shared
 * dataset (simulators/marketing/plate-dataset.ts).
 */
import { expect } from 'chai';
import * as fs from 'fs';
import * as path from 'path';
import { Client } from 'pg';
import { RunningBus, startBus } from '../../../bin/bootstrap';
import { loadConfig } from '../../../config';
import { PiiCipher, maskName } from '../../../core/crypto';
import { sealPayload } from '../../../core/outbox';
import { HOUSEHOLDS, SPECIAL_CONS_NO, UNKNOWN_CONS_NO } from '../../../simulators/marketing/dataset';
import { CLOSING_REPLY } from '../../../simulators/marketing/ticket-book';
import { BILL_MONTHS, Bill, EBILL_SUBSCRIBED, PREPAID_CONS_NO, billOfMonth, billsOfAccount, historyOfAccount, kwhText } from '../../../simulators/marketing/plate-dataset';
import { MarketingSimulator, MarketingSimulatorOptions, startMarketingSimulator } from '../../../simulators/marketing/server';
import { startMarketingBSimulator } from '../../../simulators/marketing-b/server';
import { TEST_PII_ENV } from '../../helpers/binding';
import { createFreshDatabase, query } from '../../helpers/db';
import { TEST_JWT_ENV } from '../../helpers/env';
import { eventually } from '../../helpers/http';
import { mappingsWithTimeout } from '../../helpers/mapping-copy';
import { OutboxRow } from '../../helpers/outbox';

const ROOT = path.resolve(__dirname, '../../..');

interface Dialect {
  label: string;
  start(o: MarketingSimulatorOptions): Promise<MarketingSimulator>;
  mappingsDir: string;
  /** The system's own ticket numbers. */
  ticketNo: RegExp;
}

const DIALECTS: Dialect[] = [
  { label: 'dialect A (mappings/)', start: startMarketingSimulator, mappingsDir: path.join(ROOT, 'mappings'), ticketNo: /^GD\d{8}$/ },
  { label: 'dialect YX (examples/mappings/marketing-b/)', start: startMarketingBSimulator, mappingsDir: path.join(ROOT, 'examples/mappings/marketing-b'), ticketNo: /^YXGD\d{8}$/ },
];

/** A bill as marketing.listBills answers it while nothing of its month was written off through the bus. */
function listed(b: Bill, owedFen: number) {
  const paidFen = b.amountFen - owedFen;
  const iso = `${b.issuedOn.slice(0, 4)}-${b.issuedOn.slice(4, 6)}-${b.issuedOn.slice(6, 8)}`;
  return { billMonth: b.billMonth, amountFen: b.amountFen, kWh: kwhText(b.kwhCenti), paidFen, status: owedFen === 0 ? 'PAID' : paidFen === 0 ? 'UNPAID' : 'PARTLY_PAID', issuedAt: iso };
}

/** Local yyyyMMddHHmmss (Asia/Shanghai) as ISO 8601 with its offset. */
const isoOf = (t: string) => `${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)}T${t.slice(8, 10)}:${t.slice(10, 12)}:${t.slice(12, 14)}+08:00`;

const owedOf = (consNo: string, month: string) => HOUSEHOLDS.find((h) => h.ConsNo === consNo)?.arrears.find((a) => a.BillMonth === month)?.ArrearsFen ?? 0;

interface CallError {
  type?: string;
  retryable?: boolean;
  message?: string;
}

for (const d of DIALECTS) {
  describe(`e2e - plate operations, ${d.label}`, function () {
    this.timeout(30000);
    let sim: MarketingSimulator;
    let bus: RunningBus;
    const call = <T = Record<string, unknown>>(action: string, params: Record<string, unknown>) => bus.broker.call(action, params) as Promise<T>;
    const failure = (action: string, params: Record<string, unknown>) => call(action, params).then(() => null, (e: CallError) => e);

    before(async () => {
      sim = await d.start({ slowDelayMs: 100 });
      bus = await startBus(
        loadConfig({ SERVICES: 'marketing', HTTP_PORT: '0', SIMULATORS: 'off', MARKETING_WSDL_URL: sim.wsdlUrl, MAPPINGS_DIR: d.mappingsDir, LOG_LEVEL: 'error', NODE_ID: `plates-${process.pid}-${d.label.length}` }),
      );
    });
    after(async () => {
      await bus?.stop();
      await sim?.close();
    });

    const H = HOUSEHOLDS[0]; // 张伟, 330106198503124520
    const X = HOUSEHOLDS[3]; // 李娜, ID number ends in X

    describe('marketing.verifyHolder', () => {
      it('matches the holder by name, by the ID number tail (4 or 6 characters, x in either case) or both; the name comes back masked', async () => {
        const masked = { accountNo: H.ConsNo, matched: true, holderNameMasked: maskName(H.ConsName) };
        expect(await call('marketing.verifyHolder', { accountNo: H.ConsNo, holderName: H.ConsName })).to.deep.equal(masked);
        expect(await call('marketing.verifyHolder', { accountNo: H.ConsNo, certNoTail: H.CertNo.slice(-4) })).to.deep.equal(masked);
        expect(await call('marketing.verifyHolder', { accountNo: H.ConsNo, holderName: H.ConsName, certNoTail: H.CertNo.slice(-6) })).to.deep.equal(masked);
        expect(await call('marketing.verifyHolder', { accountNo: X.ConsNo, certNoTail: X.CertNo.slice(-4).toLowerCase() })).to.deep.equal({
          accountNo: X.ConsNo,
          matched: true,
          holderNameMasked: maskName(X.ConsName),
        });
        expect(maskName(H.ConsName)).to.not.equal(H.ConsName);
      });

      it('answers matched false, and no name, when the name or the tail is not the holder\'s (one wrong piece is enough)', async () => {
        const no = { accountNo: H.ConsNo, matched: false, holderNameMasked: null };
        expect(await call('marketing.verifyHolder', { accountNo: H.ConsNo, holderName: X.ConsName })).to.deep.equal(no);
        expect(await call('marketing.verifyHolder', { accountNo: H.ConsNo, certNoTail: '0000' })).to.deep.equal(no);
        expect(await call('marketing.verifyHolder', { accountNo: H.ConsNo, holderName: H.ConsName, certNoTail: X.CertNo.slice(-4) })).to.deep.equal(no);
      });

      it('an unknown account is ACCOUNT_NOT_FOUND; the system being down is BACKEND_UNAVAILABLE', async () => {
        expect(await failure('marketing.verifyHolder', { accountNo: UNKNOWN_CONS_NO, holderName: H.ConsName })).to.include({ type: 'ACCOUNT_NOT_FOUND', retryable: false });
        expect(await failure('marketing.verifyHolder', { accountNo: SPECIAL_CONS_NO.FAULT, holderName: H.ConsName })).to.include({ type: 'BACKEND_UNAVAILABLE' });
      });

      it('refuses a request with neither a name nor a tail, or a malformed tail, before it leaves the bus', async () => {
        const before = sim.requestCount();
        for (const bad of [{}, { holderName: null, certNoTail: null }, { certNoTail: '12' }, { certNoTail: '1234567' }, { holderName: '' }]) {
          const err = await failure('marketing.verifyHolder', { accountNo: H.ConsNo, ...bad });
          expect(err?.type, JSON.stringify(bad)).to.equal('VALIDATION_FAILED');
        }
        expect(sim.requestCount()).to.equal(before);
      });
    });

    describe('marketing.listBills', () => {
      it('lists the bills of a month range newest first: amounts in fen, kWh exact text, paid part and status, issue day', async () => {
        const W = HOUSEHOLDS[1]; // 王芳: 202503 partly paid
        const res = await call<{ accountNo: string; items: unknown[] }>('marketing.listBills', { accountNo: W.ConsNo, fromMonth: '202412', toMonth: '202503' });
        const expected = billsOfAccount(W.ConsNo)!.filter((b) => b.billMonth >= '202412').reverse().map((b) => listed(b, owedOf(W.ConsNo, b.billMonth)));
        expect(res).to.deep.equal({ accountNo: W.ConsNo, items: expected });
        expect(res.items.map((i) => (i as { status: string }).status)).to.deep.equal(['PARTLY_PAID', 'PAID', 'PAID', 'PAID']);
        expect((res.items[0] as { kWh: string }).kWh).to.match(/^\d+\.\d{2}$/);
      });

      it('unpaid months of a household in arrears are UNPAID; a write-off through the bus makes its month PARTLY_PAID', async () => {
        const C = HOUSEHOLDS[4]; // 陈静: 202503 unpaid, 6789 fen
        const before = await call<{ items: Array<{ billMonth: string; status: string; paidFen: number }> }>('marketing.listBills', { accountNo: C.ConsNo, fromMonth: '202503', toMonth: '202503' });
        expect(before.items).to.have.length(1);
        expect(before.items[0]).to.include({ billMonth: '202503', status: 'UNPAID', paidFen: 0 });
        await call('marketing.writeOff', { serial: `plates-wo-${d.label.length}`, accountNo: C.ConsNo, amountFen: 1000, paidAt: '2026-12-04T02:15:00Z', channel: 'ALIPAY' });
        const after = await call<{ items: Array<{ status: string; paidFen: number }> }>('marketing.listBills', { accountNo: C.ConsNo, fromMonth: '202503', toMonth: '202503' });
        expect(after.items[0]).to.include({ status: 'PARTLY_PAID', paidFen: 1000 });
      });

      it('a range without bills is an empty list; an unknown account ACCOUNT_NOT_FOUND; a malformed month VALIDATION_FAILED before it leaves the bus', async () => {
        expect(await call('marketing.listBills', { accountNo: H.ConsNo, fromMonth: '202601', toMonth: '202612' })).to.deep.equal({ accountNo: H.ConsNo, items: [] });
        expect(await failure('marketing.listBills', { accountNo: UNKNOWN_CONS_NO, fromMonth: '202401', toMonth: '202503' })).to.include({ type: 'ACCOUNT_NOT_FOUND' });
        const before = sim.requestCount();
        for (const bad of [{ fromMonth: '2025-01' }, { toMonth: '202513' }, { fromMonth: undefined }]) {
          expect((await failure('marketing.listBills', { accountNo: H.ConsNo, fromMonth: '202501', toMonth: '202503', ...bad }))?.type, JSON.stringify(bad)).to.equal('VALIDATION_FAILED');
        }
        expect(sim.requestCount()).to.equal(before);
      });
    });

    describe('marketing.getBill', () => {
      it('answers one bill: kWh and charge by period (SHARP, PEAK, FLAT, VALLEY), charges by item adding up to the total, the meter readings', async () => {
        const b = billOfMonth(H.ConsNo, '202501')!;
        const res = await call<{ periods: Array<{ kWh: string; amountFen: number }>; charges: Array<{ amountFen: number }> }>('marketing.getBill', { accountNo: H.ConsNo, billMonth: '202501' });
        expect(res).to.deep.equal({
          accountNo: H.ConsNo,
          billMonth: '202501',
          totalFen: 12345,
          kWh: kwhText(b.kwhCenti),
          periods: b.tou.map((t) => ({ period: t.period, kWh: kwhText(t.kwhCenti), amountFen: t.fen })),
          charges: b.charges.map((c) => ({ item: c.item, amountFen: c.fen })),
          meterReadings: [{ meterNo: b.meter.meterNo, previous: kwhText(b.meter.previousCenti), current: kwhText(b.meter.currentCenti) }],
        });
        expect(res.periods.map((p) => (p as unknown as { period: string }).period)).to.deep.equal(['SHARP', 'PEAK', 'FLAT', 'VALLEY']);
        expect(res.charges.reduce((n, c) => n + c.amountFen, 0)).to.equal(12345);
        // the periods' kWh add up exactly to the bill's (as hundredths, never floats)
        const centi = (t: string) => Number(t.replace('.', ''));
        expect(res.periods.reduce((n, p) => n + centi(p.kWh), 0)).to.equal(b.kwhCenti);
      });

      it('every month of the dataset is answered; a month without a bill is BILL_NOT_FOUND (404, not retryable), an unknown account ACCOUNT_NOT_FOUND', async () => {
        for (const month of BILL_MONTHS) {
          const res = await call<{ totalFen: number }>('marketing.getBill', { accountNo: X.ConsNo, billMonth: month });
          expect(res.totalFen, month).to.equal(billOfMonth(X.ConsNo, month)!.amountFen);
        }
        const err = await failure('marketing.getBill', { accountNo: H.ConsNo, billMonth: '202601' });
        expect(err).to.include({ type: 'BILL_NOT_FOUND', retryable: false });
        expect(err?.message).to.match(/no bill for this month/);
        expect(await failure('marketing.getBill', { accountNo: UNKNOWN_CONS_NO, billMonth: '202501' })).to.include({ type: 'ACCOUNT_NOT_FOUND' });
      });
    });

    describe('marketing.getBalance', () => {
      it('the prepaid household has a low balance; a postpaid one answers its deposit, possibly 0; asOf is ISO 8601 with the offset', async () => {
        const prepaid = await call<{ asOf: string }>('marketing.getBalance', { accountNo: PREPAID_CONS_NO });
        expect(prepaid).to.deep.include({ accountNo: PREPAID_CONS_NO, prepaid: true, balanceFen: 1234 });
        expect(prepaid.asOf).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+08:00$/);
        expect(Math.abs(Date.parse(prepaid.asOf) - Date.now())).to.be.below(24 * 3600 * 1000);
        expect(await call('marketing.getBalance', { accountNo: HOUSEHOLDS[1].ConsNo })).to.deep.include({ prepaid: false, balanceFen: 5000 });
        expect(await call('marketing.getBalance', { accountNo: H.ConsNo })).to.deep.include({ accountNo: H.ConsNo, prepaid: false, balanceFen: 0 });
      });

      it('an unknown account is ACCOUNT_NOT_FOUND; the slow account still answers within the timeout', async () => {
        expect(await failure('marketing.getBalance', { accountNo: UNKNOWN_CONS_NO })).to.include({ type: 'ACCOUNT_NOT_FOUND' });
        expect(await call('marketing.getBalance', { accountNo: SPECIAL_CONS_NO.SLOW })).to.deep.include({ prepaid: false, balanceFen: 0 });
      });
    });

    describe('marketing.listPayments', () => {
      it("lists the system's history between two days newest first: fen, ISO times, canonical channels, a reversed payment REVERSED", async () => {
        const R = HOUSEHOLDS[3];
        const res = await call('marketing.listPayments', { accountNo: R.ConsNo, fromDate: '2025-01-01', toDate: '2025-03-31' });
        const expected = historyOfAccount(R.ConsNo)
          .filter((p) => p.paidAt >= '20250101' && p.paidAt < '20250401')
          .sort((a, b) => b.paidAt.localeCompare(a.paidAt))
          .map((p) => ({ serial: p.serial, amountFen: p.amountFen, paidAt: isoOf(p.paidAt), channel: p.channel, status: p.status }));
        expect(expected.map((p) => p.status)).to.include('REVERSED');
        expect(res).to.deep.equal({ accountNo: R.ConsNo, items: expected });
        expect(await call('marketing.listPayments', { accountNo: R.ConsNo, fromDate: '2025-01-21', toDate: '2025-01-21' })).to.deep.equal({ accountNo: R.ConsNo, items: [] });
      });

      it('a write-off made through the bus shows up, in ALIPAY, with its pay time; once reversed whole it reads REVERSED', async () => {
        const serial = `plates-pay-${d.label.length}`;
        await call('marketing.writeOff', { serial, accountNo: H.ConsNo, amountFen: 500, paidAt: '2026-12-04T02:15:00Z', channel: 'ALIPAY', tradeNo: '2026120422001000' });
        const range = { accountNo: H.ConsNo, fromDate: '2026-12-04', toDate: '2026-12-04' };
        expect(await call('marketing.listPayments', range)).to.deep.equal({
          accountNo: H.ConsNo,
          items: [{ serial, amountFen: 500, paidAt: '2026-12-04T10:15:00+08:00', channel: 'ALIPAY', status: 'POSTED' }],
        });
        await call('marketing.reverseWriteOff', { serial: `${serial}-r`, originalSerial: serial, accountNo: H.ConsNo, amountFen: 500 });
        const after = await call<{ items: Array<{ status: string }> }>('marketing.listPayments', range);
        expect(after.items.map((i) => i.status)).to.deep.equal(['REVERSED']);
      });

      it('an unknown account is ACCOUNT_NOT_FOUND; a day that is not yyyy-MM-dd VALIDATION_FAILED before it leaves the bus', async () => {
        expect(await failure('marketing.listPayments', { accountNo: UNKNOWN_CONS_NO, fromDate: '2025-01-01', toDate: '2025-03-31' })).to.include({ type: 'ACCOUNT_NOT_FOUND' });
        const before = sim.requestCount();
        for (const bad of [{ fromDate: '20250101' }, { toDate: '2025-13-01' }, { toDate: '2025-03-31T00:00:00Z' }]) {
          expect((await failure('marketing.listPayments', { accountNo: H.ConsNo, fromDate: '2025-01-01', toDate: '2025-03-31', ...bad }))?.type, JSON.stringify(bad)).to.equal('VALIDATION_FAILED');
        }
        expect(sim.requestCount()).to.equal(before);
      });
    });

    describe('marketing.createTicket and marketing.queryTicket', () => {
      const report = (serial: string, extra: Record<string, unknown> = {}) => ({
        serial,
        kind: 'ILLEGAL_USE',
        accountNo: H.ConsNo,
        content: '楼道电表箱有私拉电线',
        contactMobile: '13900001111',
        photoCount: 2,
        location: { lat: 30.2741, lng: 120.1551 },
        ...extra,
      });
      const advance = async (serial: string) => {
        const res = await fetch(`${new URL(sim.url).origin}/sim/tickets/advance?serial=${encodeURIComponent(serial)}`, { method: 'POST' });
        expect(res.status).to.equal(200);
      };

      it('creates a ticket with what the report says; the same serial again is ALREADY_DONE with the same ticket number, nothing opened twice', async () => {
        const first = await call<{ ticketNo: string; outcome: string }>('marketing.createTicket', report('tk-1'));
        expect(first.outcome).to.equal('CREATED');
        expect(first.ticketNo).to.match(d.ticketNo);
        expect(await call('marketing.createTicket', report('tk-1'))).to.deep.equal({ ticketNo: first.ticketNo, outcome: 'ALREADY_DONE' });
        expect(sim.tickets.find('tk-1')).to.deep.include({
          kind: 'ILLEGAL_USE', consNo: H.ConsNo, contactTel: '13900001111', photoCount: 2, location: { lat: 30.2741, lng: 120.1551 }, received: 2, status: 'ACCEPTED',
        });
        expect(sim.tickets.all().filter((t) => t.serial === 'tk-1')).to.have.length(1);
      });

      it('a feedback without account, mobile or location is a ticket too; each kind reaches the system as itself', async () => {
        for (const kind of ['FEEDBACK', 'COMPLAINT']) {
          const res = await call<{ outcome: string }>('marketing.createTicket', { serial: `tk-${kind}`, kind, content: '建议增加夜间服务', photoCount: 0 });
          expect(res.outcome).to.equal('CREATED');
          expect(sim.tickets.find(`tk-${kind}`)).to.deep.include({ kind, consNo: null, contactTel: null, location: null, photoCount: 0 });
        }
      });

      it('queryTicket follows the status the system moves: ACCEPTED, IN_PROGRESS, CLOSED with the reply; updatedAt ISO 8601', async () => {
        const { ticketNo } = await call<{ ticketNo: string }>('marketing.createTicket', report('tk-follow'));
        const q = () => call<{ updatedAt: string }>('marketing.queryTicket', { serial: 'tk-follow' });
        const accepted = await q();
        expect(accepted).to.deep.include({ found: true, ticketNo, status: 'ACCEPTED', reply: null });
        expect(accepted.updatedAt).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+08:00$/);
        await advance('tk-follow');
        expect(await q()).to.deep.include({ found: true, ticketNo, status: 'IN_PROGRESS', reply: null });
        await advance('tk-follow');
        expect(await q()).to.deep.include({ found: true, ticketNo, status: 'CLOSED', reply: CLOSING_REPLY });
      });

      it('queryTicket of a serial without a ticket is found false, the rest null (what the outbox settles a timeout by)', async () => {
        expect(await call('marketing.queryTicket', { serial: 'tk-never' })).to.deep.equal({ found: false, ticketNo: null, status: null, reply: null, updatedAt: null });
      });

      it('an unknown account is ACCOUNT_NOT_FOUND (no ticket); a report that breaks the contract is VALIDATION_FAILED before it leaves the bus', async () => {
        expect(await failure('marketing.createTicket', report('tk-stranger', { accountNo: UNKNOWN_CONS_NO }))).to.include({ type: 'ACCOUNT_NOT_FOUND', retryable: false });
        expect(sim.tickets.find('tk-stranger')).to.equal(undefined);
        const before = sim.requestCount();
        for (const bad of [{ kind: 'THEFT' }, { photoCount: 10 }, { photoCount: 1.5 }, { content: '' }, { content: 'x'.repeat(501) }, { location: { lat: 91, lng: 120 } }, { location: { lat: 30 } }, { contactMobile: '12345' }, { serial: '' }]) {
          const err = await failure('marketing.createTicket', report('tk-bad', bad));
          expect(err?.type, JSON.stringify(bad)).to.equal('VALIDATION_FAILED');
        }
        expect(sim.requestCount()).to.equal(before);
      });
    });

    describe('marketing.subscribeEBill and marketing.getEBillSubscription', () => {
      const W = HOUSEHOLDS[1]; // subscribed since 2024-06-01 09:30 in the dataset
      const sub = (serial: string, accountNo: string, subscribe: boolean, email?: string) =>
        call('marketing.subscribeEBill', { serial, accountNo, subscribe, ...(email ? { email } : {}) });
      const state = (accountNo: string) => call('marketing.getEBillSubscription', { accountNo });

      it('reads who is subscribed since when (ISO 8601), and since null for who is not', async () => {
        expect(EBILL_SUBSCRIBED[W.ConsNo]).to.equal('20240601093000');
        expect(await state(W.ConsNo)).to.deep.equal({ accountNo: W.ConsNo, subscribed: true, since: '2024-06-01T09:30:00+08:00' });
        expect(await state(X.ConsNo)).to.deep.equal({ accountNo: X.ConsNo, subscribed: false, since: null });
      });

      it('subscribes once per serial: APPLIED, then ALREADY_DONE changing nothing; ending it is a new serial; the state follows', async () => {
        expect(await sub('eb-1', X.ConsNo, true, 'li.na@example.com')).to.deep.equal({ outcome: 'APPLIED', subscribed: true });
        const subscribed = await call<{ subscribed: boolean; since: string }>('marketing.getEBillSubscription', { accountNo: X.ConsNo });
        expect(subscribed.subscribed).to.equal(true);
        expect(subscribed.since).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+08:00$/);
        expect(sim.ebills.state(X.ConsNo)).to.include({ subscribed: true, email: 'li.na@example.com' });

        expect(await sub('eb-2', X.ConsNo, false)).to.deep.equal({ outcome: 'APPLIED', subscribed: false });
        // a late repeat of the first request must not subscribe again
        expect(await sub('eb-1', X.ConsNo, true)).to.deep.equal({ outcome: 'ALREADY_DONE', subscribed: false });
        expect(sim.ebills.received('eb-1')).to.equal(2);
        expect(await state(X.ConsNo)).to.deep.equal({ accountNo: X.ConsNo, subscribed: false, since: null });
      });

      it('subscribing again keeps the first date; an unknown account is ACCOUNT_NOT_FOUND; a bad request VALIDATION_FAILED before it leaves the bus', async () => {
        expect(await sub('eb-again', W.ConsNo, true)).to.deep.equal({ outcome: 'APPLIED', subscribed: true });
        expect(await state(W.ConsNo)).to.deep.include({ since: '2024-06-01T09:30:00+08:00' });
        expect(await failure('marketing.subscribeEBill', { serial: 'eb-x', accountNo: UNKNOWN_CONS_NO, subscribe: true })).to.include({ type: 'ACCOUNT_NOT_FOUND', retryable: false });
        expect(await failure('marketing.getEBillSubscription', { accountNo: UNKNOWN_CONS_NO })).to.include({ type: 'ACCOUNT_NOT_FOUND' });
        const before = sim.requestCount();
        for (const bad of [{ subscribe: 'Y' }, { subscribe: undefined }, { email: 'not-an-email' }, { serial: '' }]) {
          const err = await failure('marketing.subscribeEBill', { serial: 'eb-bad', accountNo: H.ConsNo, subscribe: true, ...bad });
          expect(err?.type, JSON.stringify(bad)).to.equal('VALIDATION_FAILED');
        }
        expect(sim.requestCount()).to.equal(before);
      });
    });
  });
}

/** A createTicket outbox row as the power service writes it: the contact mobile sealed with TEST_PII_ENV's key. */
async function insertTicketRow(dbUrl: string, serial: string, ticket: Record<string, unknown>): Promise<string> {
  const payload = sealPayload(new PiiCipher(TEST_PII_ENV.PII_ENC_KEY), ticket, ['contactMobile']);
  const c = new Client({ connectionString: dbUrl });
  await c.connect();
  try {
    const res = await c.query(
      `INSERT INTO outbox (operation, partition_key, serial, payload, status) VALUES ('marketing.createTicket', $1, $2, $3, 'pending') RETURNING id`,
      [String(ticket.accountNo ?? serial), serial, JSON.stringify(payload)],
    );
    return String(res.rows[0].id);
  } finally {
    await c.end();
  }
}

for (const d of DIALECTS) {
  describe(`e2e - a ticket through the outbox, ${d.label} (real PostgreSQL)`, function () {
    this.timeout(60000);
    let db: { url: string; drop(): Promise<void> };
    let sim: MarketingSimulator;
    let bus: RunningBus;
    let dir: string;

    before(async () => {
      db = await createFreshDatabase();
      // the ticket is opened at once and answered after 1 s; the copied createTicket gives up after 300 ms
      sim = await d.start({ ticketDelayMs: 1000 });
      dir = mappingsWithTimeout(d.mappingsDir, 'marketing.createTicket', 300);
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
          NODE_ID: `plates-outbox-${process.pid}-${d.label.length}`,
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

    it('a ticket answered after the timeout is settled by marketing.queryTicket: delivered, opened once, never resent; the sealed mobile reaches the system', async () => {
      const serial = 'outbox-ticket-1';
      const id = await insertTicketRow(db.url, serial, {
        kind: 'ILLEGAL_USE', accountNo: HOUSEHOLDS[0].ConsNo, content: '电表箱被撬', contactMobile: '13900002222', photoCount: 1, location: { lat: 30.25, lng: 120.16 },
      });
      const rowOf = async () => (await query<OutboxRow>(db.url, 'SELECT * FROM outbox WHERE id = $1', [id]))[0];
      const row = await eventually(rowOf, (r) => ['delivered', 'unknown', 'dead'].includes(r.status));
      expect(row.status).to.equal('delivered');
      expect(row.attempts).to.equal(1);
      // the call timed out (its outcome was held unknown) and the settle query, not a resend, delivered it
      expect((row as OutboxRow & { in_doubt: boolean }).in_doubt).to.equal(true);
      // past the late answer: still one request, one ticket
      await new Promise((r) => setTimeout(r, 1500));
      expect(sim.tickets.find(serial)).to.deep.include({ received: 1, contactTel: '13900002222', kind: 'ILLEGAL_USE', photoCount: 1 });
      expect(sim.tickets.all()).to.have.length(1);
      expect((await rowOf()).status).to.equal('delivered');
    });
  });
}
