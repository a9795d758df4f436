import { expect } from 'chai';
import { generateKeyPairSync, randomBytes } from 'crypto';
import * as fs from 'fs';
import { createServer, Server } from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { AlipaySdk } from 'alipay-sdk';
import { AlipayAdapter, requireSuccess } from '../../../adapters/alipay';
import { RunningBus, startBus } from '../../../bin/bootstrap';
import { loadConfig } from '../../../config';
import { ALIPAY_USERS } from '../../../simulators/alipay/dataset';
import { AlipaySimulator, startAlipaySimulator } from '../../../simulators/alipay/server';
import { createFreshDatabase, query } from '../../helpers/db';
import { eventually } from '../../helpers/http';
import { TEST_JWT_ENV } from '../../helpers/env';

type Db = { url: string; drop(): Promise<void> };

async function probeEvents(bus: RunningBus, event: string): Promise<Array<Record<string, unknown>>> {
  const seen: Array<Record<string, unknown>> = [];
  const name = `probe-${randomBytes(3).toString('hex')}`;
  bus.broker.createService({ name, events: { [event]: (ctx: { params: Record<string, unknown> }) => void seen.push(ctx.params) } });
  await bus.broker.waitForServices([name]);
  return seen;
}

const rows = (db: Db, notifyId: string) => query<{ total_fen: string; trade_status: string }>(db.url, 'SELECT total_fen, trade_status FROM alipay_notifications WHERE notify_id = $1', [notifyId]);

describe('e2e - the Alipay simulator notifies a running bus (keys configured, compressed retry schedule)', () => {
  const app = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const appPrivatePem = app.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const appPublicPem = app.publicKey.export({ type: 'spki', format: 'pem' }) as string;
  let sim: AlipaySimulator;
  let db: Db;
  let bus: RunningBus;
  let notifyUrl: string;
  let stored: Array<Record<string, unknown>>;

  before(async () => {
    sim = await startAlipaySimulator({ appPublicKey: appPublicPem, appId: '2021004200000001', notifyRetryDelaysMs: [150, 150, 150, 150, 150, 150, 150] });
    db = await createFreshDatabase();
    bus = await startBus(
      loadConfig({ ...TEST_JWT_ENV,
        DATABASE_URL: db.url,
        SERVICES: 'gateway,payment,audit',
        SIMULATORS: 'off',
        HTTP_PORT: '0',
        LOG_LEVEL: 'error',
        NODE_ID: `alipay-e2e-${process.pid}`,
        ALIPAY_GATEWAY_URL: sim.gatewayUrl,
        ALIPAY_APP_ID: sim.appId,
        ALIPAY_APP_PRIVATE_KEY: appPrivatePem,
        ALIPAY_PUBLIC_KEY: sim.alipayPublicKeyBase64, // the console's base64 form
      }),
    );
    notifyUrl = `${bus.gatewayUrl}/alipay/notify`;
    stored = await probeEvents(bus, 'payment.notification.stored');
  });

  after(async () => {
    await bus?.stop();
    await sim?.close();
    await db?.drop();
  });

  it('pays a trade created through the adapter: the notification is verified with the simulator key, stored, acknowledged at once', async () => {
    const alipay = new AlipayAdapter({ gatewayUrl: bus.config.alipay.gatewayUrl!, appId: bus.config.alipay.appId!, appPrivateKey: bus.config.alipay.appPrivateKey!, alipayPublicKey: bus.config.alipay.alipayPublicKey! });
    const outTradeNo = `E2E${Date.now()}`;
    requireSuccess('alipay.trade.create', await alipay.call('alipay.trade.create', { notify_url: notifyUrl, bizContent: { out_trade_no: outTradeNo, total_amount: '88.08', subject: '电费 3301000001', buyer_id: ALIPAY_USERS[0].userId } }));
    const delivery = sim.payTrade(outTradeNo);
    const outcome = await delivery.done;
    expect(outcome.acknowledged).to.equal(true);
    expect(outcome.attempts).to.have.length(1);
    expect(outcome.attempts[0]).to.include({ status: 200, body: 'success' });
    expect(delivery.fields).to.include({ notify_type: 'trade_status_sync', out_trade_no: outTradeNo, trade_status: 'TRADE_SUCCESS', total_amount: '88.08', app_id: sim.appId, sign_type: 'RSA2' });
    for (const f of ['notify_id', 'notify_time', 'trade_no', 'receipt_amount', 'buyer_id', 'gmt_payment', 'sign']) expect(delivery.fields[f], f).to.be.a('string').and.not.equal('');
    const [row] = await rows(db, delivery.notifyId);
    expect(Number(row.total_fen)).to.equal(8808);
    const queried = await alipay.call('alipay.trade.query', { bizContent: { out_trade_no: outTradeNo } });
    expect(queried.body.trade_status).to.equal('TRADE_SUCCESS');
  });

  it('signs its notifications the way the official SDK verifies them (checkNotifySignV2)', () => {
    const sdk = new AlipaySdk({ appId: sim.appId, privateKey: appPrivatePem, keyType: 'PKCS8', alipayPublicKey: sim.alipayPublicKeyPem });
    const n = sim.notification({ subject: '电费 & 违约金 = 1+1' });
    expect(sdk.checkNotifySignV2(n)).to.equal(true);
    expect(n.total_amount).to.equal('0.01');
    expect(sdk.checkNotifySignV2({ ...n, total_amount: '9.99' })).to.equal(false);
  });

  it('retries until the bus answers success: payment unavailable → 503 fail twice, then stored once', async () => {
    const payment = bus.broker.getLocalService('payment') as unknown as { originalSchema: object };
    const schema = payment.originalSchema;
    await bus.broker.destroyService(payment as never);
    const delivery = sim.sendNotify(notifyUrl, { total_amount: '10.00', receipt_amount: '10.00' });
    await eventually(async () => delivery.attempts.length, (n) => n >= 2, 5000);
    expect(delivery.attempts.slice(0, 2).map((a) => [a.status, a.body])).to.deep.equal([
      [503, 'fail'],
      [503, 'fail'],
    ]);
    bus.broker.createService(schema as never);
    const outcome = await delivery.done;
    expect(outcome.acknowledged).to.equal(true);
    expect(outcome.attempts.length).to.be.at.least(3);
    expect(outcome.attempts.at(-1)).to.include({ status: 200, body: 'success' });
    expect(await rows(db, delivery.notifyId)).to.have.length(1);
    await new Promise((r) => setTimeout(r, 200));
    expect(stored.filter((e) => e.notifyId === delivery.notifyId)).to.have.length(1);
  });

  it('answers verifygw and user events sent by the simulator (UTF-8 and GBK forms)', async () => {
    const gatewayUrl = `${bus.gatewayUrl}/alipay/gateway`;
    for (const charset of ['utf-8', 'GBK'] as const) {
      const check = await sim.sendGatewayEvent(gatewayUrl, { eventType: 'verifygw', charset });
      expect(check.status, check.text).to.equal(200);
      expect(check.verified, check.text).to.equal(true);
    }
    const events = await probeEvents(bus, 'lifenumber.user.event');
    const follow = await sim.sendGatewayEvent(gatewayUrl, { eventType: 'follow', fromUserId: ALIPAY_USERS[3].userId, charset: 'GBK', actionParam: '关注' });
    expect(follow.verified).to.equal(true);
    const [event] = await eventually(async () => events, (e) => e.length === 1);
    expect(event).to.include({ eventType: 'follow', fromUserId: ALIPAY_USERS[3].userId, appId: sim.appId, actionParam: '关注' });
  });
});

describe('e2e - the simulator retries until the answer is exactly `success`', () => {
  let sim: AlipaySimulator;
  let server: Server;
  let answers: string[];
  let received: URLSearchParams[];
  let url: string;

  before(async () => {
    const app = generateKeyPairSync('rsa', { modulusLength: 2048 });
    sim = await startAlipaySimulator({ appPublicKey: app.publicKey.export({ type: 'spki', format: 'pem' }) as string, notifyRetryDelaysMs: [50, 50, 50, 50, 50] });
    server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      received.push(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      res.statusCode = 200;
      res.end(answers.shift() ?? 'fail');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify`;
  });

  beforeEach(() => {
    answers = [];
    received = [];
  });

  after(async () => {
    await sim?.close();
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
  });

  it('does not take SUCCESS, "success\\n" or a JSON body for an acknowledgement; stops at the first exact success', async () => {
    answers = ['SUCCESS', 'success\n', '{"result":"success"}', 'success', 'success'];
    const outcome = await sim.sendNotify(url).done;
    expect(outcome.acknowledged).to.equal(true);
    expect(outcome.attempts.map((a) => a.body)).to.deep.equal(['SUCCESS', 'success\n', '{"result":"success"}', 'success']);
    expect(received).to.have.length(4);
    // every retry is the same notification: same notify_id, same signature
    expect(new Set(received.map((r) => `${r.get('notify_id')}|${r.get('sign')}`)).size).to.equal(1);
  });

  it('gives up after the schedule (1 + 5 attempts here; 8 on Alipay)', async () => {
    const outcome = await sim.sendNotify(url).done;
    expect(outcome.acknowledged).to.equal(false);
    expect(outcome.attempts).to.have.length(6);
  });
});

describe('e2e - embedded default: nothing configured, the bus starts the Alipay simulator with development keys', () => {
  let db: Db;
  let bus: RunningBus;
  let varDir: string;

  before(async () => {
    varDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-var-'));
    db = await createFreshDatabase();
    bus = await startBus(loadConfig({ ...TEST_JWT_ENV, DATABASE_URL: db.url, SERVICES: 'gateway,payment', HTTP_PORT: '0', LOG_LEVEL: 'error', VAR_DIR: varDir, NODE_ID: `alipay-embedded-${process.pid}` }));
  });

  after(async () => {
    await bus?.stop();
    await db?.drop();
    fs.rmSync(varDir, { recursive: true, force: true });
  });

  it('wires a development app key under VAR_DIR and the simulator key, so that calls and notifications verify', async () => {
    const sim = bus.alipaySimulator!;
    expect(sim).to.not.equal(null);
    expect(fs.existsSync(path.join(varDir, 'alipay', 'app-private-key.pem'))).to.equal(true);
    const a = bus.config.alipay;
    expect(a.gatewayUrl).to.equal(sim.gatewayUrl);
    expect(a.alipayPublicKey).to.equal(sim.alipayPublicKeyPem);
    const alipay = new AlipayAdapter({ gatewayUrl: a.gatewayUrl!, appId: a.appId!, appPrivateKey: a.appPrivateKey!, alipayPublicKey: a.alipayPublicKey! });
    const token = await alipay.call('alipay.system.oauth.token', { grant_type: 'authorization_code', code: sim.issueAuthCode(ALIPAY_USERS[0].userId) });
    expect(token.body.code).to.equal('10000');
    // trades created without notify_url are notified to this bus's /alipay/notify
    const outTradeNo = `EMB${Date.now()}`;
    requireSuccess('alipay.trade.create', await alipay.call('alipay.trade.create', { bizContent: { out_trade_no: outTradeNo, total_amount: '1.00', subject: '电费', buyer_id: ALIPAY_USERS[0].userId } }));
    const outcome = await sim.payTrade(outTradeNo).done;
    expect(outcome.acknowledged).to.equal(true);
    expect(await query(db.url, 'SELECT 1 FROM alipay_notifications WHERE out_trade_no = $1', [outTradeNo])).to.have.length(1);
  });
});
