import { Context } from 'moleculer';
import { GridbusError } from '../../core/errors';

type Meta = { user?: { id: string } | null; clientIp?: string | null };

/**
 * The one answer for an account the caller may not see and for one that does
 * not exist: the same code, message and shape, so that probing account
 * numbers reveals nothing.
 */
export function accountNotFound(): GridbusError {
  return new GridbusError('ACCOUNT_NOT_FOUND', 'No electricity account with this number');
}

/**
 * Object-level authorization for account data: a life-number user (ctx.meta.user)
 * reaches only accounts with an active binding of theirs; anything else is
 * ACCOUNT_NOT_FOUND, audited as `access.denied`. Internal callers without a
 * user (scheduled jobs, other services acting on their own) pass.
 */
export async function requireBoundAccount(ctx: Context<unknown, Meta>, accountNo: string, action: string, nodeId: string): Promise<void> {
  const user = ctx.meta.user;
  if (!user) return;
  const bound = (await ctx.call('binding.isBound', { userId: user.id, accountNo })) as boolean;
  if (bound) return;
  ctx.emit('audit.event', {
    actor: user.id,
    action: 'access.denied',
    outcome: 'denied',
    target: `account:${accountNo}`,
    sourceIp: ctx.meta.clientIp ?? null,
    requestId: ctx.requestID,
    nodeId,
    details: { action, reason: 'account not bound to the user' },
  });
  throw accountNotFound();
}
