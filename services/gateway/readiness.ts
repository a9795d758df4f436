import { ServiceBroker } from 'moleculer';
import { DependencyHealth, overallStatus } from '../../core/health';

interface NodeReport {
  nodeId: string;
  status: 'up' | 'degraded' | 'down';
  dependencies: Record<string, DependencyHealth>;
}

/**
 * Readiness of the whole bus as this gateway sees it: every available node's
 * own health report, plus a `down` entry for any node that does not answer.
 */
export async function clusterReadiness(broker: ServiceBroker, timeoutMs = 3000): Promise<{ status: 'up' | 'degraded' | 'down'; nodes: NodeReport[] }> {
  const nodes = (await broker.call('$node.list', { onlyAvailable: true })) as Array<{ id: string }>;
  const reports = await Promise.all(
    nodes.map(async (node): Promise<NodeReport> => {
      try {
        return (await broker.call('health.local', {}, { nodeID: node.id, timeout: timeoutMs })) as NodeReport;
      } catch (err) {
        return { nodeId: node.id, status: 'down', dependencies: { node: { status: 'down', detail: (err as Error).message } } };
      }
    }),
  );
  reports.sort((a, b) => a.nodeId.localeCompare(b.nodeId));
  return { status: overallStatus(reports.map((r) => r.status)), nodes: reports };
}
