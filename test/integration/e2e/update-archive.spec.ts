/**
 * marketing.updateArchive through both mapping sets against both simulator
 * dialects: a new serial is applied once, a repeat is "already done" (an
 * answer, never a failure), an unknown account is ACCOUNT_NOT_FOUND, and the
 * exchange log never holds the personal data in clear.
 */
import { expect } from 'chai';
import * as path from 'path';
import { RunningBus, startBus } from '../../../bin/bootstrap';
import { loadConfig } from '../../../config';
import { HOUSEHOLDS, UNKNOWN_CONS_NO } from '../../../simulators/marketing/dataset';
import { MarketingSimulator, MarketingSimulatorOptions, startMarketingSimulator } from '../../../simulators/marketing/server';
import { startMarketingBSimulator } from '../../../simulators/marketing-b/server';

const ROOT = path.resolve(__dirname, '../../..');

const DIALECTS: Array<{ label: string; start(o: MarketingSimulatorOptions): Promise<MarketingSimulator>; mappingsDir: string }> = [
  { label: 'dialect A (mappings/)', start: startMarketingSimulator, mappingsDir: path.join(ROOT, 'mappings') },
  { label: 'dialect YX (examples/mappings/marketing-b/)', start: startMarketingBSimulator, mappingsDir: path.join(ROOT, 'examples/mappings/marketing-b') },
];

for (const d of DIALECTS) {
  describe(`marketing.updateArchive, ${d.label}`, function () {
    this.timeout(30000);
    let sim: MarketingSimulator;
    let bus: RunningBus;
    const h = HOUSEHOLDS[0];
    const update = (serial: string, accountNo = h.ConsNo, mobile: string | null = h.Mobile) =>
      bus.broker.call('marketing.updateArchive', { serial, accountNo, certNo: h.CertNo, mobile, name: h.ConsName });

    before(async () => {
      sim = await d.start({});
      bus = await startBus(
        loadConfig({ SERVICES: 'marketing', HTTP_PORT: '0', SIMULATORS: 'off', MARKETING_WSDL_URL: sim.wsdlUrl, MAPPINGS_DIR: d.mappingsDir, LOG_LEVEL: 'error', NODE_ID: `ua-${process.pid}-${d.label.length}` }),
      );
    });
    after(async () => {
      await bus?.stop();
      await sim?.close();
    });

    it('applies a new serial once and answers APPLIED', async () => {
      expect(await update('ua-1')).to.deep.equal({ outcome: 'APPLIED' });
      expect(sim.archive.get('ua-1')).to.deep.include({ accountNo: h.ConsNo, received: 1, applied: 1 });
    });

    it('answers ALREADY_DONE to a repeated serial, applied still once', async () => {
      expect(await update('ua-1')).to.deep.equal({ outcome: 'ALREADY_DONE' });
      expect(sim.archive.get('ua-1')).to.deep.include({ received: 2, applied: 1 });
    });

    it('sends an update without a mobile', async () => {
      expect(await update('ua-2', h.ConsNo, null)).to.deep.equal({ outcome: 'APPLIED' });
    });

    it('refuses an account the system does not know with ACCOUNT_NOT_FOUND, recording nothing', async () => {
      const err = await update('ua-3', UNKNOWN_CONS_NO).then(() => null, (e: { type?: string }) => e);
      expect(err?.type).to.equal('ACCOUNT_NOT_FOUND');
      expect(sim.archive.get('ua-3')).to.equal(undefined);
    });

    it('refuses a request without a serial before it leaves the bus', async () => {
      const before = sim.requestCount();
      const err = await bus.broker.call('marketing.updateArchive', { accountNo: h.ConsNo, certNo: h.CertNo, name: h.ConsName }).then(() => null, (e: { type?: string }) => e);
      expect(err?.type).to.be.a('string');
      expect(sim.requestCount()).to.equal(before);
    });
  });
}
