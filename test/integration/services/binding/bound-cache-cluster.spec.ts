import { expect } from 'chai';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RunningBus, startBus } from '../../../../bin/bootstrap';
import { loadConfig } from '../../../../config';
import { signAccessToken } from '../../../../core/auth';
import { HOUSEHOLDS } from '../../../../simulators/marketing/dataset';
import { bindAccounts, TEST_PII_ENV } from '../../../helpers/binding';
import { createFreshDatabase } from '../../../helpers/db';
import { TEST_JWT_ENV, requireEnv } from '../../../helpers/env';
import { eventually, http } from '../../../helpers/http';

/**
 * Two nodes over the real NATS, each with a binding service remembering the
 * bindings it found active (BINDING_CACHE_MS). Node A serves the reads and
 * has the binding in memory; the unbinding is served by node B. A must stop
 * answering the account at once, not when its memory expires.
 */
describe('binding - an unbinding on one node ends access through every node at once (remembered bindings, real NATS)', function () {
  this.timeout(60_000);
  const suffix = randomBytes(3).toString('hex');
  const user = `cache-user-${suffix}`;
  const account = HOUSEHOLDS[2].ConsNo;
  let db: { url: string; drop(): Promise<void> };
  let a: RunningBus;
  let b: RunningBus;
  const varDirs: string[] = [];

  const node = (nodeId: string, services: string) => {
    const varDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-bound-cache-'));
    varDirs.push(varDir);
    return startBus(
      loadConfig({ ...TEST_JWT_ENV,
        NATS_URL: requireEnv('TEST_NATS_URL'),
        BUS_NAMESPACE: `it-bc-${suffix}`,
        DATABASE_URL: db.url,
        SERVICES: services,
        HTTP_PORT: '0',
        LOG_LEVEL: 'warn',
        VAR_DIR: varDir,
        NODE_ID: nodeId,
        // long enough that only the broadcast can explain a prompt refusal
        BINDING_CACHE_MS: '600000',
        ...TEST_PII_ENV,
      }),
    );
  };

  before(async () => {
    db = await createFreshDatabase();
    a = await node(`bc-a-${suffix}`, 'gateway,billing,marketing,binding,audit,mapping');
    b = await node(`bc-b-${suffix}`, 'binding');
    await bindAccounts(db.url, user, [account]);
  });

  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.drop();
    for (const d of varDirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('reads while bound, unbinds on node B, and node A refuses within moments (404 ACCOUNT_NOT_FOUND)', async () => {
    const arrears = () => http(`${a.gatewayUrl}/api/v1/accounts/${account}/arrears`, { token: signAccessToken(a.config.auth, { sub: user }) });
    expect((await arrears()).status, 'bound: served (and remembered by node A)').to.equal(200);
    expect((await arrears()).status).to.equal(200);

    // node B serves the unbinding (its own binding service is local to its broker)
    const done = await b.broker.call('binding.unbind', { accountNo: account }, { meta: { user: { id: user } }, nodeID: b.config.nodeId });
    expect(done).to.deep.equal({ accountNo: account, unbound: true });

    const refused = await eventually(arrears, (r) => r.status === 404, 3_000);
    expect(refused.json.code).to.equal('ACCOUNT_NOT_FOUND');
  });
});
