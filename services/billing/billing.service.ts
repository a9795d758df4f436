import { Context, ServiceSchema } from 'moleculer';

interface ArrearsParams {
  accountNo: string;
}

/**
 * My electricity / pay: what a household owes. Talks only to canonical
 * operations; never to a back-office system directly.
 */
export function createBillingService(): ServiceSchema {
  return {
    name: 'billing',
    actions: {
      getArrears: {
        params: { accountNo: { type: 'string', pattern: /^[0-9]{10}$/, messages: { stringPattern: 'accountNo must be 10 digits' } } },
        async handler(ctx: Context<ArrearsParams>) {
          return ctx.call('marketing.queryArrears', { accountNo: ctx.params.accountNo });
        },
      },
    },
  };
}
