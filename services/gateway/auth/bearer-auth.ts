import { Context } from 'moleculer';
import { GridbusConfig } from '../../../config';
import { verifyAccessToken } from '../../../core/auth';
import { GridbusError } from '../../../core/errors';
import { GatewayRequest, pathOf } from '../types';

type Ctx = Context<unknown, { user?: { id: string; scope?: string } | null }>;

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

/** Admin routes: the token must carry the `admin` scope. */
export function authorizeAdmin(config: GridbusConfig) {
  return async function authorize(ctx: Ctx, _route: unknown, req: GatewayRequest) {
    const scopes = (ctx.meta.user?.scope ?? '').split(' ');
    if (scopes.includes('admin')) return;
    refusal(ctx, req, config, 'auth.forbidden');
    throw new GridbusError('FORBIDDEN', 'This operation needs an operator token with the admin scope');
  };
}
