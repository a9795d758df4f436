import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RunningBus, startBus } from '../../../../bin/bootstrap';
import { loadConfig } from '../../../../config';
import { signAccessToken } from '../../../../core/auth';
import { operatorToken } from '../../../helpers/operators';
import { readMappingFiles } from '../../../../core/mapping';
import { HOUSEHOLDS, SPECIAL_CONS_NO } from '../../../../simulators/marketing/dataset';
import { MarketingSimulator, startMarketingSimulator } from '../../../../simulators/marketing/server';
import { bindAccounts, TEST_PII_ENV } from '../../../helpers/binding';
import { createFreshDatabase, query } from '../../../helpers/db';
import { eventually, http } from '../../../helpers/http';
import { TEST_JWT_ENV } from '../../../helpers/env';

const OP_FILE = 'operations/marketing.queryArrears.yaml';

describe('mapping lifecycle - validate, dry-run, publish, switch, roll back (real PostgreSQL and SOAP simulator)', function () {
  this.timeout(30000);
  let db: { url: string; drop(): Promise<void> };
  let sim: MarketingSimulator;
  let bus: RunningBus;
  let dir: string;
  let base: string;
  let admin: string;
  let user: string;
  let original: Record<string, string>;

  const withStatus = (files: Record<string, string>, unpaid: string) => ({ ...files, [OP_FILE]: files[OP_FILE].replace('"01": UNPAID', `"01": ${unpaid}`) });
  const post = (route: string, body: unknown, token = admin) =>
    http(`${base}/admin/api/${route}`, { method: 'POST', token, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const arrears = (consNo: string) => http(`${base}/api/v1/accounts/${consNo}/arrears`, { token: user });

  before(async () => {
    db = await createFreshDatabase();
    sim = await startMarketingSimulator({ slowDelayMs: 1500 });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-lifecycle-'));
    fs.cpSync(path.resolve(__dirname, '../../../../mappings'), dir, { recursive: true });
    bus = await startBus(
      loadConfig({ ...TEST_JWT_ENV, DATABASE_URL: db.url, MARKETING_WSDL_URL: sim.wsdlUrl, SIMULATORS: 'off', SERVICES: 'gateway,auth,billing,marketing,audit,mapping,binding', HTTP_PORT: '0', MAPPINGS_DIR: dir, LOG_LEVEL: 'error', NODE_ID: 'lifecycle', ...TEST_PII_ENV }),
    );
    base = bus.gatewayUrl!;
    admin = await operatorToken(db.url, base, 'operator:wang', ['admin']);
    user = signAccessToken(bus.config.auth, { sub: 'user-1' });
    await bindAccounts(db.url, 'user-1', [HOUSEHOLDS[0].ConsNo, HOUSEHOLDS[3].ConsNo, SPECIAL_CONS_NO.SLOW]);
    original = readMappingFiles(dir);
  });

  after(async () => {
    await bus?.stop();
    await sim?.close();
    await db?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('imports the mappings directory as release 1 at the first start', async () => {
    const res = await http(`${base}/admin/api/mappings/releases`, { token: admin });
    expect(res.status).to.equal(200);
    expect(res.json).to.have.length(1);
    expect(res.json[0]).to.include({ version: 1, kind: 'import', author: 'startup:lifecycle' });
    const active = await http(`${base}/admin/api/mappings/active`, { token: admin });
    expect(active.json.files).to.deep.equal(original);
  });

  it('refuses the admin API to user tokens and missing tokens (401) and publishing to auditors (403)', async () => {
    expect((await http(`${base}/admin/api/mappings/releases`, { token: user })).status).to.equal(401);
    expect((await http(`${base}/admin/api/mappings/releases`)).status).to.equal(401);
    const auditor = await operatorToken(db.url, base, 'auditor:zhao', ['auditor']);
    expect((await http(`${base}/admin/api/mappings/releases`, { token: auditor })).status).to.equal(200);
    const res = await post('mappings/publish', { files: original }, auditor);
    expect(res.status).to.equal(403);
    expect(res.json.code).to.equal('FORBIDDEN');
  });

  it('validates a draft and lists every problem with file and path', async () => {
    const draft = {
      ...original,
      [OP_FILE]: original[OP_FILE].replace('raise: ACCOUNT_NOT_FOUND', 'raise: NOT_A_CODE'),
      'codes/broken.yaml': 'table: Broken Name\nvalues: {}\n',
    };
    const res = await post('mappings/validate', { files: draft });
    expect(res.status).to.equal(200);
    expect(res.json.valid).to.equal(false);
    const where = res.json.problems.map((p: { file: string; path: string }) => `${p.file} ${p.path}`);
    expect(where).to.include(`${OP_FILE} response.errors[0].raise`);
    expect(where.some((w: string) => w.startsWith('codes/broken.yaml'))).to.equal(true);
  });

  it('dry-runs a draft on given samples and shows the differences side by side', async () => {
    const sample = {
      label: 'one unpaid bill',
      request: { accountNo: '3301000001' },
      response: { RetCode: '0000', Customer: { ConsNo: '3301000001', ConsName: '张伟' }, ArrearsList: { Item: [{ BillMonth: '202501', ArrearsFen: 100, PenaltyFen: 0, Status: '01' }] }, TotalFen: 100 },
    };
    const res = await post('mappings/dry-run', { files: withStatus(original, 'OWING'), operation: 'marketing.queryArrears', samples: [sample] });
    expect(res.status).to.equal(200);
    const [r] = res.json.results;
    expect(r.current.response.value.items[0].status).to.equal('UNPAID');
    expect(r.draft.response.value.items[0].status).to.equal('OWING');
    expect(r.differences).to.deep.equal(['response.value.items[0].status: "UNPAID" → "OWING"']);
  });

  it('records real exchanges with personal data masked, and dry-runs the last N of them', async () => {
    const h = HOUSEHOLDS[0];
    expect((await arrears(h.ConsNo)).status).to.equal(200);
    expect((await arrears(HOUSEHOLDS[3].ConsNo)).status).to.equal(200);
    const log = await eventually(
      async () => (await http(`${base}/admin/api/mappings/exchanges/marketing.queryArrears?last=2`, { token: admin })).json,
      (rows) => Array.isArray(rows) && rows.length === 2,
      5000,
    );
    const text = JSON.stringify(log);
    expect(text).to.not.contain(h.ConsName);
    expect(log[1].rawResponse).to.contain('<');
    expect(log[1].rawResponse).to.not.contain(h.ConsName);
    expect(log[1].backofficeResponse.Customer.ConsName).to.equal(`${h.ConsName[0]}*`);
    const res = await post('mappings/dry-run', { files: withStatus(original, 'OWING'), operation: 'marketing.queryArrears', last: 2 });
    expect(res.json.results).to.have.length(2);
    for (const r of res.json.results) {
      expect(r.label).to.match(/^recorded /);
      expect(r.differences.length).to.be.greaterThan(0);
      expect(r.differences.every((d: string) => /status: "UNPAID" → "OWING"/.test(d))).to.equal(true);
    }
  });

  it('publishes a release that the node switches to, recording author, diff and an audit entry', async () => {
    const res = await post('mappings/publish', { files: withStatus(original, 'OWING'), note: 'say OWING' });
    expect(res.status).to.equal(200);
    expect(res.json.version).to.equal(2);
    expect(res.json.diff).to.match(/^-.*"01": UNPAID/m).and.to.match(/^\+.*"01": OWING/m);
    const after = await eventually(() => arrears(HOUSEHOLDS[0].ConsNo), (r) => r.json?.items?.[0]?.status === 'OWING', 5000);
    expect(after.status).to.equal(200);
    const [release] = (await http(`${base}/admin/api/mappings/releases`, { token: admin })).json;
    expect(release).to.include({ version: 2, kind: 'publish', author: 'operator:wang', note: 'say OWING' });
    const audit = await query(db.url, "SELECT actor, target FROM audit_log WHERE action = 'mapping.publish'");
    expect(audit).to.deep.equal([{ actor: 'operator:wang', target: 'release 2' }]);
  });

  it('lets a call in flight finish on the version it started with', async () => {
    const slow = arrears(SPECIAL_CONS_NO.SLOW); // answers after 1.5 s, started on release 2 (OWING)
    await new Promise((r) => setTimeout(r, 300));
    const pub = await post('mappings/publish', { files: withStatus(original, 'DUE') });
    expect(pub.json.version).to.equal(3);
    await eventually(() => arrears(HOUSEHOLDS[0].ConsNo), (r) => r.json?.items?.[0]?.status === 'DUE', 5000);
    const inFlight = await slow;
    expect(inFlight.status).to.equal(200);
    expect(inFlight.json.items[0].status).to.equal('OWING');
  });

  it('refuses to publish a set identical to the active release', async () => {
    const res = await post('mappings/publish', { files: withStatus(original, 'DUE') });
    expect(res.status).to.equal(422);
    expect(res.json.message).to.match(/identical to release 3/);
  });

  it('refuses to publish an invalid set and keeps serving the active one', async () => {
    const res = await post('mappings/publish', { files: { ...original, [OP_FILE]: 'operation: [' } });
    expect(res.status).to.equal(422);
    expect(res.json.code).to.equal('VALIDATION_FAILED');
    expect((await arrears(HOUSEHOLDS[0].ConsNo)).json.items[0].status).to.equal('DUE');
  });

  it('rolls back to an earlier release as a new release', async () => {
    const res = await post('mappings/rollback', { version: 1 });
    expect(res.status).to.equal(200);
    expect(res.json).to.include({ version: 4, rollbackOf: 1 });
    await eventually(() => arrears(HOUSEHOLDS[0].ConsNo), (r) => r.json?.items?.[0]?.status === 'UNPAID', 5000);
    const diff = await post('mappings/diff', { files: withStatus(original, 'OWING') });
    expect(diff.json.against).to.equal(4);
    expect(diff.json.changed).to.deep.equal([OP_FILE]);
  });
});
