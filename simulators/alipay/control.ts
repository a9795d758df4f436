import type { IncomingMessage, ServerResponse } from 'http';
import { ALIPAY_USERS, findAlipayUser } from './dataset';
import type { AlipaySimulator } from './server';

/**
 * The simulator's own HTTP surface (`/sim/...`), so a test or demo in
 * another process can play the user (pay, sign, unsign), read what Alipay
 * holds (trades, refunds, agreements) and inject faults. Parameters come in
 * the query, a form or a JSON body.
 */
const MAX_BODY = 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

async function readParams(req: IncomingMessage, url: URL): Promise<Record<string, unknown>> {
  const params: Record<string, unknown> = {};
  for (const [k, v] of url.searchParams) params[k] = v;
  const body = (await readBody(req)).toString('utf8');
  if (!body) return params;
  if (/json/i.test(String(req.headers['content-type'] ?? ''))) {
    const parsed = JSON.parse(body) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('the JSON body must be an object');
    return { ...params, ...(parsed as Record<string, unknown>) };
  }
  for (const [k, v] of new URLSearchParams(body)) params[k] = v;
  return params;
}

const str = (p: Record<string, unknown>, key: string): string => (typeof p[key] === 'string' ? (p[key] as string) : typeof p[key] === 'number' ? String(p[key]) : '');

/** Handles a `/sim/...` request; false when the path is not one of them. */
export async function handleControl(req: IncomingMessage, res: ServerResponse, url: URL, sim: AlipaySimulator): Promise<boolean> {
  const json = (status: number, body: unknown) => {
    res.statusCode = status;
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.end(JSON.stringify(body));
    return true;
  };
  const route = `${req.method} ${url.pathname}`;
  switch (route) {
    case 'GET /sim/public-key':
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end(sim.alipayPublicKeyBase64);
      return true;
    case 'GET /sim/trades':
      return json(200, sim.trades());
    case 'GET /sim/refunds':
      return json(200, sim.refunds());
    case 'GET /sim/agreements':
      return json(200, sim.agreements());
  }
  if (req.method !== 'POST' || !url.pathname.startsWith('/sim/')) return false;
  const p = await readParams(req, url);
  switch (url.pathname) {
    case '/sim/auth-codes': {
      const userId = str(p, 'user_id');
      if (!findAlipayUser(userId)) return json(404, { error: 'no such user', users: ALIPAY_USERS.map((u) => u.userId) });
      return json(200, { auth_code: sim.issueAuthCode(userId) });
    }
    case '/sim/trades/pay': {
      const outTradeNo = str(p, 'out_trade_no');
      if (!sim.trades().some((t) => t.outTradeNo === outTradeNo)) return json(404, { error: 'no such trade' });
      const delivery = sim.payTrade(outTradeNo);
      return json(200, { notify_id: delivery.notifyId, notify_url: delivery.url });
    }
    case '/sim/agreements/sign': {
      const userId = str(p, 'user_id');
      if (!findAlipayUser(userId)) return json(404, { error: 'no such user', users: ALIPAY_USERS.map((u) => u.userId) });
      const notifyUrl = str(p, 'notify_url') || undefined;
      const { agreement, delivery } = sim.signAgreement({ userId, externalAgreementNo: str(p, 'external_agreement_no'), notifyUrl });
      return json(200, { agreement_no: agreement.agreementNo, status: agreement.status, notify_id: delivery?.notifyId ?? null, notify_url: delivery?.url ?? null });
    }
    case '/sim/agreements/unsign': {
      const agreementNo = str(p, 'agreement_no');
      if (!sim.agreements().some((a) => a.agreementNo === agreementNo)) return json(404, { error: 'no such agreement' });
      const { agreement, delivery } = sim.unsignAgreement(agreementNo);
      return json(200, { agreement_no: agreement.agreementNo, status: agreement.status, notify_id: delivery?.notifyId ?? null, notify_url: delivery?.url ?? null });
    }
    case '/sim/faults': {
      const method = str(p, 'method');
      const subCode = str(p, 'sub_code');
      if (!method || !subCode) return json(400, { error: 'method and sub_code are required' });
      const times = str(p, 'times') ? Number(str(p, 'times')) : undefined;
      const applied = p.applied === true || str(p, 'applied') === 'true';
      sim.failNext(method, { subCode, code: str(p, 'code') || undefined, times, applied });
      return json(200, { method, sub_code: subCode });
    }
    case '/sim/delays': {
      const method = str(p, 'method');
      if (!method) return json(400, { error: 'method is required' });
      const ms = str(p, 'ms') ? Number(str(p, 'ms')) : null;
      if (ms !== null && !(Number.isFinite(ms) && ms >= 0)) return json(400, { error: 'ms must be a number of milliseconds, or absent to stop' });
      sim.delayMethod(method, ms);
      return json(200, { method, ms });
    }
    case '/sim/balance-short': {
      const userId = str(p, 'user_id');
      if (!findAlipayUser(userId)) return json(404, { error: 'no such user' });
      const short = !(p.short === false || str(p, 'short') === 'false');
      sim.setBalanceShort(userId, short);
      return json(200, { user_id: userId, short });
    }
  }
  return false;
}
