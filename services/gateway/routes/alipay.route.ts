import { createPrivateKey, createPublicKey, KeyObject } from 'crypto';
import * as iconv from 'iconv-lite';
import { Context, ServiceBroker } from 'moleculer';
import { GridbusConfig } from '../../../config';
import { NOTIFY_OMIT, REQUEST_OMIT, RSA2, publicKeyBase64, rsa2Sign, verifyParams } from '../../../core/crypto/alipay-signature';
import { toErrorView } from '../../../core/errors';
import { normalizeIp } from '../policies/ip-address';
import { createIpRestriction } from '../policies/ip-restriction';
import { GatewayRequest, GatewayResponse, pathOf } from '../types';

/**
 * Alipay calling us:
 *
 * - `POST /alipay/notify`: asynchronous notifications (trade_status_sync, ...).
 *   Verified with the Alipay public key (sign and sign_type removed, sorted,
 *   joined, RSA2), app_id checked, age checked, then handed to
 *   `payment.notify`, which keeps each notification once. The answer is
 *   exactly `success` (text/plain) when the notification is taken, also for
 *   a replay; anything else makes Alipay retry, so refusals answer `fail`
 *   with a 4xx and are audited (`alipay.notify.rejected`).
 * - `POST /alipay/gateway`: the life-number developer gateway.
 *   `service=alipay.service.check` with EventType `verifygw` is answered with
 *   the signed XML carrying our public key; user events
 *   (`alipay.mobile.public.message.notify`: follow, unfollow, click, enter)
 *   are emitted as `lifenumber.user.event` and acknowledged.
 *
 * Both are limited to GATEWAY_ALIPAY_ALLOW (loopback by default), checked
 * with the gateway's ip-restriction policy on the trusted-proxy-aware client
 * address, but answered `fail` and audited like every other refusal here.
 */

/**
 * Replay window. Alipay re-sends an unacknowledged notification for about
 * 25 hours (4m, 10m, 10m, 1h, 2h, 6h, 15h after the first attempt: the last
 * one ~24h24m later), with the same notify_id. A signed notification whose
 * notify_time is older than 25 h cannot be one of those retries and is
 * refused; within the window a notify_id already stored is acknowledged
 * without doing the work again (payment.notify is the nonce store, in
 * PostgreSQL, so it holds across restarts and nodes). 10 minutes of clock
 * skew are allowed into the future.
 */
export const NOTIFY_MAX_AGE_MS = 25 * 3600_000;
export const NOTIFY_MAX_SKEW_MS = 10 * 60_000;
const MAX_BODY_BYTES = 64 * 1024;
const FORM = /^application\/x-www-form-urlencoded\s*(;|$)/i;
const CHARSETS = new Set(['utf-8', 'utf8', 'gbk', 'gb2312', 'gb18030']);

type Ctx = Context<unknown, Record<string, unknown>>;
type Self = { broker: ServiceBroker; logger: { warn: (m: string) => void; error: (m: string) => void; info: (m: string) => void } };

class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

// ---------------------------------------------------------------- forms

async function readBody(req: GatewayRequest): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Refusal(413, 'body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function percentDecode(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '+') bytes.push(0x20);
    else if (c === '%' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(c, 'latin1'));
  }
  return Buffer.from(bytes);
}

/**
 * A form (query string and body) decoded in its declared charset: the
 * Content-Type's, else the `charset` field Alipay sends, else UTF-8 (life
 * numbers configured for GBK post GBK). A repeated field is refused.
 */
function parseForm(query: string, body: Buffer, contentType: string): Record<string, string> {
  const pairs: Array<[Buffer, Buffer]> = [];
  for (const part of [query, body.toString('latin1')]) {
    for (const piece of part.split('&')) {
      if (!piece) continue;
      const eq = piece.indexOf('=');
      pairs.push(eq < 0 ? [percentDecode(piece), Buffer.alloc(0)] : [percentDecode(piece.slice(0, eq)), percentDecode(piece.slice(eq + 1))]);
    }
  }
  const declared = /charset=([A-Za-z0-9_-]+)/i.exec(contentType)?.[1] ?? pairs.find(([k]) => k.toString('latin1') === 'charset')?.[1].toString('latin1') ?? 'utf-8';
  const charset = declared.toLowerCase();
  if (!CHARSETS.has(charset)) throw new Refusal(415, `charset ${declared.slice(0, 20)} not supported`);
  const fields: Record<string, string> = {};
  for (const [k, v] of pairs) {
    const key = iconv.decode(k, charset);
    if (Object.prototype.hasOwnProperty.call(fields, key)) throw new Refusal(400, `field ${key.slice(0, 40)} repeated`);
    fields[key] = iconv.decode(v, charset);
  }
  return fields;
}

/** `yyyy-MM-dd HH:mm:ss` China Standard Time → epoch ms, or NaN. */
function chinaTimeMs(value: string | undefined): number {
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/.exec(value ?? '');
  return m ? Date.parse(`${m[1]}T${m[2]}+08:00`) : NaN;
}

/** A field of the life-number biz_content XML (`<EventType><![CDATA[follow]]></EventType>`). */
function xmlField(xml: string, name: string): string | null {
  const m = new RegExp(`<${name}>\\s*(?:<!\\[CDATA\\[([\\s\\S]*?)\\]\\]>|([^<]*))\\s*</${name}>`).exec(xml);
  return m ? (m[1] ?? m[2] ?? '').trim() : null;
}

// ---------------------------------------------------------------- route

interface AlipayKeys {
  alipayPublic: KeyObject;
  appPrivate: KeyObject | null;
  appPublicBase64: string | null;
}

export function alipayRoute(config: GridbusConfig) {
  const settings = config.alipay;
  // Kong's ip-restriction from the gateway policies, answered here in Alipay's `fail` protocol and audited.
  const ipRestriction = createIpRestriction({ allow: settings.allow });
  const keys: AlipayKeys | null = settings.alipayPublicKey
    ? {
        alipayPublic: createPublicKey(settings.alipayPublicKey),
        appPrivate: settings.appPrivateKey ? createPrivateKey(settings.appPrivateKey) : null,
        appPublicBase64: settings.appPublicKey ? publicKeyBase64(settings.appPublicKey) : null,
      }
    : null;

  // req.$clientIp: resolved by the gateway policies (X-Forwarded-For only from GATEWAY_TRUSTED_PROXIES)
  const clientIp = (req: GatewayRequest) => req.$clientIp ?? normalizeIp(req.socket.remoteAddress) ?? '';

  function send(req: GatewayRequest, res: GatewayResponse, status: number, body: string, type = 'text/plain; charset=utf-8') {
    if (res.headersSent) return res.end();
    res.statusCode = status;
    res.setHeader('Content-Type', type);
    if (req.$requestId) res.setHeader('X-Request-ID', req.$requestId);
    res.end(body);
  }

  function audit(req: GatewayRequest, action: string, reason: string, fields: Record<string, string> = {}) {
    const ctx = req.$ctx as Ctx | undefined;
    const pick = (k: string) => (fields[k] ? String(fields[k]).slice(0, 64) : undefined);
    ctx?.emit('audit.event', {
      actor: 'alipay',
      action,
      outcome: 'denied',
      target: pathOf(req),
      sourceIp: clientIp(req) || null,
      requestId: ctx.requestID,
      nodeId: config.nodeId,
      details: { reason, notifyId: pick('notify_id'), appId: pick('app_id'), outTradeNo: pick('out_trade_no'), service: pick('service') },
    });
  }

  /** Address, media type, body, keys: what both endpoints check first. */
  async function receive(req: GatewayRequest): Promise<{ fields: Record<string, string>; keys: AlipayKeys }> {
    if (ipRestriction(clientIp(req))) throw new Refusal(403, 'ip not allowed');
    const contentType = String(req.headers['content-type'] ?? '');
    if (!FORM.test(contentType)) throw new Refusal(415, 'content type is not application/x-www-form-urlencoded');
    const body = await readBody(req);
    const query = (req.originalUrl ?? req.url ?? '').split('?')[1] ?? '';
    const fields = parseForm(query, body, contentType);
    if (!keys || !settings.appId) throw new Refusal(503, 'Alipay is not configured on this node (ALIPAY_APP_ID, ALIPAY_PUBLIC_KEY)');
    return { fields, keys };
  }

  function checkSignature(fields: Record<string, string>, key: KeyObject, omit: readonly string[]) {
    if (!fields.sign) throw new Refusal(403, 'sign missing');
    if (fields.sign_type !== RSA2) throw new Refusal(403, `sign_type ${fields.sign_type ? JSON.stringify(fields.sign_type.slice(0, 10)) : 'missing'}: only RSA2 is accepted`);
    if (!verifyParams(fields, key, omit)) throw new Refusal(403, 'signature does not verify with the Alipay public key');
  }

  /** `<alipay><response>…</response><sign>…</sign><sign_type>RSA2</sign_type></alipay>`, signed over the response content (Alipay SDK encryptAndSign). */
  function signedXml(content: string, appPrivate: KeyObject): string {
    return `<?xml version="1.0" encoding="UTF-8"?><alipay><response>${content}</response><sign>${rsa2Sign(content, appPrivate)}</sign><sign_type>${RSA2}</sign_type></alipay>`;
  }

  return {
    path: '/alipay',
    mappingPolicy: 'restrict',
    bodyParsers: false,
    // Gateway policies: the allow-list (GATEWAY_ALIPAY_ALLOW) and the form media type are checked
    // above, answered in Alipay's own `fail` protocol; no IP ban (Alipay's notifiers retry in bursts).
    policies: { group: 'alipay', ipLimit: false as const, hygiene: { allowedContentTypes: ['*/*'] } },
    aliases: {
      async 'POST notify'(this: Self, req: GatewayRequest, res: GatewayResponse) {
        let fields: Record<string, string> = {};
        try {
          const received = await receive(req);
          fields = received.fields;
          checkSignature(fields, received.keys.alipayPublic, NOTIFY_OMIT);
          if (fields.app_id !== settings.appId) throw new Refusal(403, 'app_id is not ours');
          if (!fields.notify_id) throw new Refusal(400, 'notify_id missing');
          const sent = chinaTimeMs(fields.notify_time);
          if (Number.isNaN(sent)) throw new Refusal(400, 'notify_time missing or not yyyy-MM-dd HH:mm:ss');
          if (sent < Date.now() - NOTIFY_MAX_AGE_MS || sent > Date.now() + NOTIFY_MAX_SKEW_MS) throw new Refusal(403, 'notify_time outside the accepted window');
        } catch (err) {
          const refusal = err instanceof Refusal ? err : new Refusal(400, 'unreadable request');
          if (refusal.status === 503) this.logger.error(`req=${req.$requestId} /alipay/notify refused: ${refusal.reason}`);
          else audit(req, 'alipay.notify.rejected', refusal.reason, fields);
          return send(req, res, refusal.status, 'fail');
        }
        try {
          const ctx = req.$ctx as Ctx;
          await ctx.call('payment.notify', { fields, sourceIp: clientIp(req) || null });
          return send(req, res, 200, 'success');
        } catch (err) {
          const view = toErrorView(err);
          // A notification we cannot take now is answered `fail`: Alipay retries it.
          this.logger.warn(`req=${req.$requestId} Alipay notification ${fields.notify_id} not taken: ${view.code} ${(err as Error).message}`);
          return send(req, res, view.status >= 500 ? 503 : view.status, 'fail');
        }
      },

      async 'POST gateway'(this: Self, req: GatewayRequest, res: GatewayResponse) {
        let fields: Record<string, string> = {};
        let keysInUse: AlipayKeys | null = null;
        try {
          const received = await receive(req);
          fields = received.fields;
          keysInUse = received.keys;
          if (!keysInUse.appPrivate || !keysInUse.appPublicBase64) throw new Refusal(503, 'our application key is not configured (ALIPAY_APP_PRIVATE_KEY)');
          checkSignature(fields, keysInUse.alipayPublic, REQUEST_OMIT);
          const bizContent = fields.biz_content ?? '';
          const eventType = xmlField(bizContent, 'EventType') ?? fields.EventType ?? '';
          const appId = xmlField(bizContent, 'AppId');
          if (appId !== null && appId !== settings.appId) throw new Refusal(403, 'AppId is not ours');
          if (fields.service === 'alipay.service.check') {
            if (eventType !== 'verifygw') throw new Refusal(400, `EventType ${eventType.slice(0, 20) || 'missing'} is not verifygw`);
            const content = `<success>true</success><biz_content>${keysInUse.appPublicBase64}</biz_content>`;
            return send(req, res, 200, signedXml(content, keysInUse.appPrivate), 'text/xml; charset=UTF-8');
          }
          if (fields.service === 'alipay.mobile.public.message.notify') {
            const fromUserId = xmlField(bizContent, 'FromAlipayUserId') || xmlField(bizContent, 'FromUserId') || '';
            if (!eventType || !fromUserId) throw new Refusal(400, 'EventType or FromUserId missing');
            const ctx = req.$ctx as Ctx;
            ctx.emit('lifenumber.user.event', {
              eventType,
              fromUserId,
              appId: appId ?? settings.appId,
              actionParam: xmlField(bizContent, 'ActionParam') || null,
              createTime: xmlField(bizContent, 'CreateTime'),
              receivedAt: new Date().toISOString(),
              requestId: ctx.requestID,
            });
            const safeUser = fromUserId.replace(/[^A-Za-z0-9+/=_-]/g, '');
            const ack = `<XML><ToUserId><![CDATA[${safeUser}]]></ToUserId><AppId><![CDATA[${settings.appId}]]></AppId><CreateTime>${Date.now()}</CreateTime><MsgType><![CDATA[ack]]></MsgType></XML>`;
            return send(req, res, 200, signedXml(ack, keysInUse.appPrivate), 'text/xml; charset=UTF-8');
          }
          throw new Refusal(400, `service ${fields.service ? JSON.stringify(fields.service.slice(0, 60)) : 'missing'} is not handled`);
        } catch (err) {
          const refusal = err instanceof Refusal ? err : new Refusal(400, 'unreadable request');
          if (refusal.status === 503) this.logger.error(`req=${req.$requestId} /alipay/gateway refused: ${refusal.reason}`);
          else audit(req, 'alipay.gateway.rejected', refusal.reason, fields);
          // The gateway check shows an answer in the Alipay console: say why, signed when we can.
          if (fields.service === 'alipay.service.check' && keysInUse?.appPrivate) {
            const content = `<success>false</success><error_code>${refusal.status === 403 ? 'VERIFY_FAILED' : 'INVALID_REQUEST'}</error_code>`;
            return send(req, res, refusal.status, signedXml(content, keysInUse.appPrivate), 'text/xml; charset=UTF-8');
          }
          return send(req, res, refusal.status, 'fail');
        }
      },
    },
  };
}
