import { Context, ServiceSchema } from 'moleculer';
import { AuditEvent, AuditWriter } from '../../core/audit';
import { requireDep, ServiceDeps } from '../service-deps';

/**
 * Owns the audit log. Other nodes (the gateway has no database) emit
 * `audit.event`; one audit instance in the cluster records each event.
 */
export function createAuditService(deps: ServiceDeps): ServiceSchema {
  const writer = new AuditWriter(requireDep(deps.dataSource, 'the database', 'audit'));
  return {
    name: 'audit',
    events: {
      'audit.event': {
        group: 'audit',
        async handler(this: { logger: { error: (...a: unknown[]) => void } }, ctx: Context<AuditEvent>) {
          try {
            await writer.record({ ...ctx.params, requestId: ctx.params.requestId ?? ctx.requestID ?? null });
          } catch (err) {
            this.logger.error(`req=${ctx.requestID} audit write failed: ${(err as Error).message}`);
          }
        },
      },
    },
    actions: {
      record: {
        visibility: 'public',
        async handler(ctx: Context<AuditEvent>) {
          const entry = await writer.record({ ...ctx.params, requestId: ctx.params.requestId ?? ctx.requestID ?? null });
          return { id: entry.id };
        },
      },
    },
  };
}
