import { ServiceSchema } from 'moleculer';
import { createOperationService } from '../integration/operation-service';
import { ServiceDeps } from '../service-deps';

/** The marketing/billing system's canonical operations (SOAP today, per mappings). */
export function createMarketingService(deps: ServiceDeps): ServiceSchema {
  return createOperationService('marketing', deps);
}
