/**
 * The plates' canonical marketing operations through a real bus broker
 * against both simulator dialects: A (flat, fen, 0000/1001/1003/2001) with
 * `mappings/`, and YX (nested, yuan text, TouType/SettleFlag/ChannelCode
 * codes, E2001/E3001/E0002/E0003) with `examples/mappings/marketing-b/`.
 * Same canonical requests, same canonical answers, computed from the shared
 * dataset (simulators/marketing/plate-dataset.ts).
 */
import { expect } from 'chai';
import * as path from 'path';
import { RunningBus, startBus } from '../../../bin/bootstrap';
import { loadConfig } from '../../../config';
import { maskName } from '../../../core/crypto';
import { HOUSEHOLDS, SPECIAL_CONS_NO, UNKNOWN_CONS_NO } from '../../../simulators/marketing/dataset';
import { MarketingSimulator, MarketingSimulatorOptions, startMarketingSimulator } from '../../../simulators/marketing/server';
import { startMarketingBSimulator } from '../../../simulators/marketing-b/server';

const ROOT = path.resolve(__dirname, '../../..');

interface Dialect {
  label: string;
  start(o: MarketingSimulatorOptions): Promise<MarketingSimulator>;
  mappingsDir: string;
}

const DIALECTS: Dialect[] = [
  { label: 'dialect A (mappings/)', start: startMarketingSimulator, mappingsDir: path.join(ROOT, 'mappings') },
  { label: 'dialect YX (examples/mappings/marketing-b/)', start: startMarketingBSimulator, mappingsDir: path.join(ROOT, 'examples/mappings/marketing-b') },
];

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
  });
}
