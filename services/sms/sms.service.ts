import { ServiceSchema } from 'moleculer';
import { createOperationService } from '../integration/operation-service';
import { ServiceDeps } from '../service-deps';

/** The SMS platform's canonical operations (HTTP/JSON today, per mappings). */
export function createSmsService(deps: ServiceDeps): ServiceSchema {
  return createOperationService('sms', deps);
}
