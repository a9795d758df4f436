import { Context, ServiceSchema } from 'moleculer';
import { AuditEvent, AuditWriter, RepeatedRefusals } from '../../core/audit';
import { requireDep, ServiceDeps } from '../service-deps';

/**
 * Owns the audit log. Other nodes (the gateway has no database) emit
 * `audit.event`; one audit instance in the cluster records each event.
 */
export function createAuditService(deps: ServiceDeps): ServiceSchema {
  const ds = requireDep(deps.dataSource, 'the database', 'audit');
  const writer = new AuditWriter(ds);
  const record = (event: AuditEvent) => writer.record(event);
  // a flood of refusals (bad tokens) is written as a few rows with a count, not one row each
  const refusals = new RepeatedRefusals(record);
  return {
    name: 'audit',
    async stopped() {
      await refusals.close();
    },
    events: {
      'audit.event': {
        group: 'audit',
        async handler(this: { logger: { error: (...a: unknown[]) => void } }, ctx: Context<AuditEvent>) {
          try {
            const event = { ...ctx.params, requestId: ctx.params.requestId ?? ctx.requestID ?? null };
            if (refusals.admit(event)) await record(event);
          } catch (err) {
            this.logger.error(`req=${ctx.requestID} audit write failed: ${(err as Error).message}`);
          }
        },
      },
    },
    actions: {
      /** The newest entries, for auditors; filters by action prefix, actor and outcome. */
      list: {
        params: {
          action: { type: 'string', max: 100, optional: true },
          actor: { type: 'string', max: 100, optional: true },
          outcome: { type: 'enum', values: ['success', 'denied', 'failure'], optional: true },
          limit: { type: 'number', integer: true, min: 1, max: 500, optional: true, convert: true },
          $$strict: true,
        },
        async handler(ctx: Context<{ action?: string; actor?: string; outcome?: string; limit?: number }>) {
          const { action, actor, outcome, limit } = ctx.params;
          return ds.query(
            `SELECT id, at, actor, action, target, outcome, source_ip AS "sourceIp", request_id AS "requestId", node_id AS "nodeId", details
               FROM audit_log
              WHERE ($1::text IS NULL OR action LIKE $1 || '%') AND ($2::text IS NULL OR actor = $2) AND ($3::text IS NULL OR outcome = $3)
              ORDER BY id DESC LIMIT $4`,
            [action ?? null, actor ?? null, outcome ?? null, limit ?? 100],
          );
        },
      },
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
