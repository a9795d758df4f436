import { ServiceSchema } from 'moleculer';
import { overallStatus } from '../../core/health';
import { ServiceDeps } from '../service-deps';

/**
 * Runs on every node: reports that node's own dependencies. The gateway
 * asks each node in turn (by nodeID) to build the cluster-wide readiness.
 */
export function createHealthService(deps: ServiceDeps): ServiceSchema {
  return {
    name: 'health',
    actions: {
      local: {
        visibility: 'public',
        async handler() {
          const dependencies = await deps.health.report();
          return {
            nodeId: deps.config.nodeId,
            status: overallStatus(Object.values(dependencies).map((d) => d.status)),
            dependencies,
          };
        },
      },
    },
  };
}
