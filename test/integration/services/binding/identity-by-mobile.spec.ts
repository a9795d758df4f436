import { expect } from 'chai';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { RunningBus, startBus } from '../../../../bin/bootstrap';
import { loadConfig } from '../../../../config';
import { signAccessToken } from '../../../../core/auth';
import { ALIPAY_USERS } from '../../../../simulators/alipay/dataset';
import { TEST_PII_ENV } from '../../../helpers/binding';
import { createFreshDatabase } from '../../../helpers/db';
import { TEST_JWT_ENV } from '../../../helpers/env';
import { http as request } from '../../../helpers/http';

/**
 * A customer system we did not write: JSON over HTTP, finds customers by
 * document number, document kind and phone, and never sees the name. The
 * canonical request of marketing.findCustomersByIdentity carries every
 * real-name field the bus holds; this mapping picks certNo, certType and mobile.
 */
function definition(url: string): string {
  return `
operation: marketing.findCustomersByIdentity
version: 1
idempotent: true
input:
  type: object
  required: [certNo, mobile]
  properties:
    certNo: { type: string }
    mobile: { type: string }
    certType: { type: string }
    name: { type: string }
endpoint:
  adapter: http
  url: ${url}/crm/v1/customer-search
  method: POST
  timeoutMs: 3000
request:
  body.doc.kind: { from: certType, lookup: { IDENTITY_CARD: ID }, default: ID }
  body.doc.number: certNo
  body.phone: mobile
response:
  success: { path: result, in: [found, none] }
  map:
    customers:
      each: matches
      map:
        accountNo: { from: meter_account, required: true }
        holderName: { from: display_name, mask: name }
        orgNo: { from: branch }
`;
}

describe('binding - a customer system that looks holders up by ID number and mobile, not name (HTTP)', function () {
  this.timeout(40000);
  const holder = ALIPAY_USERS[0];
  const ACCOUNT = '5500000017';
  let server: http.Server;
  const bodies: unknown[] = [];
  let bus: RunningBus;
  let dir: string;
  let db: { url: string; drop(): Promise<void> };

  before(async () => {
    server = http.createServer((req, res) => {
      let text = '';
      req.on('data', (c) => (text += c));
      req.on('end', () => {
        const body = JSON.parse(text) as { doc?: { kind?: string; number?: string }; phone?: string };
        bodies.push(body);
        const hit = body.doc?.kind === 'ID' && body.doc.number === holder.certNo && body.phone === holder.mobile;
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify(hit ? { result: 'found', matches: [{ meter_account: ACCOUNT, display_name: '李四', branch: 'B-07' }] } : { result: 'none', matches: [] }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-bymobile-'));
    fs.mkdirSync(path.join(dir, 'operations'));
    fs.writeFileSync(path.join(dir, 'operations', 'marketing.findCustomersByIdentity.yaml'), definition(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
    db = await createFreshDatabase();
    bus = await startBus(
      loadConfig({
        ...TEST_JWT_ENV, ...TEST_PII_ENV, DATABASE_URL: db.url, SERVICES: 'gateway,auth,audit,alipay,binding,marketing',
        HTTP_PORT: '0', MAPPINGS_DIR: dir, LOG_LEVEL: 'error', VAR_DIR: dir, NODE_ID: `bymobile-${process.pid}`,
      }),
    );
  });

  after(async () => {
    await bus?.stop();
    await new Promise((r) => server?.close(r));
    await db?.drop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('offers the account found by certNo + mobile and binds it; the name never reaches that system', async () => {
    const token = signAccessToken(bus.config.auth, { sub: holder.userId });
    const post = (route: string, body: unknown) =>
      request(`${bus.gatewayUrl}/api/v1/${route}`, { method: 'POST', token, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const offered = await post('bindings/candidates', { authCode: bus.alipaySimulator!.issueAuthCode(holder.userId) });
    expect(offered.status, offered.text).to.equal(200);
    expect(offered.json.candidates).to.have.length(1);
    expect(offered.json.candidates[0]).to.include({ accountNo: '******0017', holderName: '李*', orgNo: 'B-07', bound: false });
    expect(bodies).to.deep.equal([{ doc: { kind: 'ID', number: holder.certNo }, phone: holder.mobile }]);

    const bound = await post('bindings', { candidateToken: offered.json.candidates[0].candidateToken });
    expect(bound.status, bound.text).to.equal(200);
    expect(bound.json).to.include({ accountNo: ACCOUNT, created: true });
  });
});
