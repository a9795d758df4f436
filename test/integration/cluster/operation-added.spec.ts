import { expect } from 'chai';
import { randomBytes } from 'crypto';
import * as path from 'path';
import { ServiceBroker } from 'moleculer';
import { readMappingFiles } from '../../../core/mapping';
import { HOUSEHOLDS, totalFen } from '../../../simulators/marketing/dataset';
import { MarketingSimulator, startMarketingSimulator } from '../../../simulators/marketing/server';
import { TEST_PII_ENV } from '../../helpers/binding';
import { BusProcess, REPO_ROOT } from '../../helpers/bus-process';
import { createFreshDatabase } from '../../helpers/db';
import { requireEnv } from '../../helpers/env';
import { operatorToken } from '../../helpers/operators';
import { eventually, http } from '../../helpers/http';
import { freePort } from '../../helpers/ports';

/** An operation the shipped set does not have: the total owed only, from the same WSDL operation. */
const ADDED = `
operation: marketing.queryTotalOwed
version: 1
idempotent: true
input:
  type: object
  required: [accountNo]
  properties: { accountNo: { type: string, pattern: "^[0-9]{10}$" } }
endpoint:
  adapter: soap
  wsdl: \${MARKETING_WSDL_URL}
  operation: QueryArrears
  timeoutMs: 3000
request:
  ConsNo: accountNo
  Channel: { const: ALIPAY }
  Serial: { from: $requestId }
response:
  success: { path: RetCode, equals: "0000" }
  map:
    accountNo: $request.accountNo
    owedFen: { from: TotalFen, money: { in: fen }, required: true }
`;

describe('cluster - an operation added by a published release is callable on every node without a restart', function () {
  this.timeout(60000);
  const suffix = randomBytes(3).toString('hex');
  const namespace = `opadd-${suffix}`;
  let sim: MarketingSimulator;
  let db: { url: string; drop(): Promise<void> };
  const procs: BusProcess[] = [];
  let caller: ServiceBroker;
  let base: string;

  before(async () => {
    sim = await startMarketingSimulator();
    db = await createFreshDatabase();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const common = { NATS_URL: requireEnv('TEST_NATS_URL'), BUS_NAMESPACE: namespace, JWT_SECRET: 'opadd-secret-0123456789-0123456789-abcd', MARKETING_WSDL_URL: sim.wsdlUrl, SIMULATORS: 'off' };
    procs.push(new BusProcess(['start', '--services', 'auth,marketing,mapping'], { ...common, ...TEST_PII_ENV, NODE_ID: `a-${suffix}`, DATABASE_URL: db.url }));
    procs.push(new BusProcess(['start', '--services', 'marketing'], { ...common, NODE_ID: `b-${suffix}` }));
    procs.push(new BusProcess(['start', '--services', 'gateway'], { ...common, NODE_ID: `gw-${suffix}`, HTTP_PORT: String(port) }));
    await eventually(
      () => http(`${base}/health`),
      (r) => r.json?.nodes?.length === 3 && r.json.nodes.filter((n: { dependencies: Record<string, { detail?: string }> }) => n.dependencies.mappings?.detail === 'release 1').length === 2,
      30000,
    );
    // a node of its own, like any other service calling canonical operations
    caller = new ServiceBroker({ namespace, nodeID: `caller-${suffix}`, transporter: requireEnv('TEST_NATS_URL'), logger: false });
    await caller.start();
    await caller.waitForServices(['marketing'], 10000);
  });

  after(async () => {
    await caller?.stop();
    await Promise.all(procs.map((p) => p.stop().catch(() => undefined)));
    await sim?.close();
    await db?.drop();
  });

  it('publishes marketing.queryTotalOwed and calls it on both marketing nodes; queryArrears keeps answering', async () => {
    const h = HOUSEHOLDS[0];
    const params = { accountNo: h.ConsNo };
    const before = await caller.call('marketing.queryTotalOwed', params).then(() => 'answered', (e: Error) => e.name);
    expect(before, 'not there before the release').to.equal('ServiceNotFoundError');

    const files = { ...readMappingFiles(path.join(REPO_ROOT, 'mappings')), 'operations/marketing.queryTotalOwed.yaml': ADDED };
    const admin = await operatorToken(db.url, base, 'operator:wu', ['admin']);
    const res = await http(`${base}/admin/api/mappings/publish`, { method: 'POST', token: admin, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ files }) });
    expect(res.status, res.text).to.equal(200);

    for (const node of [`a-${suffix}`, `b-${suffix}`]) {
      // Moleculer announces a node's new actions to the others within about a second
      const answer = await eventually(
        () => caller.call('marketing.queryTotalOwed', params, { nodeID: node }).catch((e: Error) => ({ error: e.name })),
        (r) => !(r as { error?: string }).error,
        8000,
      );
      expect(answer, node).to.deep.equal({ accountNo: h.ConsNo, owedFen: totalFen(h) });
      const arrears = (await caller.call('marketing.queryArrears', params, { nodeID: node })) as { totalFen: number };
      expect(arrears.totalFen, node).to.equal(totalFen(h));
    }
    expect(procs[1].output).to.contain("operations of 'marketing' added by the active release are callable: marketing.queryTotalOwed");
  });
});
