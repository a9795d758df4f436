import { ServiceSchema } from 'moleculer';
import { createOperationService } from '../integration/operation-service';
import { ServiceDeps } from '../service-deps';

/** The group's unified user system's canonical operations (HTTP/JSON today, per mappings/operations/usercenter.*.yaml). */
export function createUsercenterService(deps: ServiceDeps): ServiceSchema {
  return createOperationService('usercenter', deps);
}
