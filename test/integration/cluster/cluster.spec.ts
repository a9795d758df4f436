import { expect } from 'chai';
import { randomBytes } from 'crypto';
import { Client } from 'pg';
import { signAccessToken } from '../../../core/auth';
import { HOUSEHOLDS, totalFen } from '../../../simulators/marketing/dataset';
import { MarketingSimulator, startMarketingSimulator } from '../../../simulators/marketing/server';
import { bindAccounts, TEST_PII_ENV } from '../../helpers/binding';
import { BusProcess } from '../../helpers/bus-process';
import { requireEnv } from '../../helpers/env';
import { eventually, http } from '../../helpers/http';
import { freePort } from '../../helpers/ports';

const JWT_SECRET = 'cluster-secret-0123456789-0123456789-abc';

describe('cluster - gateway and services as separate processes over NATS', function () {
  this.timeout(60000);
  const suffix = randomBytes(3).toString('hex');
  const namespace = `it-${suffix}`;
  let sim: MarketingSimulator;
  let gateway: BusProcess;
  let services: BusProcess;
  let base: string;
  const token = signAccessToken({ jwtSecret: JWT_SECRET, issuer: 'gridbus', audience: 'gridbus-life-number' }, { sub: 'user-7' });

  before(async () => {
    sim = await startMarketingSimulator();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const common = { NATS_URL: requireEnv('TEST_NATS_URL'), BUS_NAMESPACE: namespace, JWT_SECRET, ...TEST_PII_ENV };
    // binding: user-7 reads arrears only of accounts bound to them
    services = new BusProcess(['start', '--services', 'billing,marketing,audit,mapping,binding'], {
      ...common,
      NODE_ID: `svc-${suffix}`,
      DATABASE_URL: requireEnv('TEST_DATABASE_URL'),
      MARKETING_WSDL_URL: sim.wsdlUrl,
      SIMULATORS: 'off',
    });
    gateway = new BusProcess(['start', '--services', 'gateway'], { ...common, NODE_ID: `gw-${suffix}`, HTTP_PORT: String(port) });
    await Promise.all([services.waitFor(/node svc-\S+ running/), gateway.waitFor(/gateway: http/)]);
    await bindAccounts(requireEnv('TEST_DATABASE_URL'), 'user-7', [HOUSEHOLDS[0].ConsNo, HOUSEHOLDS[1].ConsNo]);
    // Ready once the gateway sees the service node and every dependency is up.
    await eventually(
      () => http(`${base}/health`),
      (r) => r.status === 200 && r.json.status === 'up' && r.json.nodes.length === 2,
    );
  });

  after(async () => {
    await Promise.all([gateway?.stop(), services?.stop()]);
    await sim?.close();
  });

  it('lists both nodes with their own dependencies on /health', async () => {
    const res = await http(`${base}/health`);
    const byId = Object.fromEntries(res.json.nodes.map((n: { nodeId: string }) => [n.nodeId, n]));
    expect(byId[`gw-${suffix}`].dependencies.transporter.status).to.equal('up');
    expect(byId[`gw-${suffix}`].dependencies).to.not.have.property('database');
    expect(byId[`svc-${suffix}`].dependencies.database.status).to.equal('up');
    expect(byId[`svc-${suffix}`].dependencies[`adapter soap:${sim.wsdlUrl}`].status).to.equal('up');
  });

  it('answers an arrears query through the gateway process, the service process and the SOAP simulator', async () => {
    const h = HOUSEHOLDS[1];
    const before = sim.requestCount();
    const res = await http(`${base}/api/v1/accounts/${h.ConsNo}/arrears`, { token, headers: { 'X-Request-ID': `cluster-${suffix}` } });
    expect(res.status).to.equal(200);
    expect(res.json.totalFen).to.equal(totalFen(h));
    expect(sim.requestCount()).to.equal(before + 1);
  });

  it('carries the request id into the logs of the other node', async () => {
    await eventually(
      async () => services.output,
      (out) => out.includes(`req=cluster-${suffix} action=marketing.queryArrears outcome=ok`),
      5000,
    );
    // The access line may reach us a moment after the response did.
    await eventually(
      async () => gateway.output,
      (out) => out.includes(`req=cluster-${suffix} http GET /api/v1/accounts/${HOUSEHOLDS[1].ConsNo}/arrears status=200`),
      5000,
    );
  });

  it('records a refusal at the gateway in the audit log written by the service node', async () => {
    const requestId = `cluster-audit-${suffix}`;
    const res = await http(`${base}/api/v1/accounts/${HOUSEHOLDS[0].ConsNo}/arrears`, { token: 'garbage', headers: { 'X-Request-ID': requestId } });
    expect(res.status).to.equal(401);
    const pg = new Client({ connectionString: requireEnv('TEST_DATABASE_URL') });
    await pg.connect();
    try {
      const rows = await eventually(
        async () => (await pg.query('SELECT action, node_id FROM audit_log WHERE request_id = $1', [requestId])).rows,
        (r) => r.length > 0,
        5000,
      );
      expect(rows).to.deep.equal([{ action: 'auth.token.rejected', node_id: `gw-${suffix}` }]);
    } finally {
      await pg.end();
    }
  });

  it('answers 503 SERVICE_UNAVAILABLE while the service node is gone, and serves again when it returns', async () => {
    expect(await services.stop('SIGTERM')).to.equal(0);
    const down = await eventually(
      () => http(`${base}/api/v1/accounts/${HOUSEHOLDS[0].ConsNo}/arrears`, { token }),
      (r) => r.status === 503,
      10000,
    );
    expect(down.json.code).to.equal('SERVICE_UNAVAILABLE');
    services = new BusProcess(['start', '--services', 'billing,marketing,audit,mapping,binding'], {
      ...TEST_PII_ENV,
      NATS_URL: requireEnv('TEST_NATS_URL'),
      BUS_NAMESPACE: namespace,
      JWT_SECRET,
      NODE_ID: `svc-${suffix}`,
      DATABASE_URL: requireEnv('TEST_DATABASE_URL'),
      MARKETING_WSDL_URL: sim.wsdlUrl,
      SIMULATORS: 'off',
    });
    const back = await eventually(
      () => http(`${base}/api/v1/accounts/${HOUSEHOLDS[0].ConsNo}/arrears`, { token }),
      (r) => r.status === 200,
      20000,
    );
    expect(back.json.totalFen).to.equal(totalFen(HOUSEHOLDS[0]));
  });

  it('stops both processes cleanly on SIGTERM', async () => {
    expect(await gateway.stop('SIGTERM')).to.equal(0);
    expect(await services.stop('SIGTERM')).to.equal(0);
  });
});
