import { ServiceSchema } from 'moleculer';
import { ServiceDeps } from '../service-deps';

/** Power services: real-name status, illegal-use reports and feedback with photos (marketing tickets), points ledger (issue 12). */
export function createPowerService(_deps: ServiceDeps): ServiceSchema {
  return { name: 'power', actions: {} };
}
