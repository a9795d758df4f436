import { Context, ServiceSchema } from 'moleculer';
import { toErrorView } from '../../core/errors';
import { CompiledBundle, MappingFiles, MappingProblem, MappingRegistry } from '../../core/mapping';
import { checkSoapOperations, EndpointProblem } from './endpoint-check';

/** A node's answer to a release: activated (or already on it), or refused with the reason. */
export interface NodeActivation {
  nodeId: string;
  ok: boolean;
  /** the release the node runs after answering */
  activeVersion: number | 'local' | null;
  /** false when the node was already on this release (or a newer one) */
  switched?: boolean;
  error?: { code: string; message: string };
}

/** A node's check of a draft before it is published: does it compile here, and do its endpoints know its operations. */
export interface NodeCheck {
  nodeId: string;
  problems: EndpointProblem[];
}

/** Every mapping agent's service name starts with this (one agent per node). */
export const MAPPING_AGENT_PREFIX = 'mapping-agent-';

export const mappingAgentName = (nodeId: string) => `${MAPPING_AGENT_PREFIX}${nodeId}`.replace(/[^A-Za-z0-9_-]/g, '-');

type Logger = { info: (m: string) => void; error: (m: string) => void };

/**
 * Runs on every node that executes canonical operations or reads channels: keeps the node's
 * mapping registry on the published release. The mapping service calls `activate` on every
 * agent at publish and reports each node's answer; the `mappings.published` event is kept for
 * the nodes a call did not reach. On start it asks for the active release (the mapping
 * service may start later: it broadcasts when it does).
 */
export function createMappingAgentService(
  registry: MappingRegistry,
  nodeId: string,
  /** This node's channels' view of a draft (variables, layouts, options), when it runs channels. */
  checkChannels?: (bundle: CompiledBundle) => MappingProblem[],
): ServiceSchema {
  /** Would the draft resolve here: operations with this node's variables, channels with its variables and adapters. No network. */
  function resolveHere(files: MappingFiles): MappingProblem[] {
    let bundle: CompiledBundle;
    try {
      bundle = registry.compileDraft(files);
    } catch (err) {
      const problems = (err as { data?: { problems?: MappingProblem[] } }).data?.problems;
      return problems?.length ? problems : [{ file: '', path: '', message: (err as Error).message }];
    }
    return checkChannels ? checkChannels(bundle) : [];
  }
  /** Only the channels' problems (a set that does not compile is reported by the compile). */
  function channelsHere(files: MappingFiles): MappingProblem[] {
    if (!checkChannels) return [];
    try {
      return checkChannels(registry.compileDraft(files));
    } catch {
      return [];
    }
  }
  function apply(logger: Logger, version: number, files: MappingFiles): NodeActivation {
    try {
      const { switched, active } = registry.activate(version, files);
      if (switched) logger.info(`node ${nodeId} switched to mapping release ${version}`);
      return { nodeId, ok: true, activeVersion: active.version, switched };
    } catch (err) {
      const view = toErrorView(err);
      // the operator reads why (the message names the file and path of the definition), not a generic 5xx text
      const message = (err as Error).message ?? view.message;
      logger.error(`node ${nodeId} refused mapping release ${version}: ${message}`);
      return { nodeId, ok: false, activeVersion: registry.current().version, error: { code: view.code, message } };
    }
  }
  return {
    name: mappingAgentName(nodeId),
    actions: {
      /** Switches this node to the release; answers (never throws) with what the node runs now. */
      activate: {
        visibility: 'public',
        params: { version: { type: 'number', integer: true, min: 1 }, files: { type: 'record' }, $$strict: true },
        handler(this: { logger: Logger }, ctx: Context<{ version: number; files: MappingFiles }>): NodeActivation {
          return apply(this.logger, ctx.params.version, ctx.params.files);
        },
      },
      /** Whether a draft resolves on this node (variables, channels); cheap: asked at every validate and publish. */
      resolve: {
        visibility: 'public',
        params: { files: { type: 'record' }, $$strict: true },
        handler(ctx: Context<{ files: MappingFiles }>): NodeCheck {
          return { nodeId, problems: resolveHere(ctx.params.files) };
        },
      },
      /** Compiles a draft with this node's variables and asks each SOAP endpoint's WSDL for the operations named. */
      check: {
        visibility: 'public',
        params: { files: { type: 'record' }, $$strict: true },
        async handler(ctx: Context<{ files: MappingFiles }>): Promise<NodeCheck> {
          return { nodeId, problems: [...(await checkSoapOperations(registry, ctx.params.files)), ...channelsHere(ctx.params.files)] };
        },
      },
    },
    events: {
      'mappings.published'(this: { logger: Logger }, ctx: Context<{ version: number; files: MappingFiles }>) {
        apply(this.logger, ctx.params.version, ctx.params.files);
      },
    },
    async started() {
      // In the background: a node must not wait for the mapping service to come up.
      void this.broker
        .waitForServices(['mappings'], 30000)
        .then(() => this.broker.call('mappings.active') as Promise<{ version: number; files: MappingFiles }>)
        .then((r: { version: number; files: MappingFiles }) => apply(this.logger, r.version, r.files))
        .catch((err: Error) => this.logger.warn(`no mapping release fetched yet (${err.message}); running on ${registry.current().version === 'local' ? 'the mappings directory' : `release ${registry.current().version}`}`));
    },
  };
}
