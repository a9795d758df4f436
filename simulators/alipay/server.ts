import { createServer, ServerResponse } from 'http';
import type { AddressInfo } from 'net';
import { generateKeyPairSync, KeyObject, randomBytes } from 'crypto';
import { BizError, Payload, digits, failure, newTradeNo, ok, toYuan } from './answers';
import { AgreementBook, SignAgreementOptions, SimAgreement } from './agreements';
import { handleControl, readBody } from './control';
import { ALIPAY_USERS, BALANCE_SHORT_USER_ID, findAlipayUser, SIMULATOR_APP_ID } from './dataset';
import { FaultPlan, FaultSpec } from './faults';
import { GatewayEventOptions, GatewayEventResult, sendGatewayEvent } from './gateway-events';
import { ALIPAY_NOTIFY_RETRY_DELAYS_MS, Notifier, NotifyDelivery } from './notifier';
import { checkSha256WithRsa, chinaTime, publicKeyFrom, sha256WithRsa, signingString } from './signing';
import { SimRefund, SimTrade, TradeBook } from './trades';

export { FaultSpec } from './faults';
export { GatewayEventOptions, GatewayEventResult } from './gateway-events';
export { SignAgreementOptions, SimAgreement } from './agreements';
export { SimRefund, SimTrade, TradeStatus } from './trades';

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
 *   alipay.trade.create, .query, .close, .refund, .fastpay.refund.query,
 *   alipay.trade.pay (withholding by agreement), alipay.user.agreement.query,
 *   alipay.user.agreement.unsign.
 * - asynchronous notifications (`trade_status_sync`, `dut_user_sign`,
 *   `dut_user_unsign`), form-encoded, signed with the simulator's key,
 *   retried until the answer is exactly `success`;
 * - life-number gateway calls (verifygw, follow, unfollow, ...) to a
 *   developer gateway, checking the signed XML answer of verifygw;
 * - injected faults: a failure answer for a method's next calls, a slow answer.
 *
 * Helpers for tests and demos in other processes: see control.ts (`/sim/...`).
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
  /** Where notifications go when the trade or agreement names no notify_url. */
  notifyUrl?: string;
}

export type ResponseTamper = 'sign' | 'body' | 'unsigned' | null;

export interface ReceivedCall {
  method: string;
  appId: string | null;
  signatureValid: boolean;
  code: string;
  subCode: string | null;
  /** The answer was an injected fault (failNext). */
  injected: boolean;
}

/** An agreement after sign/unsign, and its notification (null when nothing changed). */
export interface AgreementChange {
  agreement: SimAgreement;
  delivery: NotifyDelivery | null;
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
  /** Every out_request_no received per trade: how often it came, whether it was applied (0/1). */
  refunds(): SimRefund[];
  agreements(): SimAgreement[];
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
  /** The refund period ends: a paid trade becomes TRADE_FINISHED (refunds are then ACQ.TRADE_HAS_FINISHED) and, unless `notify` is false, its trade_status_sync TRADE_FINISHED is sent. */
  finishTrade(outTradeNo: string, opts?: { notify?: boolean; notifyUrl?: string }): NotifyDelivery | null;
  /** The user signs a withholding agreement (NORMAL) and `dut_user_sign` is sent; an agreement already in force is returned with no notification. */
  signAgreement(opts: SignAgreementOptions): AgreementChange;
  signAgreement(userId: string, externalAgreementNo: string, notifyUrl?: string): AgreementChange;
  /** The user ends the agreement (UNSIGN) and `dut_user_unsign` is sent; already unsigned: no notification. */
  unsignAgreement(agreementNo: string): AgreementChange;
  /** The signed dut_user_sign / dut_user_unsign fields of the agreement as it is now (to send again, late or twice). */
  agreementNotification(agreementNo: string, overrides?: Record<string, string>): Record<string, string>;
  /** Withholding from this user answers ACQ.BUYER_BALANCE_NOT_ENOUGH (BALANCE_SHORT_USER_ID starts so). */
  setBalanceShort(userId: string, short: boolean): void;
  /** The next call(s) of `method` answer this failure (after doing the work when `applied`). */
  failNext(method: string, spec: FaultSpec): void;
  /** The answers of `method` come `ms` late, after the work is done (a caller timing out sees a lost reply); null ends it. */
  delayMethod(method: string, ms: number | null): void;
  /** Ends every injected failure and delay. */
  clearFaults(): void;
  sendGatewayEvent(url: string, event: GatewayEventOptions): Promise<GatewayEventResult>;
  close(): Promise<void>;
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

export async function startAlipaySimulator(opts: AlipaySimulatorOptions): Promise<AlipaySimulator> {
  const host = opts.host ?? '127.0.0.1';
  const appId = opts.appId ?? SIMULATOR_APP_ID;
  const appKey = publicKeyFrom(opts.appPublicKey);
  const own = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const alipayPrivate: KeyObject = own.privateKey;
  const alipayPublicKeyPem = own.publicKey.export({ type: 'spki', format: 'pem' }) as string;
  const alipayPublicKeyBase64 = (own.publicKey.export({ type: 'spki', format: 'der' }) as Buffer).toString('base64');
  const notifyTimeoutMs = opts.notifyTimeoutMs ?? 5000;
  const notifier = new Notifier(opts.notifyRetryDelaysMs ?? ALIPAY_NOTIFY_RETRY_DELAYS_MS, notifyTimeoutMs);

  const authCodes = new Map<string, { userId: string; used: boolean }>();
  const accessTokens = new Map<string, string>(); // token → userId
  const refreshTokens = new Map<string, string>();
  const balanceShort = new Set<string>([BALANCE_SHORT_USER_ID]);
  const agreementBook = new AgreementBook(appId);
  const tradeBook = new TradeBook(agreementBook, (userId) => balanceShort.has(userId));
  const faults = new FaultPlan();
  const calls: ReceivedCall[] = [];
  const pauses = new Set<() => void>();
  let closing = false;
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

  /** Waits, unless the simulator closes first. */
  function pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        pauses.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      pauses.add(done);
    });
  }

  function issueTokens(userId: string): Payload {
    const accessToken = `authusrB${randomBytes(16).toString('hex')}`;
    const refreshToken = `authusrB${randomBytes(16).toString('hex')}`;
    accessTokens.set(accessToken, userId);
    refreshTokens.set(refreshToken, userId);
    const user = findAlipayUser(userId)!;
    return { user_id: userId, open_id: user.openId, access_token: accessToken, expires_in: 1296000, refresh_token: refreshToken, re_expires_in: 2592000, auth_start: chinaTime() };
  }

  /** The trade_status_sync of a trade just paid, where the trade or the simulator names a notify_url. */
  function notifyPaid(trade: SimTrade): void {
    const target = trade.notifyUrl ?? defaultNotifyUrl;
    if (target) notifier.deliver(target, notificationFields({ out_trade_no: trade.outTradeNo }));
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
    'alipay.trade.create': (params) => tradeBook.create(params),
    'alipay.trade.query': (params) => tradeBook.query(params),
    'alipay.trade.close': (params) => tradeBook.close(params),
    'alipay.trade.refund': (params) => tradeBook.refund(params),
    'alipay.trade.fastpay.refund.query': (params) => tradeBook.refundQuery(params),
    'alipay.trade.pay'(params) {
      const { payload, paid } = tradeBook.withhold(params);
      if (paid) notifyPaid(paid);
      return payload;
    },
    'alipay.user.agreement.query': (params) => agreementBook.query(params),
    'alipay.user.agreement.unsign'(params) {
      const { payload, ended } = agreementBook.merchantUnsign(params);
      // Alipay posts the unsign notification to the call's notify_url, else to the app gateway.
      const target = params.notify_url || defaultNotifyUrl || ended?.notifyUrl;
      if (ended && target) notifier.deliver(target, signNotification(agreementBook.notificationFields(ended)));
      return payload;
    },
  };

  function handleCall(params: Record<string, string>): { key: string; payload: Payload; call: ReceivedCall } {
    const method = params.method ?? '';
    const known = Object.prototype.hasOwnProperty.call(METHODS, method);
    const key = known ? `${method.replace(/\./g, '_')}_response` : 'error_response';
    const call: ReceivedCall = { method, appId: params.app_id ?? null, signatureValid: false, code: '', subCode: null, injected: false };
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
    const fault = faults.take(method);
    call.injected = fault !== null;
    if (fault && !fault.applied) return answer(fault.payload);
    try {
      const result = METHODS[method](params);
      return answer(fault ? fault.payload : result);
    } catch (err) {
      if (err instanceof BizError) return answer(fault ? fault.payload : err.payload);
      return answer(failure('20000', 'isp.unknow-error', '服务暂不可用'));
    }
  }

  function notificationFields(fields: Record<string, string> = {}): Record<string, string> {
    const trade = fields.out_trade_no ? tradeBook.get(fields.out_trade_no) : undefined;
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
      trade_no: trade?.tradeNo ?? newTradeNo(now),
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
    const status = fields.trade_status ?? base.trade_status;
    // A finished or closed trade's notification carries its closing time, and what was refunded.
    if (status === 'TRADE_CLOSED' || status === 'TRADE_FINISHED') base.gmt_close = chinaTime(trade?.closedAt ?? now);
    if (trade && trade.refundedFen > 0) base.refund_fee = toYuan(trade.refundedFen);
    return signNotification({ ...base, ...fields });
  }

  function signNotification(fields: Record<string, string>): Record<string, string> {
    const unsigned: Record<string, string> = { ...fields };
    delete unsigned.sign;
    delete unsigned.sign_type;
    return { ...unsigned, sign_type: 'RSA2', sign: sha256WithRsa(signingString(unsigned, ['sign', 'sign_type']), alipayPrivate) };
  }

  function deliverAgreement(agreement: SimAgreement): NotifyDelivery {
    const target = agreement.notifyUrl ?? defaultNotifyUrl;
    if (!target) throw new Error(`agreement ${agreement.agreementNo} has no notify_url and the simulator no default`);
    return notifier.deliver(target, signNotification(agreementBook.notificationFields(agreement)));
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://sim');
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
        const delay = faults.delayOf(call.method);
        if (delay > 0) await pause(delay);
        if (closing || res.destroyed) return;
        return sendSigned(res, key, payload);
      }
      if (await handleControl(req, res, url, simulator)) return;
      res.statusCode = 404;
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.end(JSON.stringify({ error: 'not found' }));
    } catch (err) {
      if (res.headersSent) return;
      res.statusCode = 400;
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.end(JSON.stringify({ error: (err as Error).message }));
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
    trades: () => tradeBook.list(),
    refunds: () => tradeBook.refunds(),
    agreements: () => agreementBook.list(),
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
      const trade = tradeBook.get(outTradeNo);
      if (!trade) throw new Error(`no trade ${outTradeNo}`);
      const target = payOpts.notifyUrl ?? trade.notifyUrl ?? defaultNotifyUrl;
      if (!target) throw new Error(`trade ${outTradeNo} has no notify_url and the simulator no default`);
      tradeBook.markPaid(trade);
      return notifier.deliver(target, notificationFields({ out_trade_no: outTradeNo }));
    },
    deliveries: () => [...notifier.deliveries],
    finishTrade(outTradeNo, finishOpts = {}) {
      const trade = tradeBook.get(outTradeNo);
      if (!trade) throw new Error(`no trade ${outTradeNo}`);
      tradeBook.finish(trade);
      if (finishOpts.notify === false) return null;
      const target = finishOpts.notifyUrl ?? trade.notifyUrl ?? defaultNotifyUrl;
      if (!target) throw new Error(`trade ${outTradeNo} has no notify_url and the simulator no default`);
      return notifier.deliver(target, notificationFields({ out_trade_no: outTradeNo }));
    },
    signAgreement(first: string | SignAgreementOptions, externalAgreementNo?: string, notifyUrl?: string): AgreementChange {
      const signOpts = typeof first === 'string' ? { userId: first, externalAgreementNo: externalAgreementNo ?? '', notifyUrl } : first;
      if (!(signOpts.notifyUrl ?? defaultNotifyUrl)) throw new Error('signAgreement: no notifyUrl given and the simulator has no default');
      const { agreement, created } = agreementBook.sign(signOpts);
      return { agreement: { ...agreement }, delivery: created ? deliverAgreement(agreement) : null };
    },
    unsignAgreement(agreementNo) {
      const { agreement, changed } = agreementBook.unsign(agreementNo);
      return { agreement: { ...agreement }, delivery: changed ? deliverAgreement(agreement) : null };
    },
    agreementNotification(agreementNo, overrides = {}) {
      const agreement = agreementBook.get(agreementNo);
      if (!agreement) throw new Error(`no agreement ${agreementNo}`);
      return signNotification({ ...agreementBook.notificationFields(agreement), ...overrides });
    },
    setBalanceShort(userId, short) {
      if (short) balanceShort.add(userId);
      else balanceShort.delete(userId);
    },
    failNext: (method, spec) => faults.failNext(method, spec),
    delayMethod: (method, ms) => faults.delayMethod(method, ms),
    clearFaults: () => faults.clear(),
    sendGatewayEvent: (target, event) => sendGatewayEvent(target, event, { appId, alipayPrivate, appKey, timeoutMs: notifyTimeoutMs }),
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        for (const done of [...pauses]) done();
        notifier.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return simulator;
}
