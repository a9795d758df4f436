import { AsyncLocalStorage } from 'async_hooks';
import { createPublicKey, KeyObject } from 'crypto';
import { AlipayRequestError, AlipaySdk } from 'alipay-sdk';
import { GridbusError } from '../../core/errors';
import { Adapter, AdapterHealth, Exchange } from '../adapter';
import { responseKeyOf, rawMember, rsa2Verify } from './signature';

export interface AlipayAdapterOptions {
  /** The OpenAPI gateway, e.g. the simulator's `http://127.0.0.1:port/gateway.do`. */
  gatewayUrl: string;
  appId: string;
  /** Our application private key (PEM). */
  appPrivateKey: string;
  /** Alipay's public key (PEM): every response must verify with it. */
  alipayPublicKey: string;
  timeoutMs?: number;
}

/** One OpenAPI answer: the response object as Alipay sent it (snake_case). */
export interface AlipayResponse {
  code: string;
  msg: string;
  sub_code?: string;
  sub_msg?: string;
  [field: string]: unknown;
}

export interface AlipayExchange extends Exchange<AlipayResponse> {
  /** `code === '10000'`. */
  ok: boolean;
}

/** Parameters of one call: common parameters such as `auth_token` or `notify_url`, legacy top-level business fields, or `bizContent`. */
export type AlipayCallParams = Record<string, unknown>;

/** Codes after which the outcome is unknown or the platform asks to come back later. */
const RETRYABLE_CODES = new Set(['20000', '40005']);
const RETRYABLE_SUB_CODES = new Set(['ACQ.SYSTEM_ERROR', 'isp.unknow-error', 'aop.ACQ.SYSTEM_ERROR']);

/** Alipay expects `timestamp` in China Standard Time whatever the host's zone (the SDK uses local time). */
export function alipayTimestamp(at: Date = new Date()): string {
  return new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

class ResponseSignatureError extends Error {
  constructor(readonly reason: string, readonly raw: string) {
    super(reason);
    this.name = 'ResponseSignatureError';
  }
}

interface CallScope {
  raw?: string;
}

/**
 * The official SDK signs and sends the request; the response is verified
 * here, strictly: the SDK skips verification when it has no Alipay key,
 * fails with a TypeError on an unsigned answer, and finds the signed text
 * by string offsets. Our check reads the exact raw member and always runs.
 */
class VerifyingAlipaySdk extends AlipaySdk {
  constructor(
    config: ConstructorParameters<typeof AlipaySdk>[0],
    private readonly alipayKey: KeyObject,
    private readonly scope: AsyncLocalStorage<CallScope>,
  ) {
    super(config);
  }

  override checkResponseSign(responseDataRaw: string, responseKey: string, serverSign: string): void {
    const store = this.scope.getStore();
    if (store) store.raw = responseDataRaw;
    const signed = rawMember(responseDataRaw, responseKey) ?? rawMember(responseDataRaw, 'error_response');
    if (signed === null) throw new ResponseSignatureError('the response object is missing', responseDataRaw);
    if (!serverSign) throw new ResponseSignatureError('the response is not signed', responseDataRaw);
    if (!rsa2Verify(signed, serverSign, this.alipayKey)) throw new ResponseSignatureError('the response signature does not verify with the Alipay public key', responseDataRaw);
  }
}

/**
 * The Alipay open platform (OpenAPI 2.0 gateway): RSA2-signed form posts,
 * signed JSON answers. Generic: which method and fields mean what is the
 * caller's business.
 */
export class AlipayAdapter implements Adapter {
  readonly kind = 'http' as const;
  readonly id: string;
  private readonly sdk: VerifyingAlipaySdk;
  private readonly scope = new AsyncLocalStorage<CallScope>();
  private lastError: string | null = null;
  private calls = 0;

  constructor(private readonly options: AlipayAdapterOptions) {
    this.id = `alipay:${options.gatewayUrl}`;
    this.sdk = new VerifyingAlipaySdk(
      {
        appId: options.appId,
        privateKey: options.appPrivateKey,
        keyType: 'PKCS8',
        alipayPublicKey: options.alipayPublicKey,
        gateway: options.gatewayUrl,
        signType: 'RSA2',
        timeout: options.timeoutMs ?? 10_000,
        camelcase: false,
      },
      createPublicKey(options.alipayPublicKey),
      this.scope,
    );
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  async health(): Promise<AdapterHealth> {
    if (this.lastError) return { status: 'degraded', detail: `${this.options.gatewayUrl}: last call failed: ${this.lastError}` };
    return { status: 'up', detail: this.calls ? this.options.gatewayUrl : `${this.options.gatewayUrl} (no call yet)` };
  }

  /**
   * Calls one OpenAPI method. Transport failures and answers that are not
   * signed by Alipay throw GridbusErrors; business answers (any `code`) come
   * back as they are, for the caller to read (see `requireSuccess`).
   */
  async call(method: string, params: AlipayCallParams = {}): Promise<AlipayExchange> {
    const started = Date.now();
    const sendParams: Record<string, unknown> = { timestamp: alipayTimestamp() };
    for (const [key, value] of Object.entries(params)) {
      // Alipay leaves empty values out of the string it verifies; the SDK would sign them.
      if (value !== undefined && value !== null && value !== '') sendParams[key] = key === 'bizContent' ? value : String(value);
    }
    const store: CallScope = {};
    this.calls++;
    let body: AlipayResponse;
    try {
      body = (await this.scope.run(store, () => this.sdk.exec(method, sendParams, { validateSign: true }))) as unknown as AlipayResponse;
    } catch (err) {
      throw this.fail(err, method);
    }
    this.lastError = null;
    return {
      body,
      ok: body.code === '10000',
      rawRequest: `${method} ${JSON.stringify(Object.keys(sendParams).sort())}`,
      rawResponse: store.raw,
      durationMs: Date.now() - started,
    };
  }

  private fail(err: unknown, method: string): GridbusError {
    if (err instanceof ResponseSignatureError) {
      this.lastError = err.reason;
      return new GridbusError('BACKEND_BAD_RESPONSE', `${method}: refused the answer of ${this.options.gatewayUrl}: ${err.reason}`, {
        details: { method, reason: err.reason },
      });
    }
    const cause = (err as { cause?: { name?: string; code?: string; message?: string } })?.cause;
    const message = (err as Error)?.message ?? String(err);
    if (cause?.name && /Timeout/i.test(cause.name)) {
      this.lastError = 'timeout';
      return new GridbusError('BACKEND_TIMEOUT', `${method}: no answer from ${this.options.gatewayUrl} in time`, { details: { method }, cause: err });
    }
    if (err instanceof AlipayRequestError && /HttpClient Request error/.test(message)) {
      this.lastError = cause?.code ?? cause?.message ?? 'error';
      return new GridbusError('BACKEND_UNAVAILABLE', `${method}: cannot reach ${this.options.gatewayUrl} (${cause?.code ?? cause?.message ?? 'error'})`, { details: { method }, cause: err });
    }
    if (err instanceof AlipayRequestError && /status: [45]\d\d/.test(message)) {
      this.lastError = message;
      return new GridbusError('BACKEND_UNAVAILABLE', `${method}: ${this.options.gatewayUrl} answered ${message.match(/status: (\d+)/)?.[1] ?? 'an HTTP error'}`, { details: { method }, cause: err });
    }
    this.lastError = 'unreadable answer';
    return new GridbusError('BACKEND_BAD_RESPONSE', `${method}: the answer of ${this.options.gatewayUrl} is not an OpenAPI response`, { details: { method }, cause: err });
  }
}

/** The business answer, or a BACKEND_FAULT carrying Alipay's code and sub_code (retryable when the outcome is unknown). */
export function requireSuccess(method: string, exchange: AlipayExchange): AlipayResponse {
  if (exchange.ok) return exchange.body;
  const { code, msg, sub_code: subCode, sub_msg: subMsg } = exchange.body;
  throw new GridbusError('BACKEND_FAULT', `${method}: Alipay answered ${code} ${msg}${subCode ? ` (${subCode}${subMsg ? `: ${subMsg}` : ''})` : ''}`, {
    retryable: RETRYABLE_CODES.has(code) || (subCode !== undefined && RETRYABLE_SUB_CODES.has(subCode)),
    details: { method, alipayCode: code, subCode: subCode ?? null, subMsg: subMsg ?? null },
  });
}

export { responseKeyOf };
