import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RunningBus, startBus } from '../../../../bin/bootstrap';
import { loadConfig } from '../../../../config';
import { signAccessToken } from '../../../../core/auth';
import { reportStatusJob } from '../../../../scheduler/jobs/report-status.job';
import { JOB_KINDS } from '../../../../scheduler/jobs';
import { cleanImage } from '../../../../core/uploads/clean-image';
import { UploadStore } from '../../../../core/uploads/upload-store';
import { sweepOrphanUploads } from '../../../../services/power/upload-sweep';
import { ALIPAY_USERS, STRANGER_USER_ID, UNCERTIFIED_USER_ID } from '../../../../simulators/alipay/dataset';
import { HOUSEHOLDS, totalFen } from '../../../../simulators/marketing/dataset';
import { MarketingSimulator, startMarketingSimulator } from '../../../../simulators/marketing/server';
import { CLOSING_REPLY } from '../../../../simulators/marketing/ticket-book';
import { bindAccounts, TEST_PII_ENV } from '../../../helpers/binding';
import { expectContract } from '../../../helpers/contract';
import { createFreshDatabase, query } from '../../../helpers/db';
import { eventually, http, HttpResult } from '../../../helpers/http';
import { TEST_JWT_ENV } from '../../../helpers/env';
import { operatorToken } from '../../../helpers/operators';
import { bareJpeg, phoneJpeg, png } from '../../../unit/core/uploads/images';

const HANGZHOU = { lat: 30.274085, lng: 120.15507 };

/**
 * Power services end to end through the gateway: a real bus (gateway, auth,
 * audit, alipay with its simulator, binding, power, outbox, payment,
 * marketing) on a fresh PostgreSQL database and the SOAP marketing
 * simulator, which receives the tickets and moves their status; photos are
 * real JPEG/PNG files built byte by byte with GPS EXIF; every /api/v1 answer
 * is checked against the OpenAPI contract.
 */
describe('power - real-name status, reports with photos, points ledger (real PostgreSQL, gateway, Alipay simulator)', function () {
  this.timeout(120000);
  let db: { url: string; drop(): Promise<void> };
  let bus: RunningBus;
  let base: string;
  let varDir: string;
  let marketing: MarketingSimulator;
  const A = ALIPAY_USERS[0];
  const B = ALIPAY_USERS[1];
  const stranger = ALIPAY_USERS.find((u) => u.userId === STRANGER_USER_ID)!;
  const accountA = HOUSEHOLDS[0].ConsNo;
  const accountB = HOUSEHOLDS[1].ConsNo;

  const tokenOf = (userId: string) => signAccessToken(bus.config.auth, { sub: userId });
  const call = (method: string, route: string, userId: string, body?: unknown) =>
    http(`${base}/api/v1/${route}`, {
      method,
      token: tokenOf(userId),
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const report = (userId: string, fields: Record<string, string>, photos: Array<{ data: Buffer; type?: string; name?: string }> = []) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    for (const p of photos) form.append('photos', new Blob([p.data], { type: p.type ?? 'image/jpeg' }), p.name ?? 'photo.jpg');
    return http(`${base}/api/v1/reports`, { method: 'POST', token: tokenOf(userId), body: form });
  };
  const uploadsDir = () => path.join(varDir, 'uploads');
  const storedFiles = (): string[] => {
    const out: string[] = [];
    const walk = (dir: string) => {
      if (!fs.existsSync(dir)) return;
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) (e.isDirectory() ? walk : (f: string) => out.push(f))(path.join(dir, e.name));
    };
    walk(uploadsDir());
    return out.sort();
  };
  const count = async (table: string) => Number((await query<{ n: string }>(db.url, `SELECT count(*) AS n FROM ${table}`))[0].n);

  before(async () => {
    varDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-power-'));
    db = await createFreshDatabase();
    marketing = await startMarketingSimulator();
    bus = await startBus(
      loadConfig({
        ...TEST_JWT_ENV,
        ...TEST_PII_ENV,
        DATABASE_URL: db.url,
        SERVICES: 'gateway,auth,audit,mapping,alipay,binding,billing,electricity,marketing,payment,power,outbox',
        MARKETING_WSDL_URL: marketing.wsdlUrl,
        OUTBOX_POLL_MS: '100',
        OUTBOX_BACKOFF_BASE_MS: '100',
        HTTP_PORT: '0',
        LOG_LEVEL: 'warn',
        VAR_DIR: varDir,
        NODE_ID: `power-${process.pid}`,
        UPLOAD_MAX_PHOTO_BYTES: '65536',
        UPLOAD_MAX_PHOTOS: '3',
      }),
    );
    base = bus.gatewayUrl!;
    await bindAccounts(db.url, A.userId, [accountA]);
    await bindAccounts(db.url, B.userId, [accountB]);
  });

  after(async () => {
    await bus?.stop();
    await marketing?.close();
    await db?.drop();
    if (varDir) fs.rmSync(varDir, { recursive: true, force: true });
  });

  describe('real-name status', () => {
    it('power - nothing known yet, then Alipay says certified: name and ID number masked, never in clear, stored encrypted', async () => {
      const before = await call('GET', 'me/real-name', STRANGER_USER_ID);
      expectContract(before, 'GET /api/v1/me/real-name');
      expect(before.json).to.deep.equal({ checked: false, certified: null, name: null, certNo: null, checkedAt: null, source: null });

      const checked = await call('POST', 'me/real-name', STRANGER_USER_ID, { authCode: bus.alipaySimulator!.issueAuthCode(STRANGER_USER_ID) });
      expectContract(checked, 'POST /api/v1/me/real-name');
      expect(checked.status, checked.text).to.equal(200);
      expect(checked.json).to.include({ checked: true, certified: true, source: 'ALIPAY', name: '周**' });
      expect(checked.json.certNo).to.match(/^3301\*+0015$/);
      expect(checked.text).to.not.contain(stranger.certNo!).and.not.contain(stranger.userName!);

      const after = await call('GET', 'me/real-name', STRANGER_USER_ID);
      expectContract(after, 'GET /api/v1/me/real-name');
      expect(after.json).to.deep.equal(checked.json);
      const [row] = await query<{ name_enc: string; cert_no_enc: string }>(db.url, 'SELECT name_enc, cert_no_enc FROM power_real_name WHERE user_id = $1', [STRANGER_USER_ID]);
      expect(row.cert_no_enc).to.not.contain(stranger.certNo!);
      expect(row.name_enc).to.not.contain(stranger.userName!);
    });

    it('power - a user bound by identity is known certified from the binding, until a later check says otherwise', async () => {
      const res = await call('GET', 'me/real-name', A.userId);
      expectContract(res, 'GET /api/v1/me/real-name');
      expect(res.json).to.include({ checked: true, certified: true, source: 'BINDING' });
      expect(res.json.name).to.match(/^.\*+$/);
      expect(res.text).to.not.contain(A.certNo!).and.not.contain(A.userName!);
      const checked = await call('POST', 'me/real-name', A.userId, { authCode: bus.alipaySimulator!.issueAuthCode(A.userId) });
      expect(checked.json).to.include({ certified: true, source: 'ALIPAY', certNo: res.json.certNo });
    });

    it('power - an uncertified Alipay user is recorded as not certified; an auth code of someone else is refused', async () => {
      const res = await call('POST', 'me/real-name', UNCERTIFIED_USER_ID, { authCode: bus.alipaySimulator!.issueAuthCode(UNCERTIFIED_USER_ID) });
      expectContract(res, 'POST /api/v1/me/real-name');
      expect(res.json).to.include({ checked: true, certified: false, name: null, certNo: null, source: 'ALIPAY' });

      const foreign = await call('POST', 'me/real-name', B.userId, { authCode: bus.alipaySimulator!.issueAuthCode(A.userId) });
      expectContract(foreign, 'POST /api/v1/me/real-name');
      expect(foreign.status).to.equal(403);
      expect(foreign.json.code).to.equal('FORBIDDEN');
    });
  });

  describe('reports with photos', () => {
    it('power - a report with a phone JPEG (GPS EXIF) and a PNG: types sniffed, location from the photo, files stored stripped, one ticket queued in the outbox', async () => {
      const res = await report(
        A.userId,
        { kind: 'ILLEGAL_USE', content: '楼下有人私拉电线', accountNo: accountA, contactMobile: '13800000011' },
        [
          { data: phoneJpeg(HANGZHOU.lat, HANGZHOU.lng), type: 'image/gif', name: '../../evil.html' },
          { data: png(null), type: 'application/octet-stream', name: 'x.exe' },
        ],
      );
      expectContract(res, 'POST /api/v1/reports');
      expect(res.status, res.text).to.equal(201);
      expect(res.json).to.deep.include({ kind: 'ILLEGAL_USE', status: 'SUBMITTED', accountNo: accountA, ticketNo: null, content: '楼下有人私拉电线', contactMobile: '138****0011' });
      expect(res.json.location).to.deep.equal({ ...HANGZHOU, source: 'PHOTO' });
      expect(res.json.photos).to.deep.equal([
        { seq: 1, mediaType: 'image/jpeg', bytes: bareJpeg().length },
        { seq: 2, mediaType: 'image/png', bytes: png(null).length },
      ]);
      expect(res.json.timeline.map((t: { status: string }) => t.status)).to.deep.equal(['SUBMITTED']);

      const files = storedFiles();
      expect(files).to.have.length(2);
      for (const f of files) expect(path.relative(uploadsDir(), f)).to.match(/^\d{4}\/\d{2}\/[0-9a-f]{32}\.(jpg|png)$/);
      const jpeg = files.find((f) => f.endsWith('.jpg'))!;
      expect(fs.readFileSync(jpeg).equals(bareJpeg()), 'stored without EXIF, XMP, ICC, comment, trailer').to.equal(true);
      expect(cleanImage(fs.readFileSync(jpeg))!.location).to.equal(null);
      expect((fs.statSync(jpeg).mode & 0o777).toString(8)).to.equal('600');

      const [row] = await query<{ serial: string; content_enc: string; contact_mobile_enc: string }>(db.url, 'SELECT serial, content_enc, contact_mobile_enc FROM power_reports WHERE id = $1', [res.json.id]);
      expect(row.content_enc).to.not.contain('私拉');
      expect(row.contact_mobile_enc).to.not.contain('13800000011');
      const outbox = await query<{ operation: string; serial: string; payload: { data: Record<string, unknown>; pii: string } }>(db.url, 'SELECT operation, serial, payload FROM outbox');
      expect(outbox).to.have.length(1);
      expect(outbox[0]).to.include({ operation: 'marketing.createTicket', serial: row.serial });
      expect(outbox[0].payload.data).to.deep.include({ kind: 'ILLEGAL_USE', accountNo: accountA, photoCount: 2, location: HANGZHOU });
      expect(JSON.stringify(outbox[0].payload)).to.not.contain('私拉').and.not.contain('13800000011');
    });

    it("power - the user's own location wins over the photo's; a report without photos or account is fine, as multipart or as JSON", async () => {
      const res = await report(B.userId, { kind: 'FEEDBACK', content: 'App 很好用', lat: '31.2304', lng: '121.4737' }, [{ data: phoneJpeg(HANGZHOU.lat, HANGZHOU.lng) }]);
      expectContract(res, 'POST /api/v1/reports');
      expect(res.status, res.text).to.equal(201);
      expect(res.json.location).to.deep.equal({ lat: 31.2304, lng: 121.4737, source: 'USER' });
      const json = await call('POST', 'reports', B.userId, { kind: 'FEEDBACK', content: '没有照片的建议', contactMobile: '13800000022', lat: 30.1, lng: 120.2 });
      expectContract(json, 'POST /api/v1/reports');
      expect(json.status, json.text).to.equal(201);
      expect(json.json).to.include({ kind: 'FEEDBACK', content: '没有照片的建议', contactMobile: '138****0022' });
      expect(json.json.location).to.deep.equal({ lat: 30.1, lng: 120.2, source: 'USER' });
      const plain = await report(B.userId, { kind: 'COMPLAINT', content: '营业厅排队太久' });
      expectContract(plain, 'POST /api/v1/reports');
      expect(plain.status, plain.text).to.equal(201);
      expect(plain.json).to.include({ accountNo: null, location: null, contactMobile: null });
      expect(plain.json.photos).to.deep.equal([]);
    });

    it('power - bad input is refused with its code, and leaves no report, no outbox row and no file behind', async () => {
      const before = { files: storedFiles(), reports: await count('power_reports'), outbox: await count('outbox') };
      const ok = { kind: 'FEEDBACK', content: 'something' };
      const cases: Array<[string, () => Promise<HttpResult>, number, string]> = [
        ['a GIF declared as JPEG', () => report(A.userId, ok, [{ data: phoneJpeg(1, 1) }, { data: Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1') }]), 415, 'UNSUPPORTED_MEDIA_TYPE'],
        ['an HTML page named .jpg', () => report(A.userId, ok, [{ data: Buffer.from('<html><script>alert(1)</script>') }]), 415, 'UNSUPPORTED_MEDIA_TYPE'],
        ['a truncated JPEG', () => report(A.userId, ok, [{ data: phoneJpeg(1, 1).subarray(0, 100) }]), 415, 'UNSUPPORTED_MEDIA_TYPE'],
        ['a photo over the size limit', () => report(A.userId, ok, [{ data: Buffer.concat([phoneJpeg(1, 1), Buffer.alloc(70000)]) }]), 413, 'PAYLOAD_TOO_LARGE'],
        ['more photos than allowed', () => report(A.userId, ok, Array.from({ length: 4 }, () => ({ data: bareJpeg() }))), 413, 'PAYLOAD_TOO_LARGE'],
        ['an unknown kind', () => report(A.userId, { kind: 'PRAISE', content: 'x' }, [{ data: bareJpeg() }]), 422, 'VALIDATION_FAILED'],
        ['empty content', () => report(A.userId, { kind: 'FEEDBACK', content: '  ' }), 422, 'VALIDATION_FAILED'],
        ['an unknown field', () => report(A.userId, { ...ok, userId: B.userId }), 422, 'VALIDATION_FAILED'],
        ['half a location', () => report(A.userId, { ...ok, lat: '30.1' }), 422, 'VALIDATION_FAILED'],
        ["someone else's account", () => report(A.userId, { ...ok, accountNo: accountB }, [{ data: bareJpeg() }]), 404, 'ACCOUNT_NOT_FOUND'],
        ['a text/plain body', () => http(`${base}/api/v1/reports`, { method: 'POST', token: tokenOf(A.userId), headers: { 'Content-Type': 'text/plain' }, body: 'kind=FEEDBACK' }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
        ['a query parameter', () => http(`${base}/api/v1/reports?surprise=1`, { method: 'POST', token: tokenOf(A.userId), body: new FormData() }), 422, 'VALIDATION_FAILED'],
        ['JSON with an unknown field', () => call('POST', 'reports', A.userId, { ...ok, surprise: 1 }), 422, 'VALIDATION_FAILED'],
        ['JSON with a prototype key', () => http(`${base}/api/v1/reports`, { method: 'POST', token: tokenOf(A.userId), headers: { 'Content-Type': 'application/json' }, body: '{"kind":"FEEDBACK","content":"x","__proto__":{"userId":"x"}}' }), 422, 'VALIDATION_FAILED'],
        ['JSON that does not parse', () => http(`${base}/api/v1/reports`, { method: 'POST', token: tokenOf(A.userId), headers: { 'Content-Type': 'application/json' }, body: '{"kind":' }), 400, 'MALFORMED_REQUEST'],
        ['a multipart body that is not', () => http(`${base}/api/v1/reports`, { method: 'POST', token: tokenOf(A.userId), headers: { 'Content-Type': 'multipart/form-data; boundary=x' }, body: 'kind=FEEDBACK' }), 400, 'MALFORMED_REQUEST'],
      ];
      for (const [what, send, status, code] of cases) {
        const res = await send();
        expectContract(res, 'POST /api/v1/reports');
        expect(res.status, `${what}: ${res.text}`).to.equal(status);
        expect(res.json.code, what).to.equal(code);
        expect(res.json.message, what).to.be.a('string').and.not.equal('');
      }
      expect(storedFiles()).to.deep.equal(before.files);
      expect(await count('power_reports')).to.equal(before.reports);
      expect(await count('outbox')).to.equal(before.outbox);
      // and the service still serves
      const after = await report(A.userId, ok);
      expect(after.status).to.equal(201);
    });

    it("power - users list and read only their own reports; another's answers 404 REPORT_NOT_FOUND; the ticket's acceptance shows in the timeline and earns points once", async () => {
      const mine = await call('GET', 'reports', A.userId);
      expectContract(mine, 'GET /api/v1/reports');
      expect(mine.json.reports.length).to.be.greaterThan(0);
      const first = mine.json.reports[mine.json.reports.length - 1];
      expect(first).to.not.have.property('content');
      const theirs = await call('GET', 'reports', B.userId);
      expect(theirs.json.reports.map((r: { id: string }) => r.id)).to.not.include(first.id);

      const other = await call('GET', `reports/${first.id}`, B.userId);
      expectContract(other, 'GET /api/v1/reports/{id}');
      expect(other.status).to.equal(404);
      expect(other.json.code).to.equal('REPORT_NOT_FOUND');
      const missing = await call('GET', 'reports/999999', A.userId);
      expect({ status: missing.status, code: missing.json.code, message: missing.json.message }).to.deep.equal({ status: 404, code: 'REPORT_NOT_FOUND', message: other.json.message });

      // the outbox delivers the ticket: the marketing system has it, the report shows it ACCEPTED with its number
      const [{ serial }] = await query<{ serial: string }>(db.url, 'SELECT serial FROM power_reports WHERE id = $1', [first.id]);
      const accepted = await eventually(() => call('GET', `reports/${first.id}`, A.userId), (r) => r.json?.status === 'ACCEPTED');
      expectContract(accepted, 'GET /api/v1/reports/{id}');
      const ticket = marketing.tickets.find(serial)!;
      expect(ticket).to.deep.include({ kind: 'ILLEGAL_USE', consNo: accountA, contactTel: '13800000011', photoCount: 2, location: HANGZHOU });
      expect(accepted.json.ticketNo).to.equal(ticket.ticketNo);

      // service staff take it up, then close it with a reply: the report-status job follows
      expect(JOB_KINDS.map((j) => j.name)).to.include(reportStatusJob.name);
      const runJob = () => bus.broker.call('power.syncReports', {}) as Promise<{ asked: number; changed: number; failed: number }>;
      marketing.advanceTicket(serial);
      expect((await runJob()).changed).to.be.at.least(1);
      expect((await runJob()).changed, 'nothing new: nothing recorded').to.equal(0);
      marketing.advanceTicket(serial);
      await runJob();
      const closed = await call('GET', `reports/${first.id}`, A.userId);
      expectContract(closed, 'GET /api/v1/reports/{id}');
      expect(closed.json).to.include({ status: 'CLOSED', reply: CLOSING_REPLY, ticketNo: ticket.ticketNo });
      expect(closed.json.timeline.map((t: { status: string }) => t.status)).to.deep.equal(['SUBMITTED', 'ACCEPTED', 'IN_PROGRESS', 'CLOSED']);
      expect(closed.json.timeline[3].reply).to.equal(CLOSING_REPLY);
      const list = await call('GET', 'reports', A.userId);
      expect(list.json.reports.find((r: { id: string }) => r.id === first.id)).to.include({ status: 'CLOSED' });

      // the photos as stored: the user's own, and operators' (audited); nobody else's
      const photo = await http(`${base}/api/v1/reports/${first.id}/photos/1`, { token: tokenOf(A.userId) });
      expectContract(photo, 'GET /api/v1/reports/{id}/photos/{seq}');
      expect(photo.status).to.equal(200);
      expect(photo.headers.get('content-type')).to.equal('image/jpeg');
      expect(photo.headers.get('cache-control')).to.equal('private, no-store');
      const photoBytes = Buffer.from(await (await fetch(`${base}/api/v1/reports/${first.id}/photos/1`, { headers: { Authorization: `Bearer ${tokenOf(A.userId)}` } })).arrayBuffer());
      expect(photoBytes.equals(bareJpeg())).to.equal(true);
      for (const [who, path_] of [[B.userId, `reports/${first.id}/photos/1`], [A.userId, `reports/${first.id}/photos/9`]]) {
        const refused = await call('GET', path_, who);
        expectContract(refused, 'GET /api/v1/reports/{id}/photos/{seq}');
        expect(refused.status).to.equal(404);
      }
      const operator = await operatorToken(db.url, base, 'report-reader', ['auditor']);
      const listed = await http(`${base}/admin/api/reports?status=CLOSED`, { token: operator });
      expect(listed.status, listed.text).to.equal(200);
      expect(listed.json.reports.map((r: { id: string }) => r.id)).to.include(first.id);
      const read = await http(`${base}/admin/api/reports/${first.id}`, { token: operator });
      expect(read.json).to.include({ userId: A.userId, content: '楼下有人私拉电线', contactMobile: '138****0011' });
      const png2 = Buffer.from(await (await fetch(`${base}/admin/api/reports/${first.id}/photos/2`, { headers: { Authorization: `Bearer ${operator}` } })).arrayBuffer());
      expect(png2.equals(png(null))).to.equal(true);
      await eventually(() => query(db.url, `SELECT 1 FROM audit_log WHERE action IN ('power.report.viewed', 'power.report.photo.viewed') AND target = $1`, [`report:${first.id}`]), (r) => r.length === 2);

      // the accepted report earned its points once
      const points = await call('GET', 'points', A.userId);
      expectContract(points, 'GET /api/v1/points');
      const entries = points.json.entries.filter((e: { sourceEvent: string }) => e.sourceEvent === `report:${first.id}`);
      expect(entries).to.have.length(1);
      expect(entries[0]).to.include({ delta: 20, reason: 'REPORT_ACCEPTED' });
    });
  });

  describe('photos left by a crash', () => {
    it("power - at start, files older than an hour that no report kept and temporary files are removed; kept photos and young files stay", async () => {
      const store = new UploadStore(uploadsDir());
      const kept = storedFiles();
      expect(kept.length).to.be.greaterThan(0);
      const orphan = await store.save(bareJpeg(), 'jpg');
      const young = await store.save(bareJpeg(), 'jpg');
      const temporary = `${path.posix.dirname(orphan)}/${'c'.repeat(32)}.jpg.4242.tmp`; // a write a crash cut short
      fs.writeFileSync(path.join(uploadsDir(), temporary), 'half');
      const old = new Date(Date.now() - 2 * 3600_000);
      for (const f of [orphan, temporary, ...kept.map((k) => path.relative(uploadsDir(), k))]) fs.utimesSync(path.join(uploadsDir(), f), old, old);
      const db2 = { query: async (sql: string, params?: unknown[]) => query(db.url, sql, params) };
      expect(await sweepOrphanUploads(db2, store)).to.equal(2);
      expect(storedFiles()).to.deep.equal([...kept, path.join(uploadsDir(), young)].sort());
    });
  });

  describe('points ledger', () => {
    const C = 'points-user-c';
    it('power - earning is once per source event (an e-bill subscription delivered twice counts once)', async () => {
      for (let i = 0; i < 2; i++) await bus.broker.emit('electricity.ebill.subscribed', { userId: C, accountNo: '3301000001', subscribe: true });
      await bus.broker.emit('electricity.ebill.subscribed', { userId: C, accountNo: '3301000002', subscribe: true });
      const res = await eventually(
        () => call('GET', 'points', C),
        (r) => r.json?.balance === 100,
      );
      expectContract(res, 'GET /api/v1/points');
      expect(res.json.entries.map((e: { sourceEvent: string }) => e.sourceEvent).sort()).to.deep.equal([`ebill:${C}:3301000001`, `ebill:${C}:3301000002`]);
    });

    it('power - 20 parallel redemptions through the gateway against a balance that covers 3: exactly 3 taken, never below zero, every entry audited', async () => {
      const operator = await operatorToken(db.url, base, 'points-operator', ['operator']);
      const saved = await http(`${base}/admin/api/points/catalogue/mug`, {
        method: 'PUT',
        token: operator,
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: '节电马克杯', cost: 30, stock: 50 }),
      });
      expect(saved.status, saved.text).to.equal(200);
      const catalogue = await call('GET', 'points/catalogue', C);
      expectContract(catalogue, 'GET /api/v1/points/catalogue');
      expect(catalogue.json.items).to.deep.include({ itemId: 'mug', name: '节电马克杯', description: null, cost: 30, inStock: true });

      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => call('POST', 'points/redemptions', C, { itemId: 'mug', clientRequestId: `parallel-${String(i).padStart(3, '0')}` })));
      for (const r of results) expectContract(r, 'POST /api/v1/points/redemptions');
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 200)).to.have.length(3);
      expect(statuses.filter((s) => s === 409)).to.have.length(17);
      for (const r of results.filter((x) => x.status === 409)) expect(r.json.code).to.equal('POINTS_INSUFFICIENT');
      expect(results.filter((r) => r.status === 200).map((r) => r.json.balanceAfter).sort((a, b) => b - a)).to.deep.equal([70, 40, 10]);

      const statement = await call('GET', 'points', C);
      expect(statement.json.balance).to.equal(10);
      const ledger = await query<{ delta: string; balance_after: string }>(db.url, 'SELECT delta, balance_after FROM points_ledger WHERE user_id = $1 ORDER BY id', [C]);
      expect(ledger.reduce((sum, e) => sum + Number(e.delta), 0)).to.equal(10);
      for (const e of ledger) expect(Number(e.balance_after)).to.be.at.least(0);
      const [{ stock }] = await query<{ stock: number }>(db.url, `SELECT stock FROM points_catalogue WHERE item_id = 'mug'`);
      expect(stock).to.equal(47);
      // append-only: the database itself refuses to change an entry
      let refused = '';
      try {
        await query(db.url, 'UPDATE points_ledger SET delta = 1000 WHERE user_id = $1', [C]);
      } catch (err) {
        refused = (err as Error).message;
      }
      expect(refused).to.match(/append-only/);
      await eventually(() => query(db.url, `SELECT 1 FROM audit_log WHERE action = 'power.points.redeemed' AND actor = $1`, [C]), (rows) => rows.length === 3);
    });

    it('power - the same clientRequestId again answers the first redemption and takes nothing; with another item it is refused', async () => {
      const bulb = await http(`${base}/admin/api/points/catalogue/led-bulb`, {
        method: 'PUT',
        token: await operatorToken(db.url, base, 'points-operator', ['operator']),
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'LED 节能灯泡', cost: 300, stock: 100 }),
      });
      expect(bulb.status, bulb.text).to.equal(200);
      const first = await call('POST', 'points/redemptions', A.userId, { itemId: 'led-bulb', clientRequestId: 'again-0001' });
      expectContract(first, 'POST /api/v1/points/redemptions');
      expect(first.status).to.equal(409); // 20 points do not cover 300
      expect(first.json).to.deep.include({ code: 'POINTS_INSUFFICIENT' });

      const D = 'points-user-d';
      await bus.broker.emit('electricity.ebill.subscribed', { userId: D, accountNo: '3301000001', subscribe: true });
      await eventually(() => call('GET', 'points', D), (r) => r.json?.balance === 50);
      await http(`${base}/admin/api/points/catalogue/pen`, {
        method: 'PUT',
        token: await operatorToken(db.url, base, 'points-operator', ['operator']),
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'pen', cost: 20 }),
      });
      const a = await call('POST', 'points/redemptions', D, { itemId: 'pen', clientRequestId: 'retry-0001' });
      const b = await call('POST', 'points/redemptions', D, { itemId: 'pen', clientRequestId: 'retry-0001' });
      expectContract(a, 'POST /api/v1/points/redemptions');
      expectContract(b, 'POST /api/v1/points/redemptions');
      expect(a.json).to.include({ created: true, balanceAfter: 30 });
      expect(b.json).to.deep.equal({ ...a.json, created: false });
      const other = await call('POST', 'points/redemptions', D, { itemId: 'mug', clientRequestId: 'retry-0001' });
      expectContract(other, 'POST /api/v1/points/redemptions');
      expect(other.status).to.equal(422);
      expect(other.json.code).to.equal('IDEMPOTENCY_KEY_REUSED');
      const unknown = await call('POST', 'points/redemptions', D, { itemId: 'no-such-item', clientRequestId: 'retry-0002' });
      expectContract(unknown, 'POST /api/v1/points/redemptions');
      expect(unknown.status).to.equal(404);
      expect((await call('GET', 'points', D)).json.balance).to.equal(30);
    });

    it('power - a payment written off earns one point per yuan, once, in the write-off\'s own transaction', async () => {
      const paid = await http(`${base}/api/v1/payments`, {
        method: 'POST',
        token: tokenOf(B.userId),
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'points-pay-0001' },
        body: JSON.stringify({ accountNo: accountB, all: true }),
      });
      expect(paid.status, paid.text).to.equal(200);
      await bus.alipaySimulator!.payTrade(paid.json.outTradeNo).done;
      await eventually(() => query<{ state: string }>(db.url, 'SELECT state FROM payment_orders WHERE id = $1', [paid.json.id]), (r) => r[0]?.state === 'WRITTEN_OFF');
      const rows = await query<{ delta: string; reason: string }>(db.url, 'SELECT delta, reason FROM points_ledger WHERE source_event = $1', [`payment:${paid.json.outTradeNo}`]);
      expect(rows).to.deep.equal([{ delta: String(Math.floor(totalFen(HOUSEHOLDS[1]) / 100)), reason: 'PAYMENT_WRITTEN_OFF' }]);
    });

    it('power - switching an account to e-bills earns its points when the marketing system applied it, once however often it is asked', async () => {
      const ebill = (subscribe: boolean) =>
        http(`${base}/api/v1/accounts/${accountB}/ebill`, { method: 'PUT', token: tokenOf(B.userId), headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ subscribe }) });
      expect((await ebill(true)).status).to.equal(202);
      const source = `ebill:${B.userId}:${accountB}`;
      await eventually(() => query(db.url, 'SELECT 1 FROM points_ledger WHERE source_event = $1', [source]), (r) => r.length === 1);
      expect((await ebill(false)).status).to.equal(202);
      expect((await ebill(true)).status).to.equal(202);
      await eventually(() => query<{ n: string }>(db.url, `SELECT count(*) AS n FROM outbox WHERE operation = 'marketing.subscribeEBill' AND status = 'delivered'`), (r) => r[0].n === '3');
      const rows = await query<{ delta: string }>(db.url, 'SELECT delta FROM points_ledger WHERE source_event = $1', [source]);
      expect(rows).to.deep.equal([{ delta: '50' }]);
    });

    it("power - operators and auditors read a user's ledger; an auditor cannot edit the catalogue; a user token is refused", async () => {
      const auditor = await operatorToken(db.url, base, 'points-auditor', ['auditor']);
      const res = await http(`${base}/admin/api/points/points-user-c`, { token: auditor });
      expect(res.status, res.text).to.equal(200);
      expect(res.json).to.include({ userId: 'points-user-c', balance: 10 });
      expect(res.json.entries).to.have.length(5);
      const catalogue = await http(`${base}/admin/api/points/catalogue`, { token: auditor });
      expect(catalogue.status, catalogue.text).to.equal(200);
      expect(catalogue.json.items.find((i: { itemId: string }) => i.itemId === 'mug')).to.include({ cost: 30, stock: 47, active: true });
      const edit = await http(`${base}/admin/api/points/catalogue/mug`, { method: 'PUT', token: auditor, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'x', cost: 1 }) });
      expect(edit.status).to.equal(403);
      const asUser = await http(`${base}/admin/api/points/points-user-c`, { token: tokenOf('points-user-c') });
      expect(asUser.status).to.equal(401);
    });
  });
});
