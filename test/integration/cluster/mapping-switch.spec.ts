import { expect } from 'chai';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { signAccessToken } from '../../../core/auth';
import { readMappingFiles } from '../../../core/mapping';
import { HOUSEHOLDS } from '../../../simulators/marketing/dataset';
import { MarketingSimulator, startMarketingSimulator } from '../../../simulators/marketing/server';
import { bindAccounts, TEST_PII_ENV } from '../../helpers/binding';
import { BusProcess, REPO_ROOT } from '../../helpers/bus-process';
import { createFreshDatabase } from '../../helpers/db';
import { requireEnv } from '../../helpers/env';
import { operatorToken } from '../../helpers/operators';
import { eventually, http } from '../../helpers/http';
import { freePort } from '../../helpers/ports';

const JWT_SECRET = 'cluster-secret-0123456789-0123456789-abc';
const auth = { jwtSecret: JWT_SECRET, issuer: 'gridbus', audience: 'gridbus-life-number' };

describe('cluster - a published mapping release reaches every node', function () {
  this.timeout(60000);
  const suffix = randomBytes(3).toString('hex');
  let sim: MarketingSimulator;
  let db: { url: string; drop(): Promise<void> };
  const procs: BusProcess[] = [];
  let base: string;

  before(async () => {
    sim = await startMarketingSimulator();
    db = await createFreshDatabase();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const common = { NATS_URL: requireEnv('TEST_NATS_URL'), BUS_NAMESPACE: `sw-${suffix}`, JWT_SECRET, MARKETING_WSDL_URL: sim.wsdlUrl, SIMULATORS: 'off' };
    // binding: user-1 reads arrears only of accounts bound to them
    procs.push(new BusProcess(['start', '--services', 'auth,billing,marketing,audit,mapping,binding'], { ...common, ...TEST_PII_ENV, NODE_ID: `a-${suffix}`, DATABASE_URL: db.url }));
    procs.push(new BusProcess(['start', '--services', 'marketing'], { ...common, NODE_ID: `b-${suffix}` }));
    procs.push(new BusProcess(['start', '--services', 'gateway'], { ...common, NODE_ID: `gw-${suffix}`, HTTP_PORT: String(port) }));
    await eventually(
      () => http(`${base}/health`),
      (r) => r.json?.nodes?.length === 3 && r.json.nodes.filter((n: { dependencies: Record<string, { detail?: string }> }) => n.dependencies.mappings?.detail === 'release 1').length === 2,
      30000,
    );
    await bindAccounts(db.url, 'user-1', [HOUSEHOLDS[0].ConsNo]);
  });

  after(async () => {
    await Promise.all(procs.map((p) => p.stop().catch(() => undefined)));
    await sim?.close();
    await db?.drop();
  });

  it('switches both marketing nodes, including the one without a database, to the new release', async () => {
    const files = readMappingFiles(path.join(REPO_ROOT, 'mappings'));
    const op = 'operations/marketing.queryArrears.yaml';
    expect(fs.existsSync(path.join(REPO_ROOT, 'mappings', op))).to.equal(true);
    const draft = { ...files, [op]: files[op].replace('"01": UNPAID', '"01": OWING') };
    const admin = await operatorToken(db.url, base, 'operator:li', ['admin']);
    const res = await http(`${base}/admin/api/mappings/publish`, { method: 'POST', token: admin, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ files: draft }) });
    expect(res.status, res.text).to.equal(200);
    expect(res.json.version).to.equal(2);
    const health = await eventually(
      () => http(`${base}/health`),
      (r) => r.json.nodes.filter((n: { dependencies: Record<string, { detail?: string }> }) => n.dependencies.mappings?.detail === 'release 2').length === 2,
      10000,
    );
    expect(health.json.status).to.equal('up');
    expect(procs[1].output).to.contain(`node b-${suffix} switched to mapping release 2`);
    // And requests answer with the new mapping (billing prefers the marketing service on its own node).
    const user = signAccessToken(auth, { sub: 'user-1' });
    for (let i = 0; i < 6; i++) {
      const r = await http(`${base}/api/v1/accounts/${HOUSEHOLDS[0].ConsNo}/arrears`, { token: user });
      expect(r.json.items[0].status).to.equal('OWING');
    }
  });
});
