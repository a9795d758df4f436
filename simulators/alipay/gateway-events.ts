import type { KeyObject } from 'crypto';
import * as iconv from 'iconv-lite';
import { ALIPAY_USERS } from './dataset';
import { checkSha256WithRsa, sha256WithRsa, signingString } from './signing';

/** Life-number gateway calls Alipay makes to the developer gateway (verifygw, follow, ...). */
export interface GatewayEventOptions {
  eventType: 'verifygw' | 'follow' | 'unfollow' | 'click' | 'enter';
  fromUserId?: string;
  actionParam?: string;
  /** `utf-8` (default) or `GBK`, as configured for the life number. */
  charset?: 'utf-8' | 'GBK';
}

export interface GatewayEventResult {
  status: number;
  text: string;
  /** verifygw: the answer is `<success>true</success>` with our public key, signed by our app key. */
  verified: boolean;
}

/** Percent-encodes a form in the given charset (Alipay posts GBK forms for GBK life numbers). */
function encodeForm(fields: Record<string, string>, charset: string): string {
  const enc = (s: string) =>
    Array.from(iconv.encode(s, charset))
      .map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
      .join('');
  return Object.entries(fields)
    .map(([k, v]) => `${enc(k)}=${enc(v)}`)
    .join('&');
}

export async function sendGatewayEvent(
  target: string,
  event: GatewayEventOptions,
  ctx: { appId: string; alipayPrivate: KeyObject; appKey: KeyObject; timeoutMs: number },
): Promise<GatewayEventResult> {
  const charset = event.charset ?? 'utf-8';
  const fromUserId = event.fromUserId ?? ALIPAY_USERS[0].userId;
  const bizContentXml =
    `<XML><AppId><![CDATA[${ctx.appId}]]></AppId><FromUserId><![CDATA[${fromUserId}]]></FromUserId>` +
    `<CreateTime>${Date.now()}</CreateTime><MsgType><![CDATA[event]]></MsgType>` +
    `<EventType><![CDATA[${event.eventType}]]></EventType><ActionParam><![CDATA[${event.actionParam ?? ''}]]></ActionParam>` +
    `<AgreementId><![CDATA[]]></AgreementId><AccountNo><![CDATA[]]></AccountNo></XML>`;
  const fields: Record<string, string> = {
    service: event.eventType === 'verifygw' ? 'alipay.service.check' : 'alipay.mobile.public.message.notify',
    biz_content: bizContentXml,
    charset,
    sign_type: 'RSA2',
  };
  fields.sign = sha256WithRsa(signingString(fields, ['sign']), ctx.alipayPrivate);
  const res = await fetch(target, {
    method: 'POST',
    headers: { 'Content-Type': `application/x-www-form-urlencoded; charset=${charset}` },
    body: encodeForm(fields, charset),
    signal: AbortSignal.timeout(ctx.timeoutMs),
  });
  const text = await res.text();
  let verified = false;
  const m = /<alipay><response>([\s\S]*)<\/response><sign>([^<]*)<\/sign><sign_type>RSA2<\/sign_type><\/alipay>\s*$/.exec(text);
  if (m) {
    const signedOk = checkSha256WithRsa(m[1], m[2], ctx.appKey);
    if (event.eventType === 'verifygw') {
      const ourKey = (ctx.appKey.export({ type: 'spki', format: 'der' }) as Buffer).toString('base64');
      verified = signedOk && m[1] === `<success>true</success><biz_content>${ourKey}</biz_content>`;
    } else {
      verified = signedOk;
    }
  }
  return { status: res.status, text, verified };
}
