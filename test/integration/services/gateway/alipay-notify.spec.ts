import { expect } from 'chai';
import { execFileSync } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RunningBus, startBus } from '../../../../bin/bootstrap';
import { loadConfig } from '../../../../config';
import { createFreshDatabase, query } from '../../../helpers/db';
import { eventually, http, HttpResult } from '../../../helpers/http';
import { TEST_JWT_ENV } from '../../../helpers/env';

/**
 * /alipay/notify and /alipay/gateway against notifications signed by an
 * independent signer: the openssl command line with a key pair openssl made,
 * playing Alipay. Nothing of the bus's own signing code is used to sign.
 */
const APP_ID = '2021004100000042';
const OTHER_APP_ID = '2021004100000043';

let tmp: string;
const file = (name: string) => path.join(tmp, name);

function openssl(args: string[], input?: string): string {
  return execFileSync('openssl', args, { input, stdio: ['pipe', 'pipe', 'pipe'] }).toString('utf8');
}

/** The string Alipay signs for a notification, written here from DOMAIN.md, not imported. */
function notifyString(fields: Record<string, string>): string {
  return Object.keys(fields)
    .filter((k) => k !== 'sign' && k !== 'sign_type' && fields[k] !== '')
    .sort()
    .map((k) => `${k}=${fields[k]}`)
    .join('&');
}

/** openssl dgst -<digest> -sign <key>, base64 on one line. */
function opensslSign(content: string, key = file('alipay-private.pem'), digest = 'sha256'): string {
  fs.writeFileSync(file('content.txt'), content, 'utf8');
  openssl(['dgst', `-${digest}`, '-sign', key, '-out', file('content.sig'), file('content.txt')]);
  return openssl(['base64', '-A', '-in', file('content.sig')]).trim();
}

function opensslVerify(content: string, signatureBase64: string, publicKey: string): boolean {
  fs.writeFileSync(file('verify.txt'), content, 'utf8');
  fs.writeFileSync(file('verify.sig'), Buffer.from(signatureBase64, 'base64'));
  try {
    return /Verified OK/.test(openssl(['dgst', '-sha256', '-verify', publicKey, '-signature', file('verify.sig'), file('verify.txt')]));
  } catch {
    return false;
  }
}

function chinaTime(at: Date): string {
  return new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

let seq = 0;
/** A trade_status_sync notification as Alipay sends it, signed by openssl. */
function notification(overrides: Record<string, string> = {}, opts: { digest?: string } = {}): Record<string, string> {
  seq++;
  const now = new Date();
  const fields: Record<string, string> = {
    notify_type: 'trade_status_sync',
    notify_id: `${randomBytes(16).toString('hex')}${String(seq).padStart(3, '0')}`,
    notify_time: chinaTime(now),
    charset: 'utf-8',
    version: '1.0',
    app_id: APP_ID,
    auth_app_id: APP_ID,
    trade_no: `2025010122001${String(Date.now()).slice(-10)}${String(seq).padStart(5, '0')}`,
    out_trade_no: `GB${process.pid}T${seq}${randomBytes(3).toString('hex')}`,
    trade_status: 'TRADE_SUCCESS',
    total_amount: '123.45',
    receipt_amount: '123.45',
    buyer_id: '2088100000000001',
    seller_id: '2088000000000001',
    subject: '电费缴纳 3301000001',
    gmt_create: chinaTime(new Date(now.getTime() - 60_000)),
    gmt_payment: chinaTime(new Date(now.getTime() - 30_000)),
    ...overrides,
  };
  return { ...fields, sign_type: 'RSA2', sign: opensslSign(notifyString(fields), undefined, opts.digest) };
}

function post(base: string, route: string, fields: Record<string, string>, requestId: string, contentType = 'application/x-www-form-urlencoded; charset=utf-8'): Promise<HttpResult> {
  return http(`${base}${route}`, {
    method: 'POST',
    headers: { 'Content-Type': contentType, 'X-Request-ID': requestId },
    body: new URLSearchParams(fields).toString(),
  });
}

function busConfig(databaseUrl: string, extra: Record<string, string> = {}) {
  return loadConfig({ ...TEST_JWT_ENV,
    DATABASE_URL: databaseUrl,
    SERVICES: 'gateway,payment,audit',
    SIMULATORS: 'off',
    HTTP_PORT: '0',
    LOG_LEVEL: 'error',
    NODE_ID: `alipay-notify-${process.pid}`,
    ALIPAY_APP_ID: APP_ID,
    ALIPAY_PUBLIC_KEY_FILE: file('alipay-public.pem'),
    ALIPAY_APP_PRIVATE_KEY_FILE: file('app-private.pem'),
    ...extra,
  });
}

interface Probe {
  stored: Array<Record<string, unknown>>;
  userEvents: Array<Record<string, unknown>>;
}

async function addProbe(bus: RunningBus): Promise<Probe> {
  const probe: Probe = { stored: [], userEvents: [] };
  const name = `probe-${randomBytes(3).toString('hex')}`;
  bus.broker.createService({
    name,
    events: {
      'payment.notification.stored'(ctx: { params: Record<string, unknown> }) {
        probe.stored.push(ctx.params);
      },
      'lifenumber.user.event'(ctx: { params: Record<string, unknown> }) {
        probe.userEvents.push(ctx.params);
      },
    },
  });
  await bus.broker.waitForServices(['payment', name]);
  return probe;
}

async function auditRows(databaseUrl: string, requestId: string) {
  return eventually(
    () => query<{ actor: string; action: string; outcome: string; details: { reason: string } }>(databaseUrl, 'SELECT actor, action, outcome, details FROM audit_log WHERE request_id = $1', [requestId]),
    (rows) => rows.length > 0,
    10000,
  );
}

const storedCount = async (databaseUrl: string, where: string, params: unknown[]) =>
  Number((await query<{ n: string }>(databaseUrl, `SELECT count(*) AS n FROM alipay_notifications WHERE ${where}`, params))[0].n);

before(function () {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-alipay-'));
  for (const who of ['alipay', 'app']) {
    openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', file(`${who}-private.pem`)]);
    openssl(['pkey', '-in', file(`${who}-private.pem`), '-pubout', '-out', file(`${who}-public.pem`)]);
  }
});

after(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('gateway - /alipay/notify with notifications signed by openssl (real PostgreSQL)', () => {
  let db: { url: string; drop(): Promise<void> };
  let bus: RunningBus;
  let base: string;
  let probe: Probe;

  before(async () => {
    db = await createFreshDatabase();
    bus = await startBus(busConfig(db.url));
    base = bus.gatewayUrl!;
    probe = await addProbe(bus);
  });

  after(async () => {
    await bus?.stop();
    await db?.drop();
  });

  it('accepts a notification signed with the Alipay key: answers exactly success (text/plain) and stores it once, amounts in fen', async () => {
    const n = notification({ total_amount: '0.29', receipt_amount: '0.29' });
    const res = await post(base, '/alipay/notify', n, `ok-${n.notify_id}`);
    expect(res.status).to.equal(200);
    expect(res.text).to.equal('success');
    expect(res.headers.get('content-type')).to.match(/^text\/plain/);
    const rows = await query<Record<string, unknown>>(db.url, 'SELECT * FROM alipay_notifications WHERE notify_id = $1', [n.notify_id]);
    expect(rows).to.have.length(1);
    expect(rows[0]).to.include({ out_trade_no: n.out_trade_no, trade_status: 'TRADE_SUCCESS', app_id: APP_ID, trade_no: n.trade_no, buyer_id: n.buyer_id });
    expect(Number(rows[0].total_fen)).to.equal(29);
    expect(Number(rows[0].receipt_fen)).to.equal(29);
    expect((rows[0].fields as Record<string, string>).sign).to.equal(n.sign);
    await eventually(async () => probe.stored.filter((e) => e.notifyId === n.notify_id).length, (c) => c === 1);
    expect(probe.stored.find((e) => e.notifyId === n.notify_id)).to.include({ totalFen: 29, outTradeNo: n.out_trade_no });
  });

  it('refuses the notification when any one field is changed after signing (every field in turn): 4xx, not success, audited, not stored', async () => {
    const n = notification();
    const fields = Object.keys(n).filter((k) => k !== 'sign' && k !== 'sign_type');
    expect(fields.length).to.be.greaterThan(15);
    const requestIds: string[] = [];
    for (const field of fields) {
      const changed = { ...n, [field]: n[field].endsWith('1') ? `${n[field].slice(0, -1)}2` : `${n[field].slice(0, -1)}1` };
      expect(changed[field]).to.not.equal(n[field]);
      const requestId = `tamper-${field}-${n.notify_id}`;
      requestIds.push(requestId);
      const res = await post(base, '/alipay/notify', changed, requestId);
      expect(res.status, field).to.be.within(400, 499);
      expect(res.text, field).to.not.equal('success');
      expect(res.text, field).to.equal('fail');
    }
    for (const requestId of requestIds) {
      const rows = await auditRows(db.url, requestId);
      expect(rows, requestId).to.have.length(1);
      expect(rows[0]).to.deep.include({ actor: 'alipay', action: 'alipay.notify.rejected', outcome: 'denied' });
      expect(rows[0].details.reason).to.equal('signature does not verify with the Alipay public key');
    }
    expect(await storedCount(db.url, 'notify_id = $1 OR out_trade_no = $2', [n.notify_id, n.out_trade_no])).to.equal(0);
    expect(probe.stored.filter((e) => e.outTradeNo === n.out_trade_no)).to.have.length(0);
  });

  const refusals: Array<[string, () => Record<string, string>, RegExp]> = [
    ['a missing sign', () => {
      const n = notification();
      delete n.sign;
      return n;
    }, /^sign missing$/],
    ['an empty sign', () => ({ ...notification(), sign: '' }), /^sign missing$/],
    ['a missing sign_type', () => {
      const n = notification();
      delete n.sign_type;
      return n;
    }, /sign_type missing/],
    ['sign_type RSA on an RSA2 signature', () => ({ ...notification(), sign_type: 'RSA' }), /only RSA2/],
    ['sign_type RSA with a SHA-1 signature (the downgrade the npm SDK would verify)', () => ({ ...notification({}, { digest: 'sha1' }), sign_type: 'RSA' }), /only RSA2/],
    ['a SHA-1 signature claimed as RSA2', () => notification({}, { digest: 'sha1' }), /does not verify/],
    ['a signature by another key', () => {
      const n = notification();
      return { ...n, sign: opensslSign(notifyString(n), file('app-private.pem')) };
    }, /does not verify/],
    ['a correctly signed notification for another app_id', () => notification({ app_id: OTHER_APP_ID, auth_app_id: OTHER_APP_ID }), /^app_id is not ours$/],
    ['a correctly signed notification older than the 25 h retry horizon', () => notification({ notify_time: chinaTime(new Date(Date.now() - 26 * 3600_000)) }), /outside the accepted window/],
    ['a correctly signed notification from the future', () => notification({ notify_time: chinaTime(new Date(Date.now() + 3600_000)) }), /outside the accepted window/],
    ['a correctly signed notification without notify_id', () => notification({ notify_id: '' }), /notify_id missing/],
  ];
  for (const [what, make, reason] of refusals) {
    it(`refuses ${what}: 4xx fail, audited, not stored`, async () => {
      const n = make();
      const requestId = `refuse-${randomBytes(6).toString('hex')}`;
      const res = await post(base, '/alipay/notify', n, requestId);
      expect(res.status).to.be.within(400, 499);
      expect(res.text).to.equal('fail');
      const [row] = await auditRows(db.url, requestId);
      expect(row).to.deep.include({ actor: 'alipay', action: 'alipay.notify.rejected', outcome: 'denied' });
      expect(row.details.reason).to.match(reason);
      expect(await storedCount(db.url, 'out_trade_no = $1', [n.out_trade_no])).to.equal(0);
    });
  }

  it('accepts a notification 24 h old (a late Alipay retry is inside the window)', async () => {
    const n = notification({ notify_time: chinaTime(new Date(Date.now() - 24 * 3600_000)) });
    const res = await post(base, '/alipay/notify', n, `late-${n.notify_id}`);
    expect(res.text).to.equal('success');
    expect(await storedCount(db.url, 'notify_id = $1', [n.notify_id])).to.equal(1);
  });

  it('refuses a body that is not a form (415) and a repeated field (400), audited', async () => {
    const n = notification();
    const json = await http(`${base}/alipay/notify`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Request-ID': `json-${n.notify_id}` }, body: JSON.stringify(n) });
    expect(json.status).to.equal(415);
    expect(json.text).to.equal('fail');
    const body = `${new URLSearchParams(n).toString()}&total_amount=0.01`;
    const repeated = await http(`${base}/alipay/notify`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Request-ID': `rep-${n.notify_id}` }, body });
    expect(repeated.status).to.equal(400);
    expect(repeated.text).to.equal('fail');
    expect((await auditRows(db.url, `json-${n.notify_id}`))[0].details.reason).to.match(/content type/);
    expect((await auditRows(db.url, `rep-${n.notify_id}`))[0].details.reason).to.match(/repeated/);
    expect(await storedCount(db.url, 'notify_id = $1', [n.notify_id])).to.equal(0);
  });

  it('acknowledges a replayed notification with success without doing the work twice (also five at once)', async () => {
    const n = notification();
    for (let i = 0; i < 3; i++) {
      const res = await post(base, '/alipay/notify', n, `replay-${i}-${n.notify_id}`);
      expect(res.status).to.equal(200);
      expect(res.text).to.equal('success');
    }
    const burst = notification();
    const answers = await Promise.all([0, 1, 2, 3, 4].map((i) => post(base, '/alipay/notify', burst, `burst-${i}-${burst.notify_id}`)));
    expect(answers.map((a) => a.text)).to.deep.equal(Array(5).fill('success'));
    expect(await storedCount(db.url, 'notify_id = $1', [n.notify_id])).to.equal(1);
    expect(await storedCount(db.url, 'notify_id = $1', [burst.notify_id])).to.equal(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(probe.stored.filter((e) => e.notifyId === n.notify_id)).to.have.length(1);
    expect(probe.stored.filter((e) => e.notifyId === burst.notify_id)).to.have.length(1);
  });

  it('keys trade notifications by (out_trade_no, trade_status): a new notify_id for the same status is a duplicate, the next status is stored', async () => {
    const first = notification();
    // an order for it, so the first is applied (a notification for an unknown order is an anomaly, each kept)
    await query(
      db.url,
      `INSERT INTO payment_orders (out_trade_no, kind, user_id, account_no, amount_fen, arrears_fen, bill_key, subject, state, expires_at)
       VALUES ($1, 'PAY', 'u', '3301000001', $2, $2, '202611', 's', 'WAIT_PAY', now() + interval '15 minutes')`,
      [first.out_trade_no, Math.round(Number(first.total_amount) * 100)],
    );
    const again = notification({ out_trade_no: first.out_trade_no, trade_no: first.trade_no });
    const finished = notification({ out_trade_no: first.out_trade_no, trade_no: first.trade_no, trade_status: 'TRADE_FINISHED' });
    expect(again.notify_id).to.not.equal(first.notify_id);
    for (const n of [first, again, finished]) expect((await post(base, '/alipay/notify', n, `pair-${n.notify_id}`)).text).to.equal('success');
    const rows = await query<{ notify_id: string; trade_status: string }>(db.url, 'SELECT notify_id, trade_status FROM alipay_notifications WHERE out_trade_no = $1 ORDER BY id', [first.out_trade_no]);
    expect(rows).to.deep.equal([
      { notify_id: first.notify_id, trade_status: 'TRADE_SUCCESS' },
      { notify_id: finished.notify_id, trade_status: 'TRADE_FINISHED' },
    ]);
    await new Promise((r) => setTimeout(r, 300));
    expect(probe.stored.filter((e) => e.outTradeNo === first.out_trade_no)).to.have.length(2);
  });

  it('answers fail (4xx, so Alipay retries and someone looks) for a signed notification whose amount is not yuan', async () => {
    const n = notification({ total_amount: '12.345' });
    const res = await post(base, '/alipay/notify', n, `amount-${n.notify_id}`);
    expect(res.status).to.equal(422);
    expect(res.text).to.equal('fail');
    expect(await storedCount(db.url, 'notify_id = $1', [n.notify_id])).to.equal(0);
  });

  describe('life-number gateway (/alipay/gateway)', () => {
    function gatewayCall(service: string, eventType: string, extra: Record<string, string> = {}): Record<string, string> {
      const biz =
        `<XML><AppId><![CDATA[${APP_ID}]]></AppId><FromUserId><![CDATA[2088100000000002]]></FromUserId><CreateTime>${Date.now()}</CreateTime>` +
        `<MsgType><![CDATA[event]]></MsgType><EventType><![CDATA[${eventType}]]></EventType><ActionParam><![CDATA[]]></ActionParam>` +
        `<AgreementId><![CDATA[]]></AgreementId><AccountNo><![CDATA[]]></AccountNo></XML>`;
      const fields: Record<string, string> = { service, biz_content: biz, charset: 'utf-8', sign_type: 'RSA2', ...extra };
      // Gateway calls are verified like requests (rsaCheckV2): only `sign` is left out.
      const content = Object.keys(fields).filter((k) => fields[k] !== '').sort().map((k) => `${k}=${fields[k]}`).join('&');
      return { ...fields, sign: opensslSign(content) };
    }

    it('answers verifygw with <success>true</success> and our public key, signed with our app key (checked by openssl)', async () => {
      const res = await post(base, '/alipay/gateway', gatewayCall('alipay.service.check', 'verifygw'), `verifygw-${process.pid}`);
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.match(/xml/);
      const m = /^<\?xml version="1.0" encoding="UTF-8"\?><alipay><response>(.*)<\/response><sign>([^<]+)<\/sign><sign_type>RSA2<\/sign_type><\/alipay>$/.exec(res.text);
      expect(m, res.text).to.not.equal(null);
      const ourKey = fs.readFileSync(file('app-public.pem'), 'utf8').replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
      expect(m![1]).to.equal(`<success>true</success><biz_content>${ourKey}</biz_content>`);
      expect(opensslVerify(m![1], m![2], file('app-public.pem'))).to.equal(true);
      expect(opensslVerify(m![1], m![2], file('alipay-public.pem'))).to.equal(false);
    });

    it('refuses a verifygw call that Alipay did not sign: 403, signed <success>false</success>, audited', async () => {
      const call = { ...gatewayCall('alipay.service.check', 'verifygw'), charset: 'GBK' };
      const res = await post(base, '/alipay/gateway', call, `verifygw-bad-${process.pid}`);
      expect(res.status).to.equal(403);
      expect(res.text).to.contain('<success>false</success>');
      expect(res.text).to.not.contain('<biz_content>');
      const [row] = await auditRows(db.url, `verifygw-bad-${process.pid}`);
      expect(row).to.deep.include({ action: 'alipay.gateway.rejected', outcome: 'denied' });
    });

    it('records follow and unfollow as lifenumber.user.event and acknowledges them with signed XML', async () => {
      for (const eventType of ['follow', 'unfollow']) {
        const res = await post(base, '/alipay/gateway', gatewayCall('alipay.mobile.public.message.notify', eventType), `${eventType}-${process.pid}`);
        expect(res.status).to.equal(200);
        const m = /<response>(.*)<\/response><sign>([^<]+)<\/sign>/.exec(res.text);
        expect(m![1]).to.contain('<MsgType><![CDATA[ack]]></MsgType>');
        expect(opensslVerify(m![1], m![2], file('app-public.pem'))).to.equal(true);
      }
      const events = await eventually(async () => probe.userEvents, (e) => e.length >= 2);
      expect(events.map((e) => [e.eventType, e.fromUserId, e.appId])).to.deep.equal([
        ['follow', '2088100000000002', APP_ID],
        ['unfollow', '2088100000000002', APP_ID],
      ]);
    });
  });
});

describe('gateway - /alipay allow-list (GATEWAY_ALIPAY_ALLOW without 127.0.0.1; the test runner is a trusted proxy)', () => {
  let db: { url: string; drop(): Promise<void> };
  let bus: RunningBus;

  before(async () => {
    db = await createFreshDatabase();
    bus = await startBus(busConfig(db.url, { GATEWAY_ALIPAY_ALLOW: '110.75.0.0/16,10.0.0.0/8', GATEWAY_TRUSTED_PROXIES: '127.0.0.1', NODE_ID: `alipay-allow-${process.pid}` }));
  });

  after(async () => {
    await bus?.stop();
    await db?.drop();
  });

  it('refuses a correctly signed notification from an address not allowed: 403 fail, audited, not stored', async () => {
    const n = notification();
    const res = await post(bus.gatewayUrl!, '/alipay/notify', n, `ip-${n.notify_id}`);
    expect(res.status).to.equal(403);
    expect(res.text).to.equal('fail');
    const [row] = await auditRows(db.url, `ip-${n.notify_id}`);
    expect(row).to.deep.include({ actor: 'alipay', action: 'alipay.notify.rejected', outcome: 'denied' });
    expect(row.details.reason).to.equal('ip not allowed');
    expect(await storedCount(db.url, 'notify_id = $1', [n.notify_id])).to.equal(0);
  });

  it('takes the client address from X-Forwarded-For only through a trusted proxy: an allowed Alipay address gets in, another does not', async () => {
    const send = (n: Record<string, string>, forwardedFor: string) =>
      http(`${bus.gatewayUrl}/alipay/notify`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Forwarded-For': forwardedFor, 'X-Request-ID': `xff-${n.notify_id}` },
        body: new URLSearchParams(n).toString(),
      });
    const ok = notification();
    expect((await send(ok, '110.75.3.4')).text).to.equal('success');
    expect(await storedCount(db.url, 'notify_id = $1', [ok.notify_id])).to.equal(1);
    const [row] = await query<{ source_ip: string }>(db.url, 'SELECT source_ip FROM alipay_notifications WHERE notify_id = $1', [ok.notify_id]);
    expect(row.source_ip).to.equal('110.75.3.4');
    const other = notification();
    const refused = await send(other, '110.75.3.4, 8.8.8.8');
    expect(refused.status).to.equal(403);
    expect((await auditRows(db.url, `xff-${other.notify_id}`))[0].details.reason).to.equal('ip not allowed');
  });

  it('refuses the life-number gateway from there too', async () => {
    const res = await http(`${bus.gatewayUrl}/alipay/gateway`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'service=alipay.service.check' });
    expect(res.status).to.equal(403);
  });
});

describe('gateway - /alipay without Alipay keys', () => {
  let db: { url: string; drop(): Promise<void> };
  let bus: RunningBus;

  before(async () => {
    db = await createFreshDatabase();
    bus = await startBus(loadConfig({ ...TEST_JWT_ENV, DATABASE_URL: db.url, SERVICES: 'gateway,payment', SIMULATORS: 'off', HTTP_PORT: '0', LOG_LEVEL: 'fatal', NODE_ID: `alipay-nokeys-${process.pid}` }));
  });

  after(async () => {
    await bus?.stop();
    await db?.drop();
  });

  it('answers 503 fail (Alipay retries later) instead of accepting anything', async () => {
    const res = await post(bus.gatewayUrl!, '/alipay/notify', notification(), 'nokeys');
    expect(res.status).to.equal(503);
    expect(res.text).to.equal('fail');
  });
});
