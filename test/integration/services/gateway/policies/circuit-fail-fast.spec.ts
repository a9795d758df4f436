import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RunningBus, startBus } from '../../../../../bin/bootstrap';
import { loadConfig } from '../../../../../config';
import { signAccessToken } from '../../../../../core/auth';
import { HOUSEHOLDS } from '../../../../../simulators/marketing/dataset';
import { MarketingSimulator, startMarketingSimulator } from '../../../../../simulators/marketing/server';
import { bindAccounts, TEST_PII_ENV } from '../../../../helpers/binding';
import { TEST_JWT_ENV, requireEnv } from '../../../../helpers/env';
import { eventually, http } from '../../../../helpers/http';

/**
 * The gateway hears `operations.circuit.open` and refuses routes that depend
 * on the open operation at once — 503 + Retry-After — without calling the
 * service at all; it lets traffic through again when the breaker allows a trial.
 */
describe('gateway/policies - fail fast while a breaker is open (operations.circuit.* events)', function () {
  this.timeout(30_000);
  let sim: MarketingSimulator;
  let bus: RunningBus;
  let dir: string;
  let token: string;
  let port: number;

  before(async () => {
    sim = await startMarketingSimulator();
    port = Number(new URL(sim.url).port);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-fail-fast-'));
    fs.cpSync(path.resolve(__dirname, '../../../../../mappings'), path.join(dir, 'mappings'), { recursive: true });
    const file = path.join(dir, 'mappings', 'operations', 'marketing.queryArrears.yaml');
    fs.writeFileSync(
      file,
      fs
        .readFileSync(file, 'utf8')
        .replace('retries: 1\n', 'retries: 0\n')
        .replace('idempotent: true\n', 'idempotent: true\nresilience:\n  breaker: { failureRatio: 0.5, minRequests: 4, window: 30s, halfOpenAfter: 2s }\n'),
    );
    bus = await startBus(
      loadConfig({ ...TEST_JWT_ENV,
        // binding (on the test database): users read arrears only of accounts bound to them
        SERVICES: 'gateway,billing,marketing,binding',
        DATABASE_URL: requireEnv('TEST_DATABASE_URL'),
        ...TEST_PII_ENV,
        MARKETING_WSDL_URL: sim.wsdlUrl,
        SIMULATORS: 'off',
        HTTP_PORT: '0',
        MAPPINGS_DIR: path.join(dir, 'mappings'),
        VAR_DIR: dir,
        LOG_LEVEL: 'fatal',
        NODE_ID: `fail-fast-${process.pid}`,
      }),
    );
    token = signAccessToken(bus.config.auth, { sub: 'fail-fast-user' });
    await bindAccounts(requireEnv('TEST_DATABASE_URL'), 'fail-fast-user', [HOUSEHOLDS[0].ConsNo]);
  });

  after(async () => {
    await bus?.stop();
    await sim?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const ask = () => http(`${bus.gatewayUrl}/api/v1/accounts/${HOUSEHOLDS[0].ConsNo}/arrears`, { token });
  /** How often billing.getArrears ran (Moleculer's own request counter). */
  const billingCalls = () => {
    const metric = (bus.broker.metrics.list() as Array<{ name: string; values: Array<{ labels: Record<string, unknown>; value?: number }> }>).find(
      (m) => m.name === 'moleculer.request.total',
    );
    return metric?.values.filter((v) => v.labels.action === 'billing.getArrears').reduce((n, v) => n + (v.value ?? 0), 0) ?? 0;
  };

  it('refuses at once with 503 + Retry-After without calling billing, and lets the trial through after halfOpenAfter', async () => {
    expect((await ask()).status).to.equal(200);
    await sim.close();
    for (let i = 0; i < 3; i++) expect((await ask()).json.code).to.equal('BACKEND_UNAVAILABLE');
    // 3 failures in 4 calls: the breaker opened; its broadcast reaches the gateway
    const calls = billingCalls();
    const refused = await eventually(ask, (r) => r.status === 503, 5_000);
    expect(refused.json.code).to.equal('SERVICE_UNAVAILABLE');
    expect(Number(refused.headers.get('retry-after'))).to.be.within(1, 2);
    for (let i = 0; i < 5; i++) expect((await ask()).status).to.equal(503);
    expect(billingCalls(), 'billing was never called while the circuit was open').to.equal(calls);

    sim = await startMarketingSimulator({ port });
    const back = await eventually(ask, (r) => r.status === 200, 10_000);
    expect(back.json.totalFen).to.be.a('number');
    expect(billingCalls()).to.be.greaterThan(calls);
  });
});
