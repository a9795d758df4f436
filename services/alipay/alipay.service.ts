import { Context, ServiceSchema } from 'moleculer';
import { GridbusError } from '../../core/errors';
import { ServiceDeps } from '../service-deps';
import { TradeCalls } from './trade-calls';
import { tradeActions } from './trade-actions';

/**
 * The Alipay open platform's identity calls, for the auth and binding
 * services: exchange an auth code, read the authorised real-name data.
 * Alipay's business codes become the bus's typed errors here.
 */
export function createAlipayService(deps: ServiceDeps): ServiceSchema {
  const client = () => {
    if (!deps.alipay) throw new GridbusError('SERVICE_UNAVAILABLE', 'Alipay is not configured on this node (ALIPAY_APP_ID, keys)');
    return deps.alipay;
  };

  let trades: TradeCalls | null = null;

  return {
    name: 'alipay',
    actions: {
      ...tradeActions(() => (trades ??= new TradeCalls(client()))),
      exchangeAuthCode: {
        visibility: 'public',
        params: { authCode: { type: 'string', min: 1, max: 128 } },
        async handler(ctx: Context<{ authCode: string }>) {
          const r = await client().call('alipay.system.oauth.token', { grant_type: 'authorization_code', code: ctx.params.authCode });
          if (!r.ok) {
            if (r.body.code === '40002' || r.body.sub_code?.startsWith('isv.code')) {
              throw new GridbusError('UNAUTHORIZED', 'The Alipay auth code is invalid, expired or already used', { details: { reason: 'auth code refused' } });
            }
            throw new GridbusError('BACKEND_UNAVAILABLE', `alipay.system.oauth.token answered ${r.body.code} ${r.body.sub_code ?? ''}`.trim(), { retryable: r.body.code === '20000' });
          }
          const b = r.body as { user_id?: string; open_id?: string; access_token?: string; expires_in?: string | number };
          if (!b.user_id && !b.open_id) throw new GridbusError('BACKEND_BAD_RESPONSE', 'alipay.system.oauth.token answered without user_id or open_id');
          return { userId: b.user_id ?? b.open_id, accessToken: b.access_token, expiresIn: Number(b.expires_in ?? 0) };
        },
      },
      /**
       * The real-name data the user authorised (alipay.user.info.share, auth_user scope).
       * Personal data: internal callers only (visibility public, never routed), never logged.
       */
      userInfo: {
        visibility: 'public',
        params: { authToken: { type: 'string', min: 1, max: 256 }, $$strict: true },
        async handler(ctx: Context<{ authToken: string }>) {
          const r = await client().call('alipay.user.info.share', { auth_token: ctx.params.authToken });
          if (!r.ok) {
            if (r.body.code === '20001') {
              throw new GridbusError('UNAUTHORIZED', 'The Alipay authorisation is invalid or has expired: ask the user to authorise again', { details: { reason: 'auth token refused' } });
            }
            if (r.body.code === '40006') {
              throw new GridbusError('FORBIDDEN', 'The Alipay authorisation does not cover the real-name data (auth_user scope)', { details: { reason: 'auth_user scope missing' } });
            }
            throw new GridbusError('BACKEND_UNAVAILABLE', `alipay.user.info.share answered ${r.body.code} ${r.body.sub_code ?? ''}`.trim(), { retryable: r.body.code === '20000' });
          }
          const b = r.body as { user_id?: string; open_id?: string; cert_no?: string; cert_type?: string; mobile?: string; user_name?: string; is_certified?: string };
          if (!b.user_id && !b.open_id) throw new GridbusError('BACKEND_BAD_RESPONSE', 'alipay.user.info.share answered without user_id or open_id');
          const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);
          return {
            userId: b.user_id ?? b.open_id,
            certNo: text(b.cert_no),
            certType: text(b.cert_type),
            mobile: text(b.mobile),
            userName: text(b.user_name),
            isCertified: b.is_certified === 'T',
          };
        },
      },
    },
  };
}
