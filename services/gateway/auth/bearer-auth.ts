import { Context } from 'moleculer';
import { GridbusConfig } from '../../../config';
import { verifyAccessToken, verifyOperatorToken } from '../../../core/auth';
import { GridbusError } from '../../../core/errors';
import { GatewayRequest, pathOf } from '../types';
import { operatorStatuses } from './operator-status';

type Ctx = Context<unknown, { user?: { id: string; scope?: string; roles?: string[] } | null }>;

function refusal(ctx: Ctx, req: GatewayRequest, config: GridbusConfig, action: string, details?: Record<string, unknown>) {
  ctx.emit('audit.event', {
    actor: ctx.meta.user?.id ?? 'anonymous',
    action,
    outcome: 'denied',
    target: pathOf(req),
    sourceIp: req.$clientIp ?? req.socket.remoteAddress ?? null,
    requestId: ctx.requestID,
    nodeId: config.nodeId,
    details: details ?? null,
  });
}

/** `Authorization: Bearer <jwt>` → ctx.meta.user; every refusal is audited. */
export function authenticateBearer(config: GridbusConfig) {
  return async function authenticate(ctx: Ctx, _route: unknown, req: GatewayRequest) {
    const header = req.headers.authorization;
    const token = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    try {
      if (!token) throw new GridbusError('UNAUTHORIZED', 'Authentication required: send Authorization: Bearer <token>', { details: { reason: 'token missing' } });
      const claims = verifyAccessToken(config.auth, token);
      return { id: claims.sub, scope: claims.scope };
    } catch (err) {
      refusal(ctx, req, config, 'auth.token.rejected', { reason: (err as GridbusError).data?.reason ?? 'token invalid' });
      throw err;
    }
  };
}

const refused = (reason: string) => new GridbusError('UNAUTHORIZED', `Authentication failed: ${reason}`, { details: { reason } });

/**
 * `Authorization: Bearer <operator jwt>` → ctx.meta.user with roles. A valid
 * signature is not enough: the operator must exist, be enabled and still hold
 * the token's roles, and the token's session (`sid`) must not have ended
 * (asked of the auth service, cached briefly: operator-status.ts).
 */
export function authenticateOperator(config: GridbusConfig) {
  return async function authenticate(ctx: Ctx, _route: unknown, req: GatewayRequest) {
    const header = req.headers.authorization;
    const token = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    try {
      if (!token) throw new GridbusError('UNAUTHORIZED', 'Authentication required: log in at /admin/api/session and send Authorization: Bearer <token>', { details: { reason: 'token missing' } });
      const claims = verifyOperatorToken(config.auth, token);
      if (!claims.sid) throw refused('token has no session: log in at /admin/api/session');
      const status = await operatorStatuses(ctx.broker).get(ctx, claims.sub, claims.sid);
      if (!status.active) throw refused(status.reason ?? 'operator not active');
      if (!claims.roles.every((r) => status.roles.includes(r))) throw refused('roles changed: log in again');
      return { id: claims.sub, roles: claims.roles };
    } catch (err) {
      refusal(ctx, req, config, 'auth.token.rejected', { reason: (err as GridbusError).data?.reason ?? 'token invalid', audience: 'operator' });
      throw err;
    }
  };
}

/** Roles per admin action (routes/admin.route.ts): `admin` may do everything. */
export function authorizeOperator(config: GridbusConfig, actionRoles: Record<string, string[]>) {
  return async function authorize(ctx: Ctx, _route: unknown, req: GatewayRequest, _res: unknown, alias: { action?: string }) {
    const roles = ctx.meta.user?.roles ?? [];
    const allowed = actionRoles[alias?.action ?? ''] ?? [];
    if (roles.includes('admin') || roles.some((r) => allowed.includes(r))) return;
    refusal(ctx, req, config, 'auth.forbidden', { action: alias?.action, roles });
    throw new GridbusError('FORBIDDEN', `Your roles (${roles.join(', ') || 'none'}) may not do this`);
  };
}
