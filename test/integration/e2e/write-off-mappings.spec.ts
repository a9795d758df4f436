/**
 * marketing.writeOff, marketing.queryPayment and marketing.reverseWriteOff
 * through a real bus broker against both simulator dialects: A (flat, fen,
 * yyyyMMddHHmmss, 0000/2001/3001/3002) with `mappings/`, and YX (nested, yuan
 * text, "yyyy-MM-dd HH:mm:ss", channel codes, E-codes, "not found" as E0003)
 * with `examples/mappings/marketing-b/`. Same canonical requests, same
 * canonical answers; the simulators' ledgers prove what was applied.
 */
import { expect } from 'chai';
import * as fs from 'fs';
import * as path from 'path';
import { RunningBus, startBus } from '../../../bin/bootstrap';
import { loadConfig } from '../../../config';
import { CLOSED_CONS_NO, HOUSEHOLDS, SPECIAL_CONS_NO, UNKNOWN_CONS_NO, totalFen } from '../../../simulators/marketing/dataset';
import { MarketingSimulator, MarketingSimulatorOptions, startMarketingSimulator } from '../../../simulators/marketing/server';
import { startMarketingBSimulator } from '../../../simulators/marketing-b/server';
import { mappingsWithTimeout } from '../../helpers/mapping-copy';

const ROOT = path.resolve(__dirname, '../../..');
/** The write-off timeout of the copied set, and a simulator delay well beyond it. */
const WRITE_OFF_TIMEOUT_MS = 800;
const SLOW_ANSWER_MS = 1800;

interface Dialect {
  label: string;
  start(o: MarketingSimulatorOptions): Promise<MarketingSimulator>;
  mappingsDir: string;
  /** 2026-12-04T02:15:00Z as the system received it. */
  paidAtReceived: string;
  writeOffNo: RegExp;
  /** What a repeated serial answers as writeOffNo: A names the original, YX answers without a body. */
  duplicateKeepsWriteOffNo: boolean;
}

const DIALECTS: Dialect[] = [
  {
    label: 'dialect A (mappings/)',
    start: startMarketingSimulator,
    mappingsDir: path.join(ROOT, 'mappings'),
    paidAtReceived: '20261204101500',
    writeOffNo: /^WO\d{8}$/,
    duplicateKeepsWriteOffNo: true,
  },
  {
    label: 'dialect YX (examples/mappings/marketing-b/)',
    start: startMarketingBSimulator,
    mappingsDir: path.join(ROOT, 'examples/mappings/marketing-b'),
    paidAtReceived: '2026-12-04 10:15:00',
    writeOffNo: /^YXSF\d{8}$/,
    duplicateKeepsWriteOffNo: false,
  },
];

/** A copy of a mapping set whose marketing.writeOff times out after `ms` (the rest as shipped). */
const withWriteOffTimeout = (dir: string, ms: number) => mappingsWithTimeout(dir, 'marketing.writeOff', ms);

interface CallError {
  type?: string;
  retryable?: boolean;
}

for (const d of DIALECTS) {
  describe(`e2e - write-off mappings, ${d.label}`, function () {
    this.timeout(30000);
    let sim: MarketingSimulator;
    let bus: RunningBus;
    let dir: string;
    const call = <T = Record<string, unknown>>(action: string, params: Record<string, unknown>) => bus.broker.call(action, params) as Promise<T>;
    const failure = (action: string, params: Record<string, unknown>) => call(action, params).then(() => null, (e: CallError) => e);
    const writeOff = (serial: string, accountNo: string, amountFen: number, extra: Record<string, unknown> = {}) =>
      call('marketing.writeOff', { serial, accountNo, amountFen, paidAt: '2026-12-04T02:15:00Z', channel: 'ALIPAY', tradeNo: `2026120422001${serial}`, ...extra });
    const reverse = (serial: string, originalSerial: string, accountNo: string, amountFen: number) =>
      call('marketing.reverseWriteOff', { serial, originalSerial, accountNo, amountFen, reason: 'refund by operator' });
    const owed = async (accountNo: string) => (await call<{ totalFen: number }>('marketing.queryArrears', { accountNo })).totalFen;

    before(async () => {
      sim = await d.start({});
      dir = withWriteOffTimeout(d.mappingsDir, WRITE_OFF_TIMEOUT_MS);
      bus = await startBus(
        loadConfig({ SERVICES: 'marketing', HTTP_PORT: '0', SIMULATORS: 'off', MARKETING_WSDL_URL: sim.wsdlUrl, MAPPINGS_DIR: dir, LOG_LEVEL: 'error', NODE_ID: `wo-${process.pid}-${d.label.length}` }),
      );
    });
    after(async () => {
      await bus?.stop();
      await sim?.close();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    const H = HOUSEHOLDS[0]; // owes 32955 fen
    const R = HOUSEHOLDS[3]; // owes 31913 fen

    it('writes off a payment: APPLIED with the system number, arrears fall by the amount, the pay time in the system format', async () => {
      const res = await writeOff('wo-1', H.ConsNo, 10000);
      expect(res.outcome).to.equal('APPLIED');
      expect(res.writeOffNo).to.match(d.writeOffNo);
      expect(await owed(H.ConsNo)).to.equal(totalFen(H) - 10000);
      expect(sim.payments.writeOff('wo-1')).to.include({ accountNo: H.ConsNo, amountFen: 10000, received: 1, applied: 1, paidAt: d.paidAtReceived });
    });

    it('answers ALREADY_DONE to the same serial twice: received 2, applied 1, arrears fall once', async () => {
      const first = sim.payments.writeOff('wo-1')!;
      const res = await writeOff('wo-1', H.ConsNo, 10000);
      expect(res).to.deep.equal({ outcome: 'ALREADY_DONE', writeOffNo: d.duplicateKeepsWriteOffNo ? first.writeOffNo : null });
      expect(sim.payments.writeOff('wo-1')).to.include({ received: 2, applied: 1, writeOffNo: first.writeOffNo });
      expect(await owed(H.ConsNo)).to.equal(totalFen(H) - 10000);
    });

    it('refuses more than the account owes with PAYMENT_AMOUNT_MISMATCH, not retryable, nothing applied', async () => {
      const err = await failure('marketing.writeOff', { serial: 'wo-big', accountNo: H.ConsNo, amountFen: totalFen(H) - 10000 + 1, paidAt: '2026-12-04T10:15:00+08:00', channel: 'ALIPAY' });
      expect(err).to.include({ type: 'PAYMENT_AMOUNT_MISMATCH', retryable: false });
      expect(sim.payments.writeOff('wo-big')).to.include({ received: 1, applied: 0 });
    });

    it('refuses the closed account with ACCOUNT_CLOSED and an unknown one with ACCOUNT_NOT_FOUND, neither retryable', async () => {
      expect(await writeOff('wo-closed', CLOSED_CONS_NO, 100).then(() => null, (e: CallError) => e)).to.include({ type: 'ACCOUNT_CLOSED', retryable: false });
      expect(await writeOff('wo-unknown', UNKNOWN_CONS_NO, 100).then(() => null, (e: CallError) => e)).to.include({ type: 'ACCOUNT_NOT_FOUND', retryable: false });
      expect(sim.payments.find('wo-closed')).to.equal(undefined);
    });

    it('turns the system being down (a Server fault) into BACKEND_UNAVAILABLE, retryable', async () => {
      expect(await writeOff('wo-down', SPECIAL_CONS_NO.FAULT, 100).then(() => null, (e: CallError) => e)).to.include({ type: 'BACKEND_UNAVAILABLE', retryable: true });
    });

    it('a write-off answered after the timeout is BACKEND_TIMEOUT, yet applied: queryPayment finds it posted', async () => {
      sim.setWriteOffDelayMs(SLOW_ANSWER_MS);
      try {
        const started = Date.now();
        const err = await writeOff('wo-lost', H.ConsNo, 500).then(() => null, (e: CallError) => e);
        expect(err?.type).to.equal('BACKEND_TIMEOUT');
        expect(Date.now() - started).to.be.below(SLOW_ANSWER_MS);
      } finally {
        sim.setWriteOffDelayMs(0);
      }
      expect(sim.payments.writeOff('wo-lost')).to.include({ received: 1, applied: 1 });
      expect(await call('marketing.queryPayment', { serial: 'wo-lost' })).to.deep.equal({ found: true, kind: 'WRITE_OFF', status: 'POSTED', amountFen: 500 });
      // the settle query, not a resend, decided it: still one request received
      expect(sim.payments.writeOff('wo-lost')!.received).to.equal(1);
    });

    it('reverses a write-off in parts: APPLIED, ALREADY_DONE on a repeat, arrears restored; the write-off ends REVERSED', async () => {
      await writeOff('rv-orig', R.ConsNo, 30000);
      expect(await owed(R.ConsNo)).to.equal(totalFen(R) - 30000);

      expect(await reverse('rv-1', 'rv-orig', R.ConsNo, 12000)).to.deep.equal({ outcome: 'APPLIED' });
      expect(await reverse('rv-1', 'rv-orig', R.ConsNo, 12000)).to.deep.equal({ outcome: 'ALREADY_DONE' });
      expect(await owed(R.ConsNo)).to.equal(totalFen(R) - 18000);
      expect(await call('marketing.queryPayment', { serial: 'rv-orig' })).to.deep.equal({ found: true, kind: 'WRITE_OFF', status: 'POSTED', amountFen: 30000 });

      expect(await reverse('rv-2', 'rv-orig', R.ConsNo, 18000)).to.deep.equal({ outcome: 'APPLIED' });
      expect(await owed(R.ConsNo)).to.equal(totalFen(R));
      expect(await call('marketing.queryPayment', { serial: 'rv-orig' })).to.deep.equal({ found: true, kind: 'WRITE_OFF', status: 'REVERSED', amountFen: 30000 });
      expect(await call('marketing.queryPayment', { serial: 'rv-1' })).to.deep.equal({ found: true, kind: 'REVERSAL', status: 'POSTED', amountFen: 12000 });
      expect(sim.payments.writeOff('rv-orig')).to.include({ applied: 1, reversedFen: 30000 });
      expect(sim.reversals().find((r) => r.serial === 'rv-1')).to.include({ received: 2, applied: 1 });
    });

    it('refuses a reversal of more than is left, of an unknown original, or on another account, none retryable', async () => {
      await writeOff('rv-small', R.ConsNo, 1000);
      const refused = (serial: string, originalSerial: string, accountNo: string, amountFen: number) =>
        reverse(serial, originalSerial, accountNo, amountFen).then(() => null, (e: CallError) => e);
      expect(await refused('rv-x1', 'rv-small', R.ConsNo, 1001)).to.include({ type: 'PAYMENT_AMOUNT_MISMATCH', retryable: false });
      expect(await refused('rv-x2', 'no-such-serial', R.ConsNo, 100)).to.include({ type: 'ORIGINAL_PAYMENT_NOT_FOUND', retryable: false });
      expect(await refused('rv-x3', 'rv-small', H.ConsNo, 100)).to.include({ type: 'REVERSAL_NOT_ALLOWED', retryable: false });
      expect(sim.payments.writeOff('rv-small')).to.include({ reversedFen: 0 });
    });

    it('queryPayment on a serial never applied answers found false, the rest null', async () => {
      expect(await call('marketing.queryPayment', { serial: 'never-sent' })).to.deep.equal({ found: false, kind: null, status: null, amountFen: null });
      expect(await call('marketing.queryPayment', { serial: 'wo-big' })).to.deep.equal({ found: false, kind: null, status: null, amountFen: null });
    });

    it('refuses a canonical request that breaks the contract before it leaves the bus', async () => {
      const before = sim.requestCount();
      const base = { serial: 'wo-bad', accountNo: H.ConsNo, amountFen: 100, paidAt: '2026-12-04T10:15:00+08:00', channel: 'ALIPAY' };
      for (const bad of [{ amountFen: 1.5 }, { amountFen: 0 }, { paidAt: '2026-12-04 10:15:00' }, { accountNo: '123' }, { serial: '' }]) {
        const err = await failure('marketing.writeOff', { ...base, ...bad });
        expect(err?.type, JSON.stringify(bad)).to.equal('VALIDATION_FAILED');
      }
      expect(sim.requestCount()).to.equal(before);
    });
  });
}
