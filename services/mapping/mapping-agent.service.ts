import { Context, ServiceSchema } from 'moleculer';
import { MappingFiles, MappingRegistry } from '../../core/mapping';

/**
 * Runs on every node that executes canonical operations: keeps the node's
 * mapping registry on the published release. On start it asks for the active
 * release (the mapping service may start later: it broadcasts when it does).
 */
export function createMappingAgentService(registry: MappingRegistry, nodeId: string): ServiceSchema {
  function apply(this: { logger: { info: (m: string) => void; error: (m: string) => void } }, version: number, files: MappingFiles) {
    try {
      const { switched } = registry.activate(version, files);
      if (switched) this.logger.info(`node ${nodeId} switched to mapping release ${version}`);
    } catch (err) {
      this.logger.error(`node ${nodeId} refused mapping release ${version}: ${(err as Error).message}`);
    }
  }
  return {
    name: `mapping-agent-${nodeId}`.replace(/[^A-Za-z0-9_-]/g, '-'),
    events: {
      'mappings.published'(this: never, ctx: Context<{ version: number; files: MappingFiles }>) {
        apply.call(this, ctx.params.version, ctx.params.files);
      },
    },
    async started() {
      // In the background: a node must not wait for the mapping service to come up.
      void this.broker
        .waitForServices(['mappings'], 30000)
        .then(() => this.broker.call('mappings.active') as Promise<{ version: number; files: MappingFiles }>)
        .then((r: { version: number; files: MappingFiles }) => apply.call(this as never, r.version, r.files))
        .catch((err: Error) => this.logger.warn(`no mapping release fetched yet (${err.message}); running on ${registry.current().version === 'local' ? 'the mappings directory' : `release ${registry.current().version}`}`));
    },
  };
}
