import { Context, ServiceBroker, ServiceSchema } from 'moleculer';
import { GridbusError, toErrorView } from '../../core/errors';
import {
  LENIENT_VARIABLES,
  MappingFiles,
  ReleaseStore,
  checksumOf,
  compileMappingFiles,
  compileMappingFilesStrict,
  diffMappingFiles,
  dryRunOperation,
  readMappingFiles,
} from '../../core/mapping';
import { DryRunSample } from '../../core/mapping/dry-run';
import { MappingProblem } from '../../core/mapping/bundle';
import { ExchangeRecord, MessageLogStore } from '../../core/message-log';
import { requireDep, ServiceDeps } from '../service-deps';
import { MAPPING_AGENT_PREFIX, NodeActivation, NodeCheck } from './mapping-agent.service';

interface Meta {
  user?: { id: string } | null;
}

/** A release number: mapping_release.version is a PostgreSQL integer (int4), so a larger one is refused here, not by the database (a 500). */
const RELEASE_VERSION = { type: 'number', integer: true, min: 1, max: 2_147_483_647, convert: true };
const filesParam = { type: 'record', key: { type: 'string', pattern: /^(operations|files|topics|codes|channels)\/[A-Za-z0-9._-]+\.ya?ml$/ }, value: { type: 'string', max: 1_000_000 } };

/** How long one node may take to compile a release (or check its endpoints) before it counts as not answering. */
const NODE_ANSWER_TIMEOUT_MS = 20_000;

interface NodeProblem extends MappingProblem {
  /** the nodes that found it */
  nodes: string[];
}

/**
 * Owns the mapping releases: validate, diff, dry-run, publish, roll back.
 * A publish is stored, then each node's mapping agent is asked to switch and
 * its answer reported (a node that refuses makes the publish fail, naming it
 * and why, while the release stays recorded); `mappings.published` is also
 * broadcast for nodes no call reached. It also keeps the message log.
 */
export function createMappingService(deps: ServiceDeps): ServiceSchema {
  const ds = requireDep(deps.dataSource, 'the database', 'mapping');
  const store = new ReleaseStore(ds);
  let messageLog: MessageLogStore;

  async function activeRelease() {
    const latest = await store.latest();
    if (!latest) throw new GridbusError('SERVICE_UNAVAILABLE', 'no mapping release has been published yet');
    return latest;
  }

  function validateDraft(files: MappingFiles) {
    return compileMappingFiles(files, LENIENT_VARIABLES);
  }

  function refuseInvalid(files: MappingFiles) {
    const { problems } = validateDraft(files);
    if (problems.length) {
      throw new GridbusError('VALIDATION_FAILED', `the mapping set has ${problems.length} problem(s); first: ${problems[0].file}: ${problems[0].path}: ${problems[0].message}`, {
        details: { problems },
      });
    }
  }

  /** The mapping agents (one per node that runs operations or channels), by service name and node. */
  function agents(broker: ServiceBroker): Array<{ name: string; nodeID: string }> {
    const list = broker.registry.getServiceList({ onlyAvailable: true, skipInternal: true, withActions: false }) as Array<{ name: string; nodeID: string }>;
    return list.filter((s) => s.name.startsWith(MAPPING_AGENT_PREFIX)).sort((a, b) => a.nodeID.localeCompare(b.nodeID));
  }

  /** Asks every node to switch to the release; a node that does not answer is reported as such. */
  async function activateEverywhere(ctx: Context, version: number, files: MappingFiles): Promise<NodeActivation[]> {
    const answers = await Promise.all(
      agents(ctx.broker).map((a) =>
        (ctx.call(`${a.name}.activate`, { version, files }, { nodeID: a.nodeID, timeout: NODE_ANSWER_TIMEOUT_MS, retries: 0 }) as Promise<NodeActivation>).catch(
          (err: Error): NodeActivation => ({ nodeId: a.nodeID, ok: false, activeVersion: null, error: { code: toErrorView(err).code, message: `did not answer: ${err.message}` } }),
        ),
      ),
    );
    // nodes that joined meanwhile (or that a call missed) switch on the event
    await ctx.broadcast('mappings.published', { version, files });
    return answers;
  }

  /** Every node compiles the draft with its own variables and asks its WSDLs for the operations named. */
  async function checkEverywhere(ctx: Context, files: MappingFiles, action: 'check' | 'resolve' = 'check'): Promise<NodeProblem[]> {
    const found = new Map<string, NodeProblem>();
    await Promise.all(
      agents(ctx.broker).map(async (a) => {
        let answer: NodeCheck;
        try {
          answer = (await ctx.call(`${a.name}.${action}`, { files }, { nodeID: a.nodeID, timeout: NODE_ANSWER_TIMEOUT_MS, retries: 0 })) as NodeCheck;
        } catch (err) {
          answer = { nodeId: a.nodeID, problems: [{ file: '', path: '', message: `node did not answer the check: ${(err as Error).message}` }] };
        }
        for (const p of answer.problems) {
          const key = `${p.file}\0${p.path}\0${p.message}`;
          const known = found.get(key);
          if (known) known.nodes.push(answer.nodeId);
          else found.set(key, { ...p, nodes: [answer.nodeId] });
        }
      }),
    );
    return [...found.values()].sort((x, y) => x.file.localeCompare(y.file));
  }

  /** The answer to a publish or rollback: every node's answer; a refusal anywhere is an error that says which and why. */
  function settle(version: number, nodes: NodeActivation[], answer: Record<string, unknown>) {
    const refused = nodes.filter((n) => !n.ok);
    if (refused.length) {
      const why = refused.map((n) => `node ${n.nodeId} refused it (${n.error?.code}: ${n.error?.message}${n.activeVersion === null ? '' : `; it runs release ${n.activeVersion}`})`).join('; ');
      throw new GridbusError('MAPPING_NOT_ACTIVE', `release ${version} is recorded but not active everywhere: ${why}`, {
        details: { ...answer, version, activeEverywhere: false, nodes },
        publicMessage: true,
      });
    }
    return { ...answer, version, activeEverywhere: true, nodes };
  }

  return {
    name: 'mappings',
    events: {
      'operations.exchange': {
        group: 'message-log',
        handler(ctx: Context<ExchangeRecord>) {
          messageLog.add(ctx.params);
        },
      },
    },
    actions: {
      active: {
        params: { $$strict: true },
        async handler() {
          const r = await activeRelease();
          return { version: r.version, checksum: r.checksum, files: r.files };
        },
      },
      releases: {
        params: { limit: { type: 'number', integer: true, min: 1, max: 500, optional: true, convert: true }, $$strict: true },
        handler(ctx: Context<{ limit?: number }>) {
          return store.list(ctx.params.limit ?? 50);
        },
      },
      release: {
        params: { version: RELEASE_VERSION, $$strict: true },
        handler(ctx: Context<{ version: number }>) {
          return store.get(ctx.params.version);
        },
      },
      validate: {
        params: { files: filesParam, checkEndpoints: { type: 'boolean', optional: true }, $$strict: true },
        async handler(ctx: Context<{ files: MappingFiles; checkEndpoints?: boolean }>) {
          const { bundle, problems: found } = validateDraft(ctx.params.files);
          const problems: MappingProblem[] = [...found, ...(found.length ? [] : await checkEverywhere(ctx, ctx.params.files, ctx.params.checkEndpoints ? 'check' : 'resolve'))];
          return { valid: problems.length === 0, problems, operations: [...bundle.operations.keys()], fileLayouts: [...bundle.fileLayouts.keys()], topicShapes: [...bundle.topicShapes.keys()], codeTables: [...bundle.codes.keys()] };
        },
      },
      diff: {
        params: { files: filesParam, against: { ...RELEASE_VERSION, optional: true }, $$strict: true },
        async handler(ctx: Context<{ files: MappingFiles; against?: number }>) {
          const base = ctx.params.against ? await store.get(ctx.params.against) : await activeRelease();
          return { against: base.version, ...diffMappingFiles(base.files, ctx.params.files) };
        },
      },
      dryRun: {
        params: {
          files: filesParam,
          operation: { type: 'string', min: 3, max: 200 },
          samples: { type: 'array', optional: true, max: 100, items: { type: 'object', props: { label: { type: 'string', optional: true } } } },
          last: { type: 'number', integer: true, min: 1, max: 100, optional: true, convert: true },
          $$strict: true,
        },
        async handler(ctx: Context<{ files: MappingFiles; operation: string; samples?: DryRunSample[]; last?: number }>) {
          const { bundle: draft, problems } = validateDraft(ctx.params.files);
          const active = await activeRelease();
          const current = compileMappingFilesStrict(active.files, LENIENT_VARIABLES);
          const samples: DryRunSample[] = [...(ctx.params.samples ?? [])];
          if (ctx.params.last) {
            const recorded = await messageLog.lastOf(ctx.params.operation, ctx.params.last);
            for (const r of recorded) {
              samples.push({ label: `recorded ${r.at} ${r.requestId ?? ''}`.trim(), request: r.canonicalRequest, response: r.backofficeResponse ?? undefined });
            }
          }
          if (!samples.length) throw new GridbusError('VALIDATION_FAILED', 'dry-run needs samples or last: N with recorded messages for this operation');
          return {
            operation: ctx.params.operation,
            currentVersion: active.version,
            draftProblems: problems,
            results: await dryRunOperation(ctx.params.operation, current, draft, samples),
          };
        },
      },
      publish: {
        params: { files: filesParam, note: { type: 'string', max: 2000, optional: true }, checkEndpoints: { type: 'boolean', optional: true }, $$strict: true },
        async handler(ctx: Context<{ files: MappingFiles; note?: string; checkEndpoints?: boolean }, Meta>) {
          refuseInvalid(ctx.params.files);
          {
            // every node says whether the set resolves there (variables, channels); with checkEndpoints, also asks the endpoints
            const problems = await checkEverywhere(ctx, ctx.params.files, ctx.params.checkEndpoints ? 'check' : 'resolve');
            if (problems.length) {
              const [first] = problems;
              throw new GridbusError('VALIDATION_FAILED', `the mapping set has ${problems.length} problem(s) on its nodes; first: ${first.file}: ${first.path}: ${first.message} (node ${first.nodes.join(', ')})`, {
                details: { problems },
              });
            }
          }
          const latest = await store.latest();
          if (latest && latest.checksum === checksumOf(ctx.params.files)) {
            throw new GridbusError('VALIDATION_FAILED', `nothing to publish: the set is identical to release ${latest.version}`);
          }
          const author = ctx.meta.user?.id ?? 'unknown';
          const release = await store.append(ctx.params.files, { author, kind: 'publish', note: ctx.params.note });
          const nodes = await activateEverywhere(ctx, release.version, release.files);
          const refused = nodes.filter((n) => !n.ok).map((n) => n.nodeId);
          ctx.emit('audit.event', { actor: author, action: 'mapping.publish', outcome: refused.length ? 'failure' : 'success', target: `release ${release.version}`, requestId: ctx.requestID, nodeId: deps.config.nodeId, details: { note: ctx.params.note ?? null, refusedBy: refused } });
          return settle(release.version, nodes, { checksum: release.checksum, diff: release.diff });
        },
      },
      rollback: {
        params: { version: RELEASE_VERSION, note: { type: 'string', max: 2000, optional: true }, $$strict: true },
        async handler(ctx: Context<{ version: number; note?: string }, Meta>) {
          const target = await store.get(ctx.params.version);
          const author = ctx.meta.user?.id ?? 'unknown';
          const release = await store.append(target.files, { author, kind: 'rollback', rollbackOf: target.version, note: ctx.params.note ?? `rollback to release ${target.version}` });
          const nodes = await activateEverywhere(ctx, release.version, release.files);
          const refused = nodes.filter((n) => !n.ok).map((n) => n.nodeId);
          ctx.emit('audit.event', { actor: author, action: 'mapping.rollback', outcome: refused.length ? 'failure' : 'success', target: `release ${release.version}`, requestId: ctx.requestID, nodeId: deps.config.nodeId, details: { to: target.version, refusedBy: refused } });
          return settle(release.version, nodes, { rollbackOf: target.version, diff: release.diff });
        },
      },
      exchanges: {
        params: { operation: { type: 'string', min: 3 }, last: { type: 'number', integer: true, min: 1, max: 100, convert: true, optional: true }, $$strict: true },
        handler(ctx: Context<{ operation: string; last?: number }>) {
          return messageLog.lastOf(ctx.params.operation, ctx.params.last ?? 20);
        },
      },
    },
    async created() {
      messageLog = new MessageLogStore(ds, { onError: (err) => this.logger.error(`message log write failed: ${err.message}`) });
    },
    /**
     * The directory is the operators' working copy (kept in version control).
     * At start it is published when it differs from the latest release, so a
     * restart after an edit takes effect and is still recorded with a diff.
     */
    async started() {
      const files = readMappingFiles(deps.config.mappingsDir);
      const latest = await store.latest();
      if (latest && latest.checksum === checksumOf(files)) {
        this.logger.info(`mapping release ${latest.version} is active (matches ${deps.config.mappingsDir})`);
        return;
      }
      const { problems } = validateDraft(files);
      if (problems.length) {
        if (!latest) throw new GridbusError('MAPPING_INVALID', `${problems[0].file}: ${problems[0].path}: ${problems[0].message}`, { details: { problems } });
        this.logger.error(`${deps.config.mappingsDir} differs from release ${latest.version} but is invalid (${problems[0].file}: ${problems[0].message}); release ${latest.version} stays active`);
        return;
      }
      const release = await store.append(files, { author: `startup:${deps.config.nodeId}`, kind: 'import', note: `imported from ${deps.config.mappingsDir}` });
      this.logger.info(`mapping release ${release.version} imported from ${deps.config.mappingsDir}`);
      await this.broker.broadcast('mappings.published', { version: release.version, files: release.files });
    },
    async stopped() {
      await messageLog.flush();
    },
  };
}
