import { expect } from 'chai';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo, Socket } from 'net';
import * as os from 'os';
import * as path from 'path';
import { RunningBus, startBus } from '../../../../bin/bootstrap';
import { loadConfig } from '../../../../config';
import { signAccessToken } from '../../../../core/auth';
import { bindAccounts, TEST_PII_ENV } from '../../../helpers/binding';
import { createFreshDatabase } from '../../../helpers/db';
import { TEST_JWT_ENV } from '../../../helpers/env';
import { http as request } from '../../../helpers/http';

const ANSWERED = '7100000042';
const HUNG = '7100000099';

/**
 * A back office we did not write: JSON over HTTP, the result code in a
 * `head`, yuan strings, bills under `data.bill_info.bills`, and no account
 * number anywhere in the answer. For HUNG it accepts the request and never
 * answers.
 */
function definition(url: string): string {
  return `
operation: marketing.queryArrears
version: 1
idempotent: true
input:
  type: object
  additionalProperties: false
  required: [accountNo]
  properties: { accountNo: { type: string, pattern: "^[0-9]{10}$" } }
endpoint:
  adapter: http
  url: ${url}/v2/households/{hh}/debts
  method: GET
  timeoutMs: 5000          # the issue's setting: 2 attempts x 5 s + 200 ms > REQUEST_TIMEOUT_MS
  retries: 1
request:
  path.hh: accountNo
  headers.X-Trace: $context.requestId
response:
  success: { path: head.rc, equals: "S" }
  errors:
    - when: { path: head.rc, equals: "NF" }
      raise: ACCOUNT_NOT_FOUND
  map:
    accountNo: { from: $request.accountNo, required: true }   # not echoed by this system
    holderName: { from: data.owner, mask: name }
    items:
      each: data.bill_info.bills
      map:
        billMonth: { from: ym, required: true }
        amountFen: { from: due, money: { in: yuan }, required: true }
        lateFeeFen: { const: 0 }
        status: { const: UNPAID }
    totalFen: { sum: ["$out.items[].amountFen"] }
`;
}

describe('core/operations - a back office that does not echo the account and one that hangs (HTTP, through the gateway)', function () {
  this.timeout(40000);
  let server: http.Server;
  const sockets = new Set<Socket>();
  const seen: Array<{ url: string; trace?: string }> = [];
  let bus: RunningBus;
  let dir: string;
  let db: { url: string; drop(): Promise<void> };
  let token: string;

  before(async () => {
    server = http.createServer((req, res) => {
      seen.push({ url: req.url ?? '', trace: req.headers['x-trace'] as string | undefined });
      if (req.url?.includes(HUNG)) return; // accepted, never answered
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ head: { rc: 'S' }, data: { owner: '王小明', bill_info: { bills: [{ ym: '202501', due: '12.30' }, { ym: '202502', due: '7' }] } } }));
    });
    server.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-noecho-'));
    fs.mkdirSync(path.join(dir, 'operations'));
    fs.writeFileSync(path.join(dir, 'operations', 'marketing.queryArrears.yaml'), definition(url));
    db = await createFreshDatabase();
    bus = await startBus(
      loadConfig({
        ...TEST_JWT_ENV, ...TEST_PII_ENV, DATABASE_URL: db.url, SIMULATORS: 'off', MARKETING_WSDL_URL: 'http://127.0.0.1:9/unused?wsdl',
        SERVICES: 'gateway,billing,marketing,mapping,binding', HTTP_PORT: '0', MAPPINGS_DIR: dir, LOG_LEVEL: 'error',
      }),
    );
    token = signAccessToken(bus.config.auth, { sub: 'u' });
    await bindAccounts(db.url, 'u', [ANSWERED, HUNG]);
  });

  after(async () => {
    await bus?.stop();
    for (const s of sockets) s.destroy();
    await new Promise((r) => server?.close(r));
    await db?.drop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const arrears = (accountNo: string) => request(`${bus.gatewayUrl}/api/v1/accounts/${accountNo}/arrears`, { token });

  it('fills accountNo from the canonical request ($request.accountNo) and sends the request id ($context.requestId)', async () => {
    const res = await arrears(ANSWERED);
    expect(res.status, res.text).to.equal(200);
    expect(res.json).to.deep.include({ accountNo: ANSWERED, holderName: '王**', totalFen: 1930 });
    expect(res.json.items).to.deep.equal([
      { billMonth: '202501', amountFen: 1230, lateFeeFen: 0, status: 'UNPAID' },
      { billMonth: '202502', amountFen: 700, lateFeeFen: 0, status: 'UNPAID' },
    ]);
    const call = seen.find((s) => s.url.includes(ANSWERED))!;
    expect(call.url).to.equal(`/v2/households/${ANSWERED}/debts`);
    expect(call.trace).to.be.a('string').and.to.have.length.above(0);
  });

  it('a back end that accepts and never answers gives 504 BACKEND_TIMEOUT within the request timeout, not 503', async () => {
    const started = Date.now();
    const res = await arrears(HUNG);
    const took = Date.now() - started;
    expect(res.status, res.text).to.equal(504);
    expect(res.json.code).to.equal('BACKEND_TIMEOUT');
    expect(took, 'answered before the gateway gives up (REQUEST_TIMEOUT_MS 10 s)').to.be.below(bus.config.requestTimeoutMs);
    expect(took, 'the second attempt ran, shortened to the deadline').to.be.above(8000);
    expect(seen.filter((s) => s.url.includes(HUNG)), 'both attempts reached the back end').to.have.length(2);
  });
});
