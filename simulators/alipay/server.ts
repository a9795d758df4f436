import { createServer, IncomingMessage, ServerResponse } from 'http';
import type { AddressInfo } from 'net';
import { generateKeyPairSync, KeyObject, randomBytes, randomInt } from 'crypto';
import * as iconv from 'iconv-lite';
import { ALIPAY_USERS, findAlipayUser, SIMULATOR_APP_ID } from './dataset';
import { ALIPAY_NOTIFY_RETRY_DELAYS_MS, Notifier, NotifyDelivery } from './notifier';
import { checkSha256WithRsa, chinaTime, publicKeyFrom, sha256WithRsa, signingString } from './signing';

/**
 * A stand-in for the Alipay open platform (OpenAPI 2.0 gateway), with a key
 * pair of its own made at start:
 *
 * - `POST /gateway.do`: common parameters in the query or the form, business
 *   fields in `biz_content` (JSON) or, for legacy methods, at the top level.
 *   Every request must carry a valid RSA2 signature of the configured app
 *   (our app public key); every answer is `{"<method>_response": {...},
 *   "sign": "..."}`, signed over the raw text of the response object.
 *   Methods: alipay.system.oauth.token, alipay.user.info.share,
 *   alipay.trade.create, alipay.trade.query.
 * - asynchronous notifications (`trade_status_sync`), form-encoded, signed
 *   with the simulator's key, retried until the answer is exactly `success`;
 * - life-number gateway calls (verifygw, follow, unfollow, ...) to a
 *   developer gateway, checking the signed XML answer of verifygw.
 *
 * Helpers for demos: `POST /sim/auth-codes` (user_id → auth_code),
 * `POST /sim/trades/pay` (out_trade_no → notification), `GET /sim/public-key`.
 */
export interface AlipaySimulatorOptions {
  host?: string;
  port?: number;
  /** The application allowed to call; defaults to SIMULATOR_APP_ID. */
  appId?: string;
  /** Our application public key (PEM or base64 SPKI): verifies request signatures. */
  appPublicKey: string;
  /** Waits between notification attempts; Alipay's schedule by default. */
  notifyRetryDelaysMs?: readonly number[];
  notifyTimeoutMs?: number;
  /** Where notifications of trades created without notify_url go. */
  notifyUrl?: string;
}

export type ResponseTamper = 'sign' | 'body' | 'unsigned' | null;

export interface SimTrade {
  tradeNo: string;
  outTradeNo: string;
  totalAmount: string;
  subject: string;
  buyerId: string;
  status: 'WAIT_BUYER_PAY' | 'TRADE_SUCCESS' | 'TRADE_CLOSED' | 'TRADE_FINISHED';
  notifyUrl: string | null;
  createdAt: Date;
  paidAt: Date | null;
}

export interface ReceivedCall {
  method: string;
  appId: string | null;
  signatureValid: boolean;
  code: string;
  subCode: string | null;
}

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

export interface AlipaySimulator {
  url: string;
  gatewayUrl: string;
  appId: string;
  /** The simulator's (that is, "Alipay's") public key, PEM and base64. */
  alipayPublicKeyPem: string;
  alipayPublicKeyBase64: string;
  /** A fresh single-use auth_code for a dataset user, as the mini program would get from my.getAuthCode. */
  issueAuthCode(userId: string): string;
  calls(): ReceivedCall[];
  trades(): SimTrade[];
  /** Until reset with null: corrupt the sign, alter the body after signing, or leave the sign out. */
  tamperResponses(mode: ResponseTamper): void;
  setNotifyUrl(url: string | null): void;
  /** trade_status_sync fields completed with defaults (and the trade's data when out_trade_no is known), signed. */
  notification(fields?: Record<string, string>): Record<string, string>;
  /** Signs any fields as Alipay signs a notification (no defaults added). */
  signNotification(fields: Record<string, string>): Record<string, string>;
  /** Sends a notification to `url` and retries it on Alipay's (or the configured) schedule. */
  sendNotify(url: string, fields?: Record<string, string>): NotifyDelivery;
  /** The buyer pays: the trade becomes TRADE_SUCCESS and its notification is sent. */
  payTrade(outTradeNo: string, opts?: { notifyUrl?: string }): NotifyDelivery;
  deliveries(): NotifyDelivery[];
  sendGatewayEvent(url: string, event: GatewayEventOptions): Promise<GatewayEventResult>;
  close(): Promise<void>;
}

const MESSAGES: Record<string, string> = {
  '10000': 'Success',
  '20000': 'Service Currently Unavailable',
  '20001': 'Insufficient Token Permissions',
  '40001': 'Missing Required Arguments',
  '40002': 'Invalid Arguments',
  '40004': 'Business Failed',
  '40006': 'Insufficient Permissions',
};

type Payload = Record<string, unknown>;

const ok = (fields: Payload = {}): Payload => ({ code: '10000', msg: 'Success', ...fields });
const failure = (code: string, subCode: string, subMsg: string): Payload => ({ code, msg: MESSAGES[code], sub_code: subCode, sub_msg: subMsg });

class BizError extends Error {
  constructor(readonly payload: Payload) {
    super(String(payload.sub_code));
  }
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const AMOUNT = /^(0|[1-9]\d{0,8})(\.\d{1,2})?$/;
const MAX_BODY = 1024 * 1024;

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function digits(n: number): string {
  let s = '';
  while (s.length < n) s += String(randomInt(0, 10));
  return s;
}

function compactDate(at: Date): string {
  return chinaTime(at).slice(0, 10).replace(/-/g, '');
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

export async function startAlipaySimulator(opts: AlipaySimulatorOptions): Promise<AlipaySimulator> {
  const host = opts.host ?? '127.0.0.1';
  const appId = opts.appId ?? SIMULATOR_APP_ID;
  const appKey = publicKeyFrom(opts.appPublicKey);
  const own = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const alipayPrivate: KeyObject = own.privateKey;
  const alipayPublicKeyPem = own.publicKey.export({ type: 'spki', format: 'pem' }) as string;
  const alipayPublicKeyBase64 = (own.publicKey.export({ type: 'spki', format: 'der' }) as Buffer).toString('base64');
  const notifier = new Notifier(opts.notifyRetryDelaysMs ?? ALIPAY_NOTIFY_RETRY_DELAYS_MS, opts.notifyTimeoutMs ?? 5000);

  const authCodes = new Map<string, { userId: string; used: boolean }>();
  const accessTokens = new Map<string, string>(); // token → userId
  const refreshTokens = new Map<string, string>();
  const trades = new Map<string, SimTrade>(); // by out_trade_no
  const calls: ReceivedCall[] = [];
  let tamper: ResponseTamper = null;
  let defaultNotifyUrl = opts.notifyUrl ?? null;

  function sendSigned(res: ServerResponse, responseKey: string, payload: Payload): void {
    const objectText = JSON.stringify(payload);
    let sign: string | null = sha256WithRsa(objectText, alipayPrivate);
    let sentText = objectText;
    if (tamper === 'sign') sign = sign.slice(0, 10) + (sign[10] === 'A' ? 'B' : 'A') + sign.slice(11);
    if (tamper === 'unsigned') sign = null;
    if (tamper === 'body') {
      const altered = { ...payload };
      if (typeof altered.user_id === 'string') altered.user_id = ALIPAY_USERS.find((u) => u.userId !== altered.user_id)!.userId;
      else altered.msg = `${String(altered.msg)}.`;
      sentText = JSON.stringify(altered);
    }
    res.statusCode = 200;
    res.setHeader('Content-Type', 'application/json;charset=utf-8');
    res.end(`{"${responseKey}":${sentText}${sign === null ? '' : `,"sign":"${sign}"`}}`);
  }

  function issueTokens(userId: string): Payload {
    const accessToken = `authusrB${randomBytes(16).toString('hex')}`;
    const refreshToken = `authusrB${randomBytes(16).toString('hex')}`;
    accessTokens.set(accessToken, userId);
    refreshTokens.set(refreshToken, userId);
    const user = findAlipayUser(userId)!;
    return { user_id: userId, open_id: user.openId, access_token: accessToken, expires_in: 1296000, refresh_token: refreshToken, re_expires_in: 2592000, auth_start: chinaTime() };
  }

  function bizContent(params: Record<string, string>): Record<string, unknown> {
    if (!params.biz_content) throw new BizError(failure('40001', 'isv.missing-biz-content', '缺少biz_content参数'));
    try {
      const parsed = JSON.parse(params.biz_content);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      // fall through
    }
    throw new BizError(failure('40002', 'isv.invalid-parameter', 'biz_content不是合法的JSON'));
  }

  const METHODS: Record<string, (params: Record<string, string>) => Payload> = {
    'alipay.system.oauth.token'(params) {
      if (params.grant_type === 'authorization_code') {
        const entry = params.code ? authCodes.get(params.code) : undefined;
        if (!entry || entry.used) return failure('40002', 'isv.code-invalid', '授权码code无效');
        entry.used = true;
        return ok(issueTokens(entry.userId));
      }
      if (params.grant_type === 'refresh_token') {
        const userId = params.refresh_token ? refreshTokens.get(params.refresh_token) : undefined;
        if (!userId) return failure('40002', 'isv.refresh-token-invalid', '刷新令牌refresh_token无效');
        refreshTokens.delete(params.refresh_token);
        return ok(issueTokens(userId));
      }
      return failure('40002', 'isv.grant-type-invalid', 'grant_type参数不正确');
    },
    'alipay.user.info.share'(params) {
      const userId = params.auth_token ? accessTokens.get(params.auth_token) : undefined;
      if (!userId) return failure('20001', 'aop.invalid-auth-token', '无效的访问令牌');
      const u = findAlipayUser(userId)!;
      const identity = u.isCertified === 'T' ? { user_name: u.userName, cert_type: u.certType, cert_no: u.certNo, mobile: u.mobile } : {};
      return ok({ user_id: u.userId, open_id: u.openId, is_certified: u.isCertified, ...identity });
    },
    'alipay.trade.create'(params) {
      const biz = bizContent(params);
      const outTradeNo = typeof biz.out_trade_no === 'string' ? biz.out_trade_no : '';
      const totalAmount = typeof biz.total_amount === 'string' || typeof biz.total_amount === 'number' ? String(biz.total_amount) : '';
      const subject = typeof biz.subject === 'string' ? biz.subject : '';
      const buyerId = typeof biz.buyer_id === 'string' ? biz.buyer_id : typeof biz.buyer_open_id === 'string' ? biz.buyer_open_id : '';
      if (!outTradeNo || outTradeNo.length > 64) return failure('40004', 'ACQ.INVALID_PARAMETER', '参数无效: out_trade_no');
      if (!AMOUNT.test(totalAmount) || Number(totalAmount) < 0.01 || Number(totalAmount) > 100000000) return failure('40004', 'ACQ.INVALID_PARAMETER', '参数无效: total_amount');
      if (!subject) return failure('40004', 'ACQ.INVALID_PARAMETER', '参数无效: subject');
      if (!buyerId) return failure('40004', 'ACQ.INVALID_PARAMETER', '参数无效: buyer_id');
      const existing = trades.get(outTradeNo);
      if (existing) {
        if (existing.status === 'TRADE_SUCCESS' || existing.status === 'TRADE_FINISHED') return failure('40004', 'ACQ.TRADE_HAS_SUCCESS', '交易已被支付');
        if (existing.totalAmount !== totalAmount || existing.buyerId !== buyerId) return failure('40004', 'ACQ.CONTEXT_INCONSISTENT', '交易信息被篡改');
        return ok({ out_trade_no: outTradeNo, trade_no: existing.tradeNo });
      }
      const now = new Date();
      const trade: SimTrade = {
        tradeNo: `${compactDate(now)}22001${digits(15)}`,
        outTradeNo,
        totalAmount,
        subject,
        buyerId,
        status: 'WAIT_BUYER_PAY',
        notifyUrl: params.notify_url || null,
        createdAt: now,
        paidAt: null,
      };
      trades.set(outTradeNo, trade);
      return ok({ out_trade_no: outTradeNo, trade_no: trade.tradeNo });
    },
    'alipay.trade.query'(params) {
      const biz = bizContent(params);
      const trade =
        typeof biz.out_trade_no === 'string'
          ? trades.get(biz.out_trade_no)
          : typeof biz.trade_no === 'string'
            ? [...trades.values()].find((t) => t.tradeNo === biz.trade_no)
            : undefined;
      if (!trade) return failure('40004', 'ACQ.TRADE_NOT_EXIST', '交易不存在');
      const paid = trade.paidAt ? { receipt_amount: trade.totalAmount, buyer_pay_amount: trade.totalAmount, send_pay_date: chinaTime(trade.paidAt) } : {};
      return ok({ trade_no: trade.tradeNo, out_trade_no: trade.outTradeNo, buyer_user_id: trade.buyerId, trade_status: trade.status, total_amount: trade.totalAmount, ...paid });
    },
  };

  function handleCall(params: Record<string, string>): { key: string; payload: Payload; call: ReceivedCall } {
    const method = params.method ?? '';
    const known = Object.prototype.hasOwnProperty.call(METHODS, method);
    const key = known ? `${method.replace(/\./g, '_')}_response` : 'error_response';
    const call: ReceivedCall = { method, appId: params.app_id ?? null, signatureValid: false, code: '', subCode: null };
    const answer = (payload: Payload) => {
      call.code = String(payload.code);
      call.subCode = (payload.sub_code as string | undefined) ?? null;
      return { key, payload, call };
    };
    if (!method) return answer(failure('40001', 'isv.missing-method', '缺少方法名参数'));
    if (!known) return answer(failure('40002', 'isv.invalid-method', '不存在的方法名'));
    if (!params.app_id) return answer(failure('40001', 'isv.missing-app-id', '缺少AppID参数'));
    if (params.app_id !== appId) return answer(failure('40002', 'isv.invalid-app-id', '无效的AppID参数'));
    if (!params.sign) return answer(failure('40001', 'isv.missing-signature', '缺少签名参数'));
    if (params.sign_type !== 'RSA2') return answer(failure('40002', 'isv.invalid-signature-type', '无效的签名类型'));
    const content = signingString(params, ['sign']);
    call.signatureValid = checkSha256WithRsa(content, params.sign, appKey);
    if (!call.signatureValid) {
      return answer(failure('40002', 'isv.invalid-signature', `验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：${content}`));
    }
    if (!params.timestamp) return answer(failure('40001', 'isv.missing-timestamp', '缺少时间戳参数'));
    if (!TIMESTAMP.test(params.timestamp)) return answer(failure('40002', 'isv.invalid-timestamp', '非法的时间戳参数'));
    if (params.charset && params.charset.toLowerCase() !== 'utf-8') return answer(failure('40002', 'isv.invalid-charset', '字符集错误'));
    try {
      return answer(METHODS[method](params));
    } catch (err) {
      if (err instanceof BizError) return answer(err.payload);
      return answer(failure('20000', 'isp.unknow-error', '服务暂不可用'));
    }
  }

  function notificationFields(fields: Record<string, string> = {}): Record<string, string> {
    const trade = fields.out_trade_no ? trades.get(fields.out_trade_no) : undefined;
    const now = new Date();
    const amount = fields.total_amount ?? trade?.totalAmount ?? '0.01';
    const base: Record<string, string> = {
      notify_type: 'trade_status_sync',
      notify_id: `${randomBytes(16).toString('hex')}${digits(3)}`,
      notify_time: chinaTime(now),
      charset: 'utf-8',
      version: '1.0',
      app_id: appId,
      auth_app_id: appId,
      trade_no: trade?.tradeNo ?? `${compactDate(now)}22001${digits(15)}`,
      out_trade_no: trade?.outTradeNo ?? `SIM${Date.now()}${digits(4)}`,
      trade_status: trade && trade.status !== 'WAIT_BUYER_PAY' ? trade.status : 'TRADE_SUCCESS',
      total_amount: amount,
      receipt_amount: amount,
      buyer_pay_amount: amount,
      invoice_amount: amount,
      point_amount: '0.00',
      buyer_id: trade?.buyerId ?? ALIPAY_USERS[0].userId,
      seller_id: '2088000000000001',
      subject: trade?.subject ?? '电费缴纳',
      gmt_create: chinaTime(trade?.createdAt ?? now),
      gmt_payment: chinaTime(trade?.paidAt ?? now),
    };
    return signNotification({ ...base, ...fields });
  }

  function signNotification(fields: Record<string, string>): Record<string, string> {
    const unsigned: Record<string, string> = { ...fields };
    delete unsigned.sign;
    delete unsigned.sign_type;
    return { ...unsigned, sign_type: 'RSA2', sign: sha256WithRsa(signingString(unsigned, ['sign', 'sign_type']), alipayPrivate) };
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://sim');
    const json = (status: number, body: unknown) => {
      res.statusCode = status;
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.end(JSON.stringify(body));
    };
    try {
      if (req.method === 'POST' && url.pathname === '/gateway.do') {
        const params: Record<string, string> = {};
        for (const [k, v] of url.searchParams) params[k] = v;
        const body = (await readBody(req)).toString('utf8');
        if (body && /x-www-form-urlencoded/i.test(String(req.headers['content-type'] ?? ''))) {
          for (const [k, v] of new URLSearchParams(body)) params[k] = v;
        }
        const { key, payload, call } = handleCall(params);
        calls.push(call);
        return sendSigned(res, key, payload);
      }
      if (req.method === 'POST' && url.pathname === '/sim/auth-codes') {
        const body = (await readBody(req)).toString('utf8');
        const userId = url.searchParams.get('user_id') ?? new URLSearchParams(body).get('user_id') ?? '';
        if (!findAlipayUser(userId)) return json(404, { error: 'no such user', users: ALIPAY_USERS.map((u) => u.userId) });
        return json(200, { auth_code: simulator.issueAuthCode(userId) });
      }
      if (req.method === 'POST' && url.pathname === '/sim/trades/pay') {
        const body = (await readBody(req)).toString('utf8');
        const outTradeNo = url.searchParams.get('out_trade_no') ?? new URLSearchParams(body).get('out_trade_no') ?? '';
        if (!trades.has(outTradeNo)) return json(404, { error: 'no such trade' });
        const delivery = simulator.payTrade(outTradeNo);
        return json(200, { notify_id: delivery.notifyId, notify_url: delivery.url });
      }
      if (req.method === 'GET' && url.pathname === '/sim/public-key') {
        res.setHeader('Content-Type', 'text/plain; charset=utf-8');
        return res.end(alipayPublicKeyBase64);
      }
      json(404, { error: 'not found' });
    } catch (err) {
      json(400, { error: (err as Error).message });
    }
  });

  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, host, resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const simulator: AlipaySimulator = {
    url: base,
    gatewayUrl: `${base}/gateway.do`,
    appId,
    alipayPublicKeyPem,
    alipayPublicKeyBase64,
    issueAuthCode(userId) {
      if (!findAlipayUser(userId)) throw new Error(`no Alipay user ${userId} in the simulator dataset`);
      const code = randomBytes(16).toString('hex');
      authCodes.set(code, { userId, used: false });
      return code;
    },
    calls: () => calls.map((c) => ({ ...c })),
    trades: () => [...trades.values()].map((t) => ({ ...t })),
    tamperResponses(mode) {
      tamper = mode;
    },
    setNotifyUrl(notifyUrl) {
      defaultNotifyUrl = notifyUrl;
    },
    notification: notificationFields,
    signNotification,
    sendNotify(target, fields) {
      return notifier.deliver(target, notificationFields(fields));
    },
    payTrade(outTradeNo, payOpts = {}) {
      const trade = trades.get(outTradeNo);
      if (!trade) throw new Error(`no trade ${outTradeNo}`);
      const target = payOpts.notifyUrl ?? trade.notifyUrl ?? defaultNotifyUrl;
      if (!target) throw new Error(`trade ${outTradeNo} has no notify_url and the simulator no default`);
      trade.status = 'TRADE_SUCCESS';
      trade.paidAt = new Date();
      return notifier.deliver(target, notificationFields({ out_trade_no: outTradeNo }));
    },
    deliveries: () => [...notifier.deliveries],
    async sendGatewayEvent(target, event) {
      const charset = event.charset ?? 'utf-8';
      const fromUserId = event.fromUserId ?? ALIPAY_USERS[0].userId;
      const bizContentXml =
        `<XML><AppId><![CDATA[${appId}]]></AppId><FromUserId><![CDATA[${fromUserId}]]></FromUserId>` +
        `<CreateTime>${Date.now()}</CreateTime><MsgType><![CDATA[event]]></MsgType>` +
        `<EventType><![CDATA[${event.eventType}]]></EventType><ActionParam><![CDATA[${event.actionParam ?? ''}]]></ActionParam>` +
        `<AgreementId><![CDATA[]]></AgreementId><AccountNo><![CDATA[]]></AccountNo></XML>`;
      const fields: Record<string, string> = {
        service: event.eventType === 'verifygw' ? 'alipay.service.check' : 'alipay.mobile.public.message.notify',
        biz_content: bizContentXml,
        charset,
        sign_type: 'RSA2',
      };
      fields.sign = sha256WithRsa(signingString(fields, ['sign']), alipayPrivate);
      const res = await fetch(target, {
        method: 'POST',
        headers: { 'Content-Type': `application/x-www-form-urlencoded; charset=${charset}` },
        body: encodeForm(fields, charset),
        signal: AbortSignal.timeout(opts.notifyTimeoutMs ?? 5000),
      });
      const text = await res.text();
      let verified = false;
      const m = /<alipay><response>([\s\S]*)<\/response><sign>([^<]*)<\/sign><sign_type>RSA2<\/sign_type><\/alipay>\s*$/.exec(text);
      if (m) {
        const signedOk = checkSha256WithRsa(m[1], m[2], appKey);
        if (event.eventType === 'verifygw') {
          const ourKey = (appKey.export({ type: 'spki', format: 'der' }) as Buffer).toString('base64');
          verified = signedOk && m[1] === `<success>true</success><biz_content>${ourKey}</biz_content>`;
        } else {
          verified = signedOk;
        }
      }
      return { status: res.status, text, verified };
    },
    close: () =>
      new Promise<void>((resolve) => {
        notifier.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return simulator;
}
