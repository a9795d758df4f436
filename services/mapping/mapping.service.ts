import { Context, ServiceSchema } from 'moleculer';
import { GridbusError } from '../../core/errors';
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
import { ExchangeRecord, MessageLogStore } from '../../core/message-log';
import { requireDep, ServiceDeps } from '../service-deps';

interface Meta {
  user?: { id: string } | null;
}

/** A release number: mapping_release.version is a PostgreSQL integer (int4), so a larger one is refused here, not by the database (a 500). */
const RELEASE_VERSION = { type: 'number', integer: true, min: 1, max: 2_147_483_647, convert: true };
const filesParam = { type: 'record', key: { type: 'string', pattern: /^(operations|files|topics|codes)\/[A-Za-z0-9._-]+\.ya?ml$/ }, value: { type: 'string', max: 1_000_000 } };

/**
 * Owns the mapping releases: validate, diff, dry-run, publish, roll back.
 * A publish is stored, then broadcast to every node (`mappings.published`);
 * nodes switch on their own (see mapping-agent). It also keeps the message log.
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
        params: { files: filesParam, $$strict: true },
        handler(ctx: Context<{ files: MappingFiles }>) {
          const { bundle, problems } = validateDraft(ctx.params.files);
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
        params: { files: filesParam, note: { type: 'string', max: 2000, optional: true }, $$strict: true },
        async handler(ctx: Context<{ files: MappingFiles; note?: string }, Meta>) {
          refuseInvalid(ctx.params.files);
          const latest = await store.latest();
          if (latest && latest.checksum === checksumOf(ctx.params.files)) {
            throw new GridbusError('VALIDATION_FAILED', `nothing to publish: the set is identical to release ${latest.version}`);
          }
          const author = ctx.meta.user?.id ?? 'unknown';
          const release = await store.append(ctx.params.files, { author, kind: 'publish', note: ctx.params.note });
          await ctx.broadcast('mappings.published', { version: release.version, files: release.files });
          ctx.emit('audit.event', { actor: author, action: 'mapping.publish', outcome: 'success', target: `release ${release.version}`, requestId: ctx.requestID, nodeId: deps.config.nodeId, details: { note: ctx.params.note ?? null } });
          return { version: release.version, checksum: release.checksum, diff: release.diff };
        },
      },
      rollback: {
        params: { version: RELEASE_VERSION, note: { type: 'string', max: 2000, optional: true }, $$strict: true },
        async handler(ctx: Context<{ version: number; note?: string }, Meta>) {
          const target = await store.get(ctx.params.version);
          const author = ctx.meta.user?.id ?? 'unknown';
          const release = await store.append(target.files, { author, kind: 'rollback', rollbackOf: target.version, note: ctx.params.note ?? `rollback to release ${target.version}` });
          await ctx.broadcast('mappings.published', { version: release.version, files: release.files });
          ctx.emit('audit.event', { actor: author, action: 'mapping.rollback', outcome: 'success', target: `release ${release.version}`, requestId: ctx.requestID, nodeId: deps.config.nodeId, details: { to: target.version } });
          return { version: release.version, rollbackOf: target.version, diff: release.diff };
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
