import { Context } from 'moleculer';
import { GridbusError } from '../../core/errors';
import { GatewayPolicies } from './policies';
import { normalizeIp } from './policies/ip-address';

type OperatorCtx = Context<{ ip?: string }, { user?: { id: string } | null; clientIp?: string | null }>;

/** Broadcast to every gateway node when an operator lifts a ban. */
export const BAN_LIFTED = 'gateway.ban.lifted';

/**
 * The operator's side of IP high-frequency control (routes/admin.route.ts):
 * who is banned now, and lifting a ban (a false positive, a customer's NAT).
 * Bans live in the shared store, so any gateway node can answer; a lifted ban
 * is broadcast so every node drops what it remembers of it at once.
 */
export function banAdmin(policies: GatewayPolicies, nodeId: string) {
  return {
    actions: {
      /** GET /admin/api/gateway/bans */
      bans: {
        params: { $$strict: true },
        async handler() {
          return { bans: await policies.listBans() };
        },
      },
      /** DELETE /admin/api/gateway/bans/:ip */
      liftBan: {
        params: { ip: { type: 'string', min: 2, max: 64 }, $$strict: true },
        async handler(ctx: OperatorCtx) {
          const ip = normalizeIp(ctx.params.ip);
          if (!ip) throw new GridbusError('VALIDATION_FAILED', 'ip must be an IPv4 or IPv6 address', { details: { field: 'ip' } });
          const lifted = await policies.liftBan(ip);
          await ctx.broadcast(BAN_LIFTED, { ip }, 'api');
          ctx.emit('audit.event', {
            actor: ctx.meta.user?.id ?? 'unknown',
            action: 'gateway.ban.lifted',
            outcome: lifted ? 'success' : 'failure',
            target: `ip:${ip}`,
            sourceIp: ctx.meta.clientIp ?? null,
            requestId: ctx.requestID,
            nodeId,
            details: lifted ? null : { reason: 'not banned' },
          });
          if (!lifted) throw new GridbusError('NOT_FOUND', `${ip} is not banned`);
          return { ip, lifted: true };
        },
      },
    },
    events: {
      [BAN_LIFTED](ctx: Context<{ ip: string }>) {
        policies.forgetBan(ctx.params.ip);
      },
    },
  };
}
