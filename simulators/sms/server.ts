import { createServer } from 'http';
import type { AddressInfo } from 'net';
import { readJsonObject, replyJson } from '../http-json';
import { randomUUID } from 'crypto';

/**
 * A stand-in for the SMS platform (HTTP/JSON, in the style of the common
 * cloud SMS APIs): send with a template, receipts later. Business errors come
 * back as HTTP 200 with a Code other than OK, as the real ones do.
 */
export const SMS_TEMPLATES: Record<string, string[]> = {
  SMS_100001: ['accountNo', 'month', 'amount'], // bill issued
  SMS_100002: ['accountNo', 'amount'], // arrears reminder
  SMS_100003: ['accountNo', 'amount', 'time'], // payment result
  SMS_100004: ['area', 'start', 'end'], // outage notice
};

/** Phones with scripted behaviour. */
export const SMS_SPECIAL_PHONES = { SERVER_ERROR: '13900000500', SLOW: '13900000408' } as const;

export interface SentMessage {
  bizId: string;
  phone: string;
  templateCode: string;
  params: Record<string, unknown>;
  outId?: string;
  at: number;
}

export interface SmsSimulator {
  url: string;
  /** Send requests received, including refused ones. */
  sendRequests(): number;
  sent(): SentMessage[];
  close(): Promise<void>;
}

const PER_PHONE_PER_MINUTE = 5;



export async function startSmsSimulator(opts: { host?: string; port?: number; slowDelayMs?: number } = {}): Promise<SmsSimulator> {
  const host = opts.host ?? '127.0.0.1';
  const sent: SentMessage[] = [];
  let sendRequests = 0;
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://sim');
    if (req.method === 'POST' && url.pathname === '/sms/send') {
      sendRequests++;
      const body = await readJsonObject(req);
      const requestId = randomUUID();
      if (!body) return replyJson(res, 400, { Code: 'isv.INVALID_JSON_PARAM', Message: 'body is not JSON', RequestId: requestId });
      const phone = String(body.phone ?? '');
      if (phone === SMS_SPECIAL_PHONES.SERVER_ERROR) return replyJson(res, 500, { Code: 'isp.SYSTEM_ERROR', Message: 'internal error', RequestId: requestId });
      if (phone === SMS_SPECIAL_PHONES.SLOW) await new Promise((r) => setTimeout(r, opts.slowDelayMs ?? 3000));
      if (!/^1\d{10}$/.test(phone)) return replyJson(res, 200, { Code: 'isv.MOBILE_NUMBER_ILLEGAL', Message: 'illegal mobile number', RequestId: requestId });
      const templateCode = String(body.templateCode ?? '');
      const required = SMS_TEMPLATES[templateCode];
      if (!required) return replyJson(res, 200, { Code: 'isv.SMS_TEMPLATE_ILLEGAL', Message: 'unknown template', RequestId: requestId });
      let params: Record<string, unknown>;
      try {
        params = typeof body.templateParams === 'string' ? JSON.parse(body.templateParams) : ((body.templateParams ?? {}) as Record<string, unknown>);
      } catch {
        return replyJson(res, 200, { Code: 'isv.INVALID_JSON_PARAM', Message: 'templateParams is not JSON', RequestId: requestId });
      }
      const missing = required.filter((k) => params[k] === undefined || params[k] === '');
      if (missing.length) return replyJson(res, 200, { Code: 'isv.TEMPLATE_MISSING_PARAMETERS', Message: `missing ${missing.join(',')}`, RequestId: requestId });
      const minuteAgo = Date.now() - 60_000;
      if (sent.filter((m) => m.phone === phone && m.at > minuteAgo).length >= PER_PHONE_PER_MINUTE) {
        return replyJson(res, 200, { Code: 'isv.BUSINESS_LIMIT_CONTROL', Message: 'too many messages to this number', RequestId: requestId });
      }
      const bizId = `${Date.now()}^${randomUUID().slice(0, 8)}`;
      sent.push({ bizId, phone, templateCode, params, outId: body.outId ? String(body.outId) : undefined, at: Date.now() });
      return replyJson(res, 200, { Code: 'OK', Message: 'OK', BizId: bizId, RequestId: requestId });
    }
    if (req.method === 'GET' && url.pathname === '/sms/receipts') {
      const m = sent.find((x) => x.bizId === url.searchParams.get('bizId'));
      if (!m) return replyJson(res, 200, { Code: 'isv.BIZ_ID_NOT_FOUND', Message: 'no such message' });
      return replyJson(res, 200, { Code: 'OK', Status: 'DELIVERED', Phone: m.phone, DeliveredAt: new Date(m.at + 1000).toISOString() });
    }
    replyJson(res, 404, { Code: 'NotFound', Message: 'no such resource' });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    sendRequests: () => sendRequests,
    sent: () => [...sent],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
