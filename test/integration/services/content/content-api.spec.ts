import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RunningBus, startBus } from '../../../../bin/bootstrap';
import { loadConfig } from '../../../../config';
import { signAccessToken } from '../../../../core/auth';
import { expectContract } from '../../../helpers/contract';
import { createFreshDatabase, query } from '../../../helpers/db';
import { TEST_JWT_ENV } from '../../../helpers/env';
import { http, HttpResult } from '../../../helpers/http';
import { operatorToken } from '../../../helpers/operators';

const HOUR = 3_600_000;
const ALL_WEEK = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, opens: '00:00', closes: '24:00' }));

/**
 * The content plate through the gateway on a real bus (gateway, auth, audit,
 * content) and a fresh PostgreSQL database: editors write through
 * /admin/api (roles, optimistic versions, audited), users read what is
 * published now under /api/v1, every user answer checked against the
 * OpenAPI contract.
 */
describe('content - articles, search, outlets and outages through the gateway (real PostgreSQL)', function () {
  this.timeout(60000);
  let db: { url: string; drop(): Promise<void> };
  let bus: RunningBus;
  let base: string;
  let varDir: string;
  let editor: string;
  let operator: string;
  let auditor: string;
  const ids: Record<string, string> = {};

  const user = () => signAccessToken(bus.config.auth, { sub: '2088000000000001' });
  const get = (route: string) => http(`${base}/api/v1/${route}`, { token: user() });
  const admin = (method: string, route: string, token: string, body?: unknown) =>
    http(`${base}/admin/api/${route}`, { method, token, headers: body === undefined ? {} : { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const create = async (body: Record<string, unknown>): Promise<HttpResult> => {
    const res = await admin('POST', 'content', editor, body);
    expect(res.status, res.text).to.equal(200);
    return res;
  };
  const audit = (action: string) => query<{ actor: string; outcome: string; target: string; details: Record<string, unknown> }>(db.url, 'SELECT actor, outcome, target, details FROM audit_log WHERE action = $1 ORDER BY id', [action]);

  before(async () => {
    varDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-content-'));
    db = await createFreshDatabase();
    bus = await startBus(loadConfig({ ...TEST_JWT_ENV, DATABASE_URL: db.url, SERVICES: 'gateway,auth,audit,content', HTTP_PORT: '0', LOG_LEVEL: 'error', VAR_DIR: varDir, NODE_ID: `content-${process.pid}` }));
    base = bus.gatewayUrl!;
    editor = await operatorToken(db.url, base, 'editor-1', ['editor']);
    operator = await operatorToken(db.url, base, 'operator-1', ['operator']);
    auditor = await operatorToken(db.url, base, 'auditor-1', ['auditor']);
    const now = Date.now();
    ids.faq = (await create({ category: 'FAQ', title: '停电了怎么办？', summary: '先查看停电公告', body: '检查家中开关，仍无法恢复请拨打 95598。', bodyFormat: 'markdown', tags: ['报修'], publish: true })).json.id;
    ids.news = (await create({ category: 'NEWS', title: '供电服务升级', summary: '线上办电', body: '本周六计划停电检修，涉及解放路沿线。', publish: true })).json.id;
    ids.app = (await create({ category: 'APP_LINK', title: '网上国网 APP', body: '下载网上国网', linkUrl: 'https://www.sgcc.com.cn/', publish: true })).json.id;
    ids.draft = (await create({ category: 'NEWS', title: '草稿：停电通知', body: '尚未发布的停电通知' })).json.id;
    ids.future = (await create({ category: 'NEWS', title: '明天的停电新闻', body: '停电', publishFrom: new Date(now + 24 * HOUR).toISOString(), publish: true })).json.id;
    ids.expired = (await create({ category: 'NEWS', title: '过期的停电新闻', body: '停电', publishFrom: new Date(now - 48 * HOUR).toISOString(), publishUntil: new Date(now - 24 * HOUR).toISOString(), publish: true })).json.id;
  });

  after(async () => {
    await bus?.stop();
    await db?.drop();
    fs.rmSync(varDir, { recursive: true, force: true });
  });

  it('content - a user lists only what is published now, newest first, by category and page', async () => {
    const all = await get('content');
    expectContract(all, 'GET /api/v1/content');
    expect(all.json.items.map((i: { id: string }) => i.id)).to.deep.equal([ids.app, ids.news, ids.faq]);
    expect(all.json.total).to.equal(3);
    expect(all.json.items[0]).to.not.have.property('body');

    const news = await get('content?category=NEWS&page=1&pageSize=1');
    expectContract(news, 'GET /api/v1/content');
    expect(news.json).to.deep.include({ page: 1, pageSize: 1, total: 1 });
    expect(news.json.items.map((i: { title: string }) => i.title)).to.deep.equal(['供电服务升级']);

    const bad = await get('content?category=GOSSIP');
    expectContract(bad, 'GET /api/v1/content');
    expect(bad.status).to.equal(422);
    expect(bad.json.details.problems[0].field).to.equal('category');
  });

  it('content - one article with its body; drafts, windows not open or closed and unknown ids answer 404 CONTENT_NOT_FOUND alike', async () => {
    const faq = await get(`content/${ids.faq}`);
    expectContract(faq, 'GET /api/v1/content/{id}');
    expect(faq.json).to.include({ title: '停电了怎么办？', bodyFormat: 'markdown', body: '检查家中开关，仍无法恢复请拨打 95598。' });
    for (const id of [ids.draft, ids.future, ids.expired, '999999']) {
      const res = await get(`content/${id}`);
      expectContract(res, 'GET /api/v1/content/{id}');
      expect(res.status).to.equal(404);
      expect(res.json.code).to.equal('CONTENT_NOT_FOUND');
    }
    const bad = await get('content/abc');
    expectContract(bad, 'GET /api/v1/content/{id}');
    expect(bad.status).to.equal(422);
  });

  it('content - a two-character Chinese query finds published articles, a title match first; a category narrows; no searchable character is 422', async () => {
    const res = await get(`content/search?q=${encodeURIComponent('停电')}`);
    expectContract(res, 'GET /api/v1/content/search');
    expect(res.json.items.map((i: { id: string }) => i.id)).to.deep.equal([ids.faq, ids.news]);
    expect(res.json.items[0].score).to.be.greaterThan(res.json.items[1].score);

    const phrase = await get(`content/search?q=${encodeURIComponent('计划停电')}`);
    expectContract(phrase, 'GET /api/v1/content/search');
    expect(phrase.json.items.map((i: { id: string }) => i.id)).to.deep.equal([ids.news]);
    const notAPhrase = await get(`content/search?q=${encodeURIComponent('停检')}`);
    expect(notAPhrase.json.items).to.deep.equal([]);

    const latin = await get('content/search?q=app');
    expectContract(latin, 'GET /api/v1/content/search');
    expect(latin.json.items.map((i: { id: string }) => i.id)).to.deep.equal([ids.app]);

    const narrowed = await get(`content/search?q=${encodeURIComponent('停电')}&category=NEWS`);
    expect(narrowed.json.items.map((i: { id: string }) => i.id)).to.deep.equal([ids.news]);

    const punctuation = await get(`content/search?q=${encodeURIComponent('！？')}`);
    expectContract(punctuation, 'GET /api/v1/content/search');
    expect(punctuation.status).to.equal(422);
    expect(punctuation.json.details.problems[0].field).to.equal('q');
  });

  it('content - an editor updates with the version read; a stale version is 409 CONTENT_VERSION_CONFLICT, audited, and changes nothing', async () => {
    const read = await admin('GET', `content/${ids.news}`, editor);
    expect(read.json.version).to.equal(1);
    const fields = { category: 'NEWS', title: '供电服务全面升级', summary: '线上办电', body: '本周六计划停电检修，涉及解放路沿线。' };
    const ok = await admin('PUT', `content/${ids.news}`, editor, { ...fields, version: 1 });
    expect(ok.status, ok.text).to.equal(200);
    expect(ok.json).to.include({ version: 2, state: 'PUBLISHED', title: '供电服务全面升级' });
    const stale = await admin('PUT', `content/${ids.news}`, editor, { ...fields, title: '覆盖别人的修改', version: 1 });
    expect(stale.status).to.equal(409);
    expect(stale.json).to.include({ code: 'CONTENT_VERSION_CONFLICT' });
    expect(stale.json.details).to.include({ currentVersion: 2 });
    expect((await get(`content/${ids.news}`)).json.title).to.equal('供电服务全面升级');
    const updates = await audit('content.updated');
    expect(updates.map((a) => [a.actor, a.outcome, a.target])).to.deep.equal([
      ['editor-1', 'success', `content:${ids.news}`],
      ['editor-1', 'denied', `content:${ids.news}`],
    ]);
    // the search follows the edit
    const found = await get(`content/search?q=${encodeURIComponent('全面升级')}`);
    expect(found.json.items.map((i: { id: string }) => i.id)).to.deep.equal([ids.news]);
  });

  it('content - publishing and retiring: a draft appears once published, a retired article disappears; both audited', async () => {
    const published = await admin('POST', `content/${ids.draft}/publish`, editor, { version: 1 });
    expect(published.status, published.text).to.equal(200);
    expect((await get(`content/${ids.draft}`)).status).to.equal(200);
    const retired = await admin('POST', `content/${ids.draft}/retire`, editor, {});
    expect(retired.json).to.include({ state: 'RETIRED', version: 3 });
    expect((await get(`content/${ids.draft}`)).status).to.equal(404);
    expect((await get(`content/search?q=${encodeURIComponent('草稿')}`)).json.items).to.deep.equal([]);
    expect((await audit('content.published')).map((a) => a.outcome)).to.deep.equal(['success']);
    expect((await audit('content.retired')).map((a) => a.outcome)).to.deep.equal(['success']);
    expect((await audit('content.created')).length).to.equal(6);
    const unknown = await admin('POST', 'content/999999/retire', editor, {});
    expect(unknown.status).to.equal(404);
    expect(unknown.json.code).to.equal('CONTENT_NOT_FOUND');
  });

  it('content - HTML is refused in a body, an app link needs a link, a window must close after it opens (422 naming the field, nothing written)', async () => {
    const before = await query<{ n: number }>(db.url, 'SELECT count(*)::int AS n FROM content_item');
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ category: 'NEWS', title: 't', body: '你好<script>alert(1)</script>' }, 'body'],
      [{ category: 'NEWS', title: 't', body: '[点我](javascript:alert(1))', bodyFormat: 'markdown' }, 'body'],
      [{ category: 'APP_LINK', title: 't', body: 'b' }, 'linkUrl'],
      [{ category: 'NEWS', title: 't', body: 'b', publishFrom: '2026-12-05T08:00:00+08:00', publishUntil: '2026-12-05T07:00:00+08:00' }, 'publishUntil'],
      [{ category: 'NEWS', title: 't', body: 'b', colour: 'red' }, 'colour'],
    ];
    for (const [body, field] of cases) {
      const res = await admin('POST', 'content', editor, body);
      expect(res.status, JSON.stringify(body)).to.equal(422);
      expect(res.json.code).to.equal('VALIDATION_FAILED');
      expect(res.json.details.problems.map((p: { field: string }) => p.field)).to.include(field);
    }
    const after = await query<{ n: number }>(db.url, 'SELECT count(*)::int AS n FROM content_item');
    expect(after[0].n).to.equal(before[0].n);
  });

  it('content - roles: operators and auditors read the admin list but may not write; an operator with role editor can be created', async () => {
    expect((await admin('GET', 'content?state=DRAFT', operator)).status).to.equal(200);
    const listed = await admin('GET', 'content', auditor);
    expect(listed.status).to.equal(200);
    expect(listed.json.total).to.equal(6);
    for (const token of [operator, auditor]) {
      const res = await admin('POST', 'content', token, { category: 'NEWS', title: 't', body: 'b' });
      expect(res.status).to.equal(403);
      expect((await admin('POST', `content/${ids.faq}/retire`, token, {})).status).to.equal(403);
    }
    const adminToken = await operatorToken(db.url, base, 'admin-1', ['admin']);
    const made = await admin('POST', 'operators', adminToken, { username: 'editor-2', password: 'a-long-enough-password', roles: ['editor'] });
    expect(made.status, made.text).to.equal(200);
    expect(made.json.roles).to.deep.equal(['editor']);
  });

  it('content - outlets nearest first within the radius, with hours and openNow in Beijing time; editors update with the version', async () => {
    const outlet = async (name: string, lat: number, lng: number, hours: unknown[]) => {
      const res = await admin('POST', 'outlets', editor, { name, address: `${name}地址`, phone: '0571-95598', lat, lng, hours, services: ['缴费'] });
      expect(res.status, res.text).to.equal(200);
      return res.json as { id: string; version: number };
    };
    const near = await outlet('解放路营业厅', 30.2556, 120.1746, ALL_WEEK);
    const mid = await outlet('文三路营业厅', 30.2785, 120.1295, []);
    await outlet('宁波营业厅', 29.8683, 121.544, ALL_WEEK);
    const res = await get('outlets?lat=30.2741&lng=120.1551&radiusKm=10');
    expectContract(res, 'GET /api/v1/outlets');
    // from the West Lake: 文三路 about 2.5 km, 解放路 about 2.8 km, 宁波 about 150 km
    expect(res.json.items.map((o: { name: string }) => o.name)).to.deep.equal(['文三路营业厅', '解放路营业厅']);
    expect(res.json.items[0].distanceKm).to.be.within(2.4, 2.6);
    expect(res.json.items[1].distanceKm).to.be.within(2.7, 2.9);
    expect(res.json.items.map((o: { openNow: boolean }) => o.openNow)).to.deep.equal([false, true]);
    expect(res.json.items[1].hours).to.have.length(7);

    const moved = await admin('PUT', `outlets/${mid.id}`, editor, { name: '文三路营业厅', address: '宁波', lat: 29.87, lng: 121.54, hours: [], version: mid.version });
    expect(moved.status, moved.text).to.equal(200);
    const stale = await admin('PUT', `outlets/${mid.id}`, editor, { name: 'x', address: 'y', lat: 0, lng: 0, hours: [], version: mid.version });
    expect(stale.status).to.equal(409);
    expect(stale.json.code).to.equal('CONTENT_VERSION_CONFLICT');
    const after = await get('outlets?lat=30.2741&lng=120.1551&radiusKm=10&limit=5');
    expect(after.json.items.map((o: { id: string }) => o.id)).to.deep.equal([near.id]);
    expect((await audit('content.outlet.created')).length).to.equal(3);
    expect((await audit('content.outlet.updated')).map((a) => a.outcome)).to.deep.equal(['success', 'denied']);

    const overlapping = await admin('POST', 'outlets', editor, { name: 'x', address: 'y', lat: 30, lng: 120, hours: [{ weekday: 1, opens: '09:00', closes: '12:00' }, { weekday: 1, opens: '11:00', closes: '17:00' }] });
    expect(overlapping.status).to.equal(422);
    expect(overlapping.json.details.problems[0].field).to.equal('hours');

    const noPoint = await get('outlets?lat=30.27');
    expectContract(noPoint, 'GET /api/v1/outlets');
    expect(noPoint.status).to.equal(422);
    expect(noPoint.json.details.problems.map((p: { field: string }) => p.field)).to.include('lng');
  });

  it('content - outages by area code prefix or name and by window, with their phase now', async () => {
    const at = (h: number) => new Date(Date.now() + h * HOUR).toISOString();
    await query(
      db.url,
      `INSERT INTO outage_bulletin (bulletin_id, area_code, area_name, starts_at, ends_at, kind, reason, scope, issued_at, source_file) VALUES
        ('T-NOW', '330102', '上城区', $1, $2, 'FAULT', '抢修', '解放路', now(), 't'),
        ('T-SOON', '330106', '西湖区', $3, $4, 'PLANNED', '检修', '文三路', now(), 't'),
        ('T-PAST', '330106', '西湖区', $5, $6, 'PLANNED', '检修', '文三路', now(), 't'),
        ('T-NB', '330203', '海曙区', $3, $4, 'PLANNED', '检修', '中山路', now(), 't')`,
      [at(-1), at(2), at(24), at(30), at(-30), at(-24)],
    );
    const current = await get('outages?area=3301');
    expectContract(current, 'GET /api/v1/outages');
    expect(current.json.items.map((o: { bulletinId: string; phase: string }) => [o.bulletinId, o.phase])).to.deep.equal([
      ['T-NOW', 'ONGOING'],
      ['T-SOON', 'UPCOMING'],
    ]);
    const byName = await get(`outages?area=${encodeURIComponent('西湖')}&from=${encodeURIComponent(at(-48))}&to=${encodeURIComponent(at(48))}`);
    expectContract(byName, 'GET /api/v1/outages');
    expect(byName.json.items.map((o: { bulletinId: string; phase: string }) => [o.bulletinId, o.phase])).to.deep.equal([
      ['T-PAST', 'ENDED'],
      ['T-SOON', 'UPCOMING'],
    ]);
    const backwards = await get(`outages?from=${encodeURIComponent(at(10))}&to=${encodeURIComponent(at(1))}`);
    expectContract(backwards, 'GET /api/v1/outages');
    expect(backwards.status).to.equal(422);
    expect(backwards.json.details.problems[0].field).to.equal('to');
    const notADate = await get('outages?from=yesterday');
    expect(notADate.status).to.equal(422);
  });

  it('content - every /api/v1 route refuses a call without a user token (401)', async () => {
    for (const [route, op] of [
      ['content', 'GET /api/v1/content'],
      [`content/${ids.faq}`, 'GET /api/v1/content/{id}'],
      ['content/search?q=a', 'GET /api/v1/content/search'],
      ['outlets?lat=30&lng=120', 'GET /api/v1/outlets'],
      ['outages', 'GET /api/v1/outages'],
    ]) {
      const res = await http(`${base}/api/v1/${route}`);
      expect(res.status).to.equal(401);
      expectContract(res, op);
    }
  });
});
