import { Context, ServiceActionsSchema } from 'moleculer';
import { GridbusError } from '../../core/errors';
import { Meta, PowerContext } from './power-context';
import { currentRealName } from './real-name';

/** Real-name authentication status (docs/power-services.md). */
export function realNameActions(p: PowerContext): ServiceActionsSchema {
  const { ds, cipher, userOf, audit } = p;
  return {
    /** GET /api/v1/me/real-name: whether the user is real-name certified, as Alipay last answered (a check, or an identity binding), masked. */
    realName: {
      params: { $$strict: true },
      async handler(ctx: Context<Record<string, never>, Meta>) {
        return currentRealName(ds, cipher, userOf(ctx));
      },
    },

    /** POST /api/v1/me/real-name: asks Alipay now (an auth code of the user's with the auth_user scope) and records the answer. */
    checkRealName: {
      params: { authCode: { type: 'string', min: 1, max: 128 }, $$strict: true },
      async handler(ctx: Context<{ authCode: string }, Meta>) {
        const userId = userOf(ctx);
        const grant = (await ctx.call('alipay.exchangeAuthCode', { authCode: ctx.params.authCode })) as { userId: string; accessToken: string };
        if (grant.userId !== userId) {
          audit(ctx, 'power.realName.checked', null, { reason: 'auth code of another Alipay user' }, 'denied');
          throw new GridbusError('FORBIDDEN', 'The Alipay authorisation belongs to another user than the one signed in', { details: { reason: 'auth code of another Alipay user' } });
        }
        const info = (await ctx.call('alipay.userInfo', { authToken: grant.accessToken })) as { userId: string; certNo: string | null; certType: string | null; userName: string | null; isCertified: boolean };
        const certified = Boolean(info.isCertified);
        await ds.query(
          `INSERT INTO power_real_name (user_id, certified, name_enc, cert_no_enc, cert_type, checked_at) VALUES ($1, $2, $3, $4, $5, now())
           ON CONFLICT (user_id) DO UPDATE SET certified = $2, name_enc = $3, cert_no_enc = $4, cert_type = $5, checked_at = now()`,
          [userId, certified, info.userName ? cipher.encrypt(info.userName) : null, info.certNo ? cipher.encrypt(info.certNo) : null, info.certType],
        );
        audit(ctx, 'power.realName.checked', null, { certified });
        return currentRealName(ds, cipher, userId);
      },
    },
  };
}
