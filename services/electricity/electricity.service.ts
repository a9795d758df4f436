import { ServiceSchema } from 'moleculer';
import { ServiceDeps } from '../service-deps';

/** My electricity: bills, e-bill detail, usage series, balance, payment records, e-bill subscription (issue 12). */
export function createElectricityService(_deps: ServiceDeps): ServiceSchema {
  return { name: 'electricity', actions: {} };
}
