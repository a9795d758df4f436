import { Context, ServiceSchema } from 'moleculer';
import { GridbusError } from '../../core/errors';
import { accountNotFound, requireBoundAccount } from '../binding/ownership';
import { ServiceDeps } from '../service-deps';

interface ArrearsParams {
  accountNo: string;
}

/**
 * My electricity / pay: what a household owes. Talks only to canonical
 * operations; never to a back-office system directly. A user reads only the
 * accounts bound to them (object-level authorization, services/binding).
 */
export function createBillingService(deps?: ServiceDeps): ServiceSchema {
  const nodeId = deps?.config.nodeId ?? 'unknown';
  return {
    name: 'billing',
    actions: {
      getArrears: {
        params: { accountNo: { type: 'string', pattern: /^[0-9]{10}$/, messages: { stringPattern: 'accountNo must be 10 digits' } }, $$strict: true },
        async handler(ctx: Context<ArrearsParams>) {
          await requireBoundAccount(ctx as Context<unknown, { user?: { id: string } | null }>, ctx.params.accountNo, 'billing.getArrears', nodeId);
          try {
            return await ctx.call('marketing.queryArrears', { accountNo: ctx.params.accountNo });
          } catch (err) {
            // unknown and not yours answer alike
            if (err instanceof Error && (err as GridbusError).type === 'ACCOUNT_NOT_FOUND') throw accountNotFound();
            throw err;
          }
        },
      },
    },
  };
}
