import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RunningBus, startBus } from '../../../../bin/bootstrap';
import { loadConfig } from '../../../../config';
import { signAccessToken } from '../../../../core/auth';
import { HOUSEHOLDS } from '../../../../simulators/marketing/dataset';
import { MarketingSimulator, startMarketingSimulator } from '../../../../simulators/marketing/server';
import { http } from '../../../helpers/http';
import { createFreshDatabase } from '../../../helpers/db';
import { bindAccounts, TEST_PII_ENV } from '../../../helpers/binding';
import { TEST_JWT_ENV } from '../../../helpers/env';

/**
 * The breaker declared in a mapping opens when the SOAP back office keeps
 * failing, answers at once with 503 + Retry-After while open, and closes again
 * after a successful trial once the back office is back.
 */
describe('core/operations - circuit breaker of a mapped operation against a real SOAP back office', function () {
  this.timeout(30000);
  let sim: MarketingSimulator;
  let bus: RunningBus;
  let dir: string;
  let db: { url: string; drop(): Promise<void> };
  let token: string;
  let port: number;

  before(async () => {
    sim = await startMarketingSimulator();
    port = Number(new URL(sim.url).port);
    db = await createFreshDatabase();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-breaker-'));
    fs.cpSync(path.resolve(__dirname, '../../../../mappings'), dir, { recursive: true });
    const file = path.join(dir, 'operations', 'marketing.queryArrears.yaml');
    const text = fs.readFileSync(file, 'utf8').replace('retries: 1\n', 'retries: 0\n').replace(
      'idempotent: true\n',
      'idempotent: true\nresilience:\n  breaker: { failureRatio: 0.5, minRequests: 4, window: 30s, halfOpenAfter: 1s }\n',
    );
    fs.writeFileSync(file, text);
    bus = await startBus(
      loadConfig({ ...TEST_JWT_ENV, DATABASE_URL: db.url, MARKETING_WSDL_URL: sim.wsdlUrl, SIMULATORS: 'off', SERVICES: 'gateway,billing,marketing,mapping,binding', HTTP_PORT: '0', MAPPINGS_DIR: dir, LOG_LEVEL: 'error', ...TEST_PII_ENV }),
    );
    token = signAccessToken(bus.config.auth, { sub: 'u' });
    await bindAccounts(db.url, 'u', [HOUSEHOLDS[0].ConsNo]);
  });

  after(async () => {
    await bus?.stop();
    await sim?.close();
    await db?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const ask = () => http(`${bus.gatewayUrl}/api/v1/accounts/${HOUSEHOLDS[0].ConsNo}/arrears`, { token });

  it('opens after repeated back-office failures, fails fast with Retry-After, and closes after a good trial', async () => {
    expect((await ask()).status).to.equal(200);
    await sim.close();
    for (let i = 0; i < 3; i++) expect((await ask()).json.code).to.equal('BACKEND_UNAVAILABLE');

    const open = await ask();
    expect(open.status).to.equal(503);
    expect(open.json.code).to.equal('SERVICE_UNAVAILABLE');
    expect(Number(open.headers.get('retry-after'))).to.be.within(1, 30);
    const health = await http(`${bus.gatewayUrl}/health`);
    expect(health.json.nodes[0].dependencies.circuits).to.deep.include({ status: 'degraded' });
    const metrics = await http(`${bus.gatewayUrl}/metrics`);
    expect(metrics.text).to.match(/gridbus_operation_circuit_state\{[^}]*operation="marketing.queryArrears"[^}]*\} 2/);

    sim = await startMarketingSimulator({ port });
    await new Promise((r) => setTimeout(r, 1100)); // past halfOpenAfter
    const trial = await ask();
    expect(trial.status).to.equal(200);
    expect((await http(`${bus.gatewayUrl}/health`)).json.nodes[0].dependencies.circuits.status).to.equal('up');
  });
});
