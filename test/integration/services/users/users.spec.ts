import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RunningBus, startBus } from '../../../../bin/bootstrap';
import { loadConfig } from '../../../../config';
import { signAccessToken } from '../../../../core/auth';
import { ALIPAY_USERS } from '../../../../simulators/alipay/dataset';
import { HOUSEHOLDS } from '../../../../simulators/marketing/dataset';
import { startUsercenterSimulator, UsercenterSimulator } from '../../../../simulators/usercenter/server';
import { TEST_PII_ENV } from '../../../helpers/binding';
import { expectContract } from '../../../helpers/contract';
import { createFreshDatabase, query } from '../../../helpers/db';
import { eventually, http, HttpResult } from '../../../helpers/http';
import { TEST_JWT_ENV } from '../../../helpers/env';
import { operatorToken } from '../../../helpers/operators';

/**
 * Users (issue 12) end to end: the mobile as primary identity, the group's
 * unified user system (the usercenter HTTP simulator, reached only through
 * the usercenter.* mappings and the outbox), GET /api/v1/me, and life-number
 * events (the signed /alipay/gateway) kept per user for the statistics and
 * the message channel. Real PostgreSQL, SOAP and Alipay simulators.
 */
describe('users - the mobile as identity, the unified user system, life-number events (real PostgreSQL, simulators)', function () {
  this.timeout(120000);
  let db: { url: string; drop(): Promise<void> };
  let bus: RunningBus;
  let uc: UsercenterSimulator;
  let base: string;
  let varDir: string;

  const A = ALIPAY_USERS[0]; // holds household 0, mobile 13800000001
  const B = ALIPAY_USERS[1]; // holds household 1
  const C = ALIPAY_USERS[2];

  const call = (method: string, route: string, userId: string, body?: unknown): Promise<HttpResult> =>
    http(`${base}/api/v1/${route}`, {
      method,
      token: signAccessToken(bus.config.auth, { sub: userId }),
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const me = async (userId: string) => {
    const res = await call('GET', 'me', userId);
    expectContract(res, 'GET /api/v1/me');
    expect(res.status, res.text).to.equal(200);
    return res.json as { userId: string; mobile: string | null; realNameStatus: string; unifiedUser: boolean; boundAccounts: number; followsLifeNumber: boolean };
  };
  /** Candidates by identity, then the first one bound (the flow that tells the bus the user's mobile). */
  const bindByIdentity = async (userId: string) => {
    const offered = await call('POST', 'bindings/candidates', userId, { authCode: bus.alipaySimulator!.issueAuthCode(userId) });
    expect(offered.status, offered.text).to.equal(200);
    const bound = await call('POST', 'bindings', userId, { candidateToken: offered.json.candidates[0].candidateToken });
    expect(bound.status, bound.text).to.equal(200);
    return bound.json as { accountNo: string };
  };
  const outboxOf = (operation: string) =>
    query<{ status: string; serial: string; attempts: number }>(db.url, 'SELECT status, serial, attempts FROM outbox WHERE operation = $1 ORDER BY id', [operation]);
  const allDelivered = async () => {
    await eventually(
      () => query<{ n: number }>(db.url, `SELECT count(*)::int AS n FROM outbox WHERE operation LIKE 'usercenter.%' AND status <> 'delivered'`),
      (rows) => rows[0].n === 0,
    );
  };

  before(async () => {
    varDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-users-'));
    db = await createFreshDatabase();
    uc = await startUsercenterSimulator();
    bus = await startBus(
      loadConfig({
        ...TEST_JWT_ENV,
        ...TEST_PII_ENV,
        DATABASE_URL: db.url,
        SERVICES: 'gateway,auth,audit,mapping,alipay,binding,marketing,users,usercenter,outbox,power',
        USERCENTER_URL: uc.url,
        HTTP_PORT: '0',
        LOG_LEVEL: 'error',
        VAR_DIR: varDir,
        NODE_ID: `users-${process.pid}`,
        OUTBOX_POLL_MS: '100',
        OUTBOX_BACKOFF_BASE_MS: '100',
        OUTBOX_BACKOFF_MAX_MS: '500',
        USERS_SYNC_MS: '200',
      }),
    );
    base = bus.gatewayUrl!;
  });

  after(async () => {
    await bus?.stop();
    await uc?.close();
    await db?.drop();
    if (varDir) fs.rmSync(varDir, { recursive: true, force: true });
  });

  it('users - GET /api/v1/me before the bus knows the user: no mobile, UNVERIFIED, no accounts, not following', async () => {
    expect(await me(C.userId)).to.deep.equal({ userId: C.userId, mobile: null, realNameStatus: 'UNVERIFIED', unifiedUser: false, boundAccounts: 0, followsLifeNumber: false });
    const anonymous = await http(`${base}/api/v1/me`);
    expectContract(anonymous, 'GET /api/v1/me');
    expect(anonymous.status).to.equal(401);
  });

  it('users - GET /api/v1/me says VERIFIED for a user whose real name the power plate knows certified, without a mobile of theirs', async () => {
    const D = 'users-real-name-d';
    await query(db.url, `INSERT INTO power_real_name (user_id, certified, checked_at) VALUES ($1, true, now())`, [D]);
    expect(await me(D)).to.include({ userId: D, mobile: null, realNameStatus: 'VERIFIED' });
  });

  it("users - someone registered in the group's app with the same mobile is the same user: no new registration, the binding pushed to them once", async () => {
    const uid = uc.seedAppUser(A.mobile!);
    const { accountNo } = await bindByIdentity(A.userId);
    const profile = await eventually(() => me(A.userId), (p) => p.unifiedUser);
    expect(profile).to.deep.equal({ userId: A.userId, mobile: '138****0001', realNameStatus: 'VERIFIED', unifiedUser: true, boundAccounts: 1, followsLifeNumber: false });
    await eventually(async () => uc.bindingsOf(uid), (b) => b.length === 1);
    await allDelivered();
    expect(uc.bindingsOf(uid)).to.deep.equal([{ consNo: accountNo, bindType: 'REALNAME' }]);
    // one person in the user center, not two; no registration was sent
    expect(uc.users().filter((u) => u.mobile === A.mobile)).to.have.length(1);
    expect(await outboxOf('usercenter.registerUser')).to.have.length(0);
    // the real-name status went with the link, each push applied once
    expect(uc.users().find((u) => u.uid === uid)!.certStatus).to.equal('Y');
    const pushes = uc.applied().filter((a) => a.path === '/uc/binding/push' && a.body.uid === uid);
    expect(pushes).to.have.length(1);
    // the mobile is stored encrypted and found by its keyed hash only
    const rows = await query<{ mobile_enc: string; mobile_hash: string }>(db.url, 'SELECT mobile_enc, mobile_hash FROM app_user');
    for (const r of rows) expect(`${r.mobile_enc}${r.mobile_hash}`).to.not.contain(A.mobile!);
  });

  it('users - a user the group does not know is registered through the outbox (a lost answer resent with the same serial, applied once), then their bindings follow', async () => {
    // the registration's first answer is lost after the user center applied it
    uc.failNext(1, { afterApply: true, path: '/uc/user/register' });
    const { accountNo } = await bindByIdentity(B.userId);
    const profile = await eventually(() => me(B.userId), (p) => p.unifiedUser);
    expect(profile).to.include({ mobile: '138****0002', realNameStatus: 'VERIFIED', boundAccounts: 1 });
    await allDelivered();
    const registered = uc.users().filter((u) => u.mobile === B.mobile);
    expect(registered).to.have.length(1);
    expect(registered[0]).to.include({ source: 'LIFE_NUMBER', alipayUid: B.userId, certStatus: 'Y' });
    const [registration] = await outboxOf('usercenter.registerUser');
    expect(registration.status).to.equal('delivered');
    expect(registration.attempts, 'the lost answer made the outbox send again').to.be.greaterThan(1);
    expect(uc.receivedBySerial().get(registration.serial)).to.equal(registration.attempts);
    expect(uc.applied().filter((a) => a.serial === registration.serial)).to.have.length(1);
    // the binding made before the unified id was known is pushed once it is
    await eventually(async () => uc.bindingsOf(registered[0].uid), (b) => b.length === 1);
    expect(uc.bindingsOf(registered[0].uid)).to.deep.equal([{ consNo: accountNo, bindType: 'REALNAME' }]);

    // later changes go in the transaction of the change: a manual binding, then its unbinding
    const other = HOUSEHOLDS[3];
    const manual = await call('POST', 'bindings/manual', B.userId, { accountNo: other.ConsNo, holderName: other.ConsName });
    expect(manual.status, manual.text).to.equal(200);
    await eventually(async () => uc.bindingsOf(registered[0].uid), (b) => b.length === 2);
    expect(uc.bindingsOf(registered[0].uid)).to.deep.include({ consNo: other.ConsNo, bindType: 'HOLDER_CHECK' });
    expect((await call('DELETE', `bindings/${other.ConsNo}`, B.userId)).status).to.equal(200);
    await eventually(async () => uc.bindingsOf(registered[0].uid), (b) => b.length === 1);
    await allDelivered();
    const pushes = uc.applied().filter((a) => a.path === '/uc/binding/push' && a.body.uid === registered[0].uid);
    expect(pushes.map((p) => [p.body.consNo, p.body.op])).to.deep.equal([
      [accountNo, 'BIND'],
      [other.ConsNo, 'BIND'],
      [other.ConsNo, 'UNBIND'],
    ]);
    // every serial the user center applied, it applied once
    for (const a of uc.applied()) expect(uc.applied().filter((x) => x.serial === a.serial)).to.have.length(1);
  });

  it('users - follow and unfollow through the signed life-number gateway are kept per user; /me and users.channelFor answer from them', async () => {
    const gateway = `${base}/alipay/gateway`;
    const follow = await bus.alipaySimulator!.sendGatewayEvent(gateway, { eventType: 'follow', fromUserId: A.userId });
    expect(follow.status, follow.text).to.equal(200);
    await eventually(() => me(A.userId), (p) => p.followsLifeNumber);
    expect(await bus.broker.call('users.channelFor', { userId: A.userId })).to.deep.equal({ userId: A.userId, followsLifeNumber: true, channel: 'LIFE_NUMBER' });
    expect(await bus.broker.call('users.channelFor', { userId: C.userId })).to.deep.equal({ userId: C.userId, followsLifeNumber: false, channel: 'SMS' });

    await new Promise((r) => setTimeout(r, 5)); // a later CreateTime (milliseconds)
    expect((await bus.alipaySimulator!.sendGatewayEvent(gateway, { eventType: 'unfollow', fromUserId: A.userId })).status).to.equal(200);
    await eventually(() => me(A.userId), (p) => !p.followsLifeNumber);
    expect(await bus.broker.call('users.channelFor', { userId: A.userId })).to.include({ channel: 'SMS' });
  });

  it('users - a redelivered event is recorded once, a late older one does not undo a newer state, an unusable one is ignored', async () => {
    const at = Date.now();
    const event = (eventType: string, createTime: number) => ({ eventType, fromUserId: C.userId, createTime: String(createTime), actionParam: null, receivedAt: new Date().toISOString(), requestId: `r${Math.random()}` });
    await bus.broker.emit('lifenumber.user.event', event('follow', at));
    await bus.broker.emit('lifenumber.user.event', event('follow', at)); // Alipay's retry of the same event
    await bus.broker.emit('lifenumber.user.event', event('unfollow', at - 60000)); // older, arriving late
    await bus.broker.emit('lifenumber.user.event', { eventType: '', fromUserId: 'x' });
    const rows = await eventually(
      () => query<{ event_type: string }>(db.url, 'SELECT event_type FROM lifenumber_event WHERE alipay_user_id = $1 ORDER BY occurred_at', [C.userId]),
      (r) => r.length === 2,
    );
    expect(rows.map((r) => r.event_type)).to.deep.equal(['unfollow', 'follow']);
    expect((await me(C.userId)).followsLifeNumber).to.equal(true);
  });

  it('users - operators see the follower count and follows/unfollows per day; a user token or a bad tz is refused', async () => {
    const token = await operatorToken(db.url, base, 'users-auditor', ['auditor']);
    const res = await http(`${base}/admin/api/followers?days=3&tz=Asia/Shanghai`, { token });
    expect(res.status, res.text).to.equal(200);
    // A followed then unfollowed, C follows
    expect(res.json).to.include({ followers: 1, tz: 'Asia/Shanghai', days: 3 });
    expect(res.json.daily).to.have.length(3);
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
    const todays = res.json.daily.find((d: { date: string }) => d.date === today);
    expect(todays.follows).to.be.at.least(2);
    expect(todays.unfollows).to.be.at.least(1);

    const badTz = await http(`${base}/admin/api/followers?tz=Mars/Olympus`, { token });
    expect(badTz.status).to.equal(422);
    expect(badTz.json.message).to.contain('time zone');
    const asUser = await http(`${base}/admin/api/followers`, { token: signAccessToken(bus.config.auth, { sub: A.userId }) });
    expect(asUser.status).to.equal(401);
  });
});
