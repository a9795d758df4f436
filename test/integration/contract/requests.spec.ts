import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RunningBus, startBus } from '../../../bin/bootstrap';
import { loadConfig } from '../../../config';
import { loadLifeNumberSpec } from '../../../core/openapi/life-number-spec';
import { apiV1Route } from '../../../services/gateway/routes/api-v1.route';
import { userSessionRoute } from '../../../services/gateway/routes/session.route';
import { TEST_PII_ENV } from '../../helpers/binding';
import { createFreshDatabase } from '../../helpers/db';
import { TEST_JWT_ENV } from '../../helpers/env';
import { requestDrift } from './request-drift';

/**
 * The requests the contract documents against the params the actions
 * really validate: one bus with every service that serves /api/v1 (the
 * plates' too; in-process simulators), the params read from its broker.
 * Answers are checked by life-number.spec.ts and the plates' specs.
 */
describe('contract - every documented /api/v1 request is what its action validates (real bus, every /api/v1 service)', function () {
  this.timeout(60_000);
  let db: { url: string; drop(): Promise<void> };
  let bus: RunningBus;
  let varDir: string;

  before(async () => {
    varDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-contract-requests-'));
    db = await createFreshDatabase();
    bus = await startBus(
      loadConfig({
        ...TEST_JWT_ENV,
        ...TEST_PII_ENV,
        DATABASE_URL: db.url,
        VAR_DIR: varDir,
        SERVICES: 'gateway,auth,audit,mapping,alipay,binding,billing,marketing,payment,electricity,content,power,users',
        HTTP_PORT: '0',
        LOG_LEVEL: 'fatal',
        NODE_ID: `contract-requests-${process.pid}`,
      }),
    );
  });

  after(async () => {
    await bus?.stop();
    await db?.drop();
    if (varDir) fs.rmSync(varDir, { recursive: true, force: true });
  });

  it('contract - requests: each operation takes exactly the documented params (names, required, types, patterns, bounds, nullability, enums)', () => {
    const doc = loadLifeNumberSpec();
    const actions = new Map<string, Record<string, unknown>>(
      (bus.broker.registry.getActionList({ onlyLocal: true, skipInternal: true, withEndpoints: false }) as Array<{ name: string; action?: { params?: Record<string, unknown> } }>).map((a) => [a.name, a.action?.params ?? {}]),
    );
    const compared: string[] = [];
    const missing: string[] = [];
    const problems: string[] = [];
    for (const route of [apiV1Route(bus.config), userSessionRoute(bus.config)]) {
      for (const [alias, target] of Object.entries(route.aliases)) {
        const [method, rel] = alias.split(/\s+/);
        const template = `${route.path}/${rel.replace(/^\/+/, '')}`.replace(/\/+$/, '').replace(/:([A-Za-z0-9_]+)/g, '{$1}');
        const op = doc.paths[template]?.[method.toLowerCase()] as Record<string, unknown> | undefined;
        // 'stream:power.createReport': the action reads the body itself (multipart or JSON); only path and query are params
        const streamed = typeof target === 'string' && /^[a-z]+:/.test(target);
        const action = typeof target === 'string' ? target.replace(/^[a-z]+:/, '') : null;
        const params = action ? actions.get(action) : undefined;
        if (!op) continue; // undocumented aliases: test/unit/openapi names them
        if (!params) {
          missing.push(`${method} ${template} (${String(action)})`);
          continue;
        }
        compared.push(`${method} ${template}`);
        for (const p of requestDrift(doc, op, params, { body: !streamed })) problems.push(`${method} ${template} (${action}): ${p}`);
      }
    }
    expect(missing, 'documented operations whose action does not run on this bus').to.deep.equal([]);
    expect(problems).to.deep.equal([]);
    expect(compared).to.include.members(['GET /api/v1/accounts/{accountNo}/arrears', 'POST /api/v1/payments', 'GET /api/v1/payments', 'POST /api/v1/session', 'DELETE /api/v1/bindings/{accountNo}']);
  });
});
