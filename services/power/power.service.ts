import { isEmbeddedDefault } from '../../config';
import { seedDemoCatalogue } from '../../core/power/demo-catalogue';
import { ServiceSchema } from 'moleculer';
import { PiiCipher } from '../../core/crypto';
import { resolvePiiKeys } from '../binding/pii-keys';
import { requireDep, ServiceDeps } from '../service-deps';
import { pointsActions, pointsEvents } from './points.actions';
import { powerContext } from './power-context';
import { realNameActions } from './real-name.actions';
import { reportActions } from './report.actions';
import { sweepOrphanUploads } from './upload-sweep';

/**
 * Power services (issue 12; docs/power-services.md): real-name status as
 * Alipay last answered it, illegal-use reports and feedback with photos
 * (sniffed, EXIF location read, metadata stripped, stored outside any served
 * folder) that become marketing-system tickets through the outbox with their
 * status followed back, and the points ledger (earn once per event, redeem
 * against a catalogue, never below zero).
 */
export function createPowerService(deps: ServiceDeps): ServiceSchema {
  const ds = requireDep(deps.dataSource, 'the database', 'power');
  // a node running power without binding or outbox gets no keys from the composition root: the same resolution, here
  const keys = deps.pii ?? resolvePiiKeys(deps.config);
  const p = powerContext(ds, new PiiCipher(keys.encKey), deps.config);
  return {
    name: 'power',
    actions: { ...realNameActions(p), ...reportActions(p), ...pointsActions(p) },
    events: pointsEvents(p),
    async started(this: { logger: { info(m: string): void; warn(m: string): void } }) {
      if (isEmbeddedDefault(deps.config) && (await seedDemoCatalogue(ds))) this.logger.info('demo: a starter points catalogue (bill credit, LED bulb, timer socket); embedded default only, done once');
      // photos a crash left without their report (written, never committed)
      try {
        const removed = await sweepOrphanUploads(ds, p.uploads);
        if (removed) this.logger.info(`removed ${removed} photo file(s) under ${p.uploads.root} that no report kept (left by a crash)`);
      } catch (err) {
        this.logger.warn(`could not look for photos left by a crash under ${p.uploads.root}: ${(err as Error).message}`);
      }
    },
  };
}
