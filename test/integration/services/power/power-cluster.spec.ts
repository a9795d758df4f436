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
import { expectContract } from '../../../helpers/contract';
import { createFreshDatabase, query } from '../../../helpers/db';
import { TEST_JWT_ENV, requireEnv } from '../../../helpers/env';
import { http } from '../../../helpers/http';
import { bareJpeg, phoneJpeg, segment } from '../../../unit/core/uploads/images';

/**
 * A report's body crosses the transporter: the gateway on one node hands the
 * multipart body to power on another as a Moleculer stream over real NATS,
 * without its request headers (the boundary is read from the body). A power
 * node runs without binding or outbox (its PII keys resolved by itself).
 */
describe('power - reports with photos when the gateway and power run on different nodes (real NATS)', function () {
  this.timeout(60_000);
  const suffix = randomBytes(3).toString('hex');
  const user = `cluster-reporter-${suffix}`;
  const account = HOUSEHOLDS[2].ConsNo;
  let db: { url: string; drop(): Promise<void> };
  let gateway: RunningBus;
  let power: RunningBus;
  const varDirs: string[] = [];

  const node = (nodeId: string, services: string) => {
    const varDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-power-cluster-'));
    varDirs.push(varDir);
    return startBus(
      loadConfig({
        ...TEST_JWT_ENV,
        ...TEST_PII_ENV,
        NATS_URL: requireEnv('TEST_NATS_URL'),
        BUS_NAMESPACE: `it-pw-${suffix}`,
        DATABASE_URL: db.url,
        SERVICES: services,
        HTTP_PORT: '0',
        LOG_LEVEL: 'warn',
        VAR_DIR: varDir,
        NODE_ID: nodeId,
        SIMULATORS: 'off',
        MARKETING_WSDL_URL: 'http://127.0.0.1:9/unused?wsdl',
      }),
    );
  };

  before(async () => {
    db = await createFreshDatabase();
    power = await node(`pw-power-${suffix}`, 'power');
    gateway = await node(`pw-gw-${suffix}`, 'gateway,binding,audit');
    await gateway.broker.waitForServices(['power'], 20_000);
    await power.broker.waitForServices(['binding'], 20_000);
    await bindAccounts(db.url, user, [account]);
  });

  after(async () => {
    await Promise.all([gateway?.stop(), power?.stop()]);
    await db?.drop();
    for (const d of varDirs) fs.rmSync(d, { recursive: true, force: true });
  });

  const send = (photos: Buffer[], fields: Record<string, string> = { kind: 'ILLEGAL_USE', content: '表箱被撬', accountNo: account }) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    for (const p of photos) form.append('photos', new Blob([p]), 'p.jpg');
    return http(`${gateway.gatewayUrl}/api/v1/reports`, { method: 'POST', token: signAccessToken(gateway.config.auth, { sub: user }), body: form });
  };

  it('power - a report with two photos (one of 240 KB: four 60 KB comments) is stored on the power node, stripped, its location read', async () => {
    const photo = phoneJpeg(30.5, 120.5);
    const comments = Buffer.concat(Array.from({ length: 4 }, (_, i) => segment(0xfe, Buffer.alloc(60_000, 0x41 + i))));
    const big = Buffer.concat([photo.subarray(0, 2), comments, photo.subarray(2)]);
    const res = await send([big, bareJpeg()]);
    expectContract(res, 'POST /api/v1/reports');
    expect(res.status, res.text).to.equal(201);
    expect(res.json.location).to.deep.equal({ lat: 30.5, lng: 120.5, source: 'PHOTO' });
    expect(res.json.photos).to.deep.equal([
      { seq: 1, mediaType: 'image/jpeg', bytes: bareJpeg().length },
      { seq: 2, mediaType: 'image/jpeg', bytes: bareJpeg().length },
    ]);
    const uploads = path.join(power.config.varDir, 'uploads');
    const stored = (fs.readdirSync(uploads, { recursive: true }) as string[]).filter((f) => f.endsWith('.jpg'));
    expect(stored).to.have.length(2);
    for (const f of stored) expect(fs.readFileSync(path.join(uploads, f)).equals(bareJpeg())).to.equal(true);
    expect(fs.existsSync(path.join(gateway.config.varDir, 'uploads')), 'nothing on the gateway node').to.equal(false);
    // and back: the photo streams from the power node through the gateway
    const back = await fetch(`${gateway.gatewayUrl}/api/v1/reports/${res.json.id}/photos/1`, { headers: { Authorization: `Bearer ${signAccessToken(gateway.config.auth, { sub: user })}` } });
    expect(back.status).to.equal(200);
    expect(back.headers.get('content-type')).to.equal('image/jpeg');
    expect(Buffer.from(await back.arrayBuffer()).equals(bareJpeg())).to.equal(true);
  });

  it('power - a photo over the limit is refused across nodes (413) and the next report goes through', async () => {
    const res = await send([Buffer.concat([bareJpeg(), Buffer.alloc(5 * 1024 * 1024)])]);
    expectContract(res, 'POST /api/v1/reports');
    expect(res.status, res.text).to.equal(413);
    expect(res.json.code).to.equal('PAYLOAD_TOO_LARGE');
    const next = await send([bareJpeg()]);
    expect(next.status, next.text).to.equal(201);
  });

  it("power - an account that is not the user's is refused across nodes with 404, nothing stored", async () => {
    const res = await send([bareJpeg()], { kind: 'FEEDBACK', content: 'x', accountNo: HOUSEHOLDS[3].ConsNo });
    expectContract(res, 'POST /api/v1/reports');
    expect(res.status).to.equal(404);
    expect(res.json.code).to.equal('ACCOUNT_NOT_FOUND');
  });
});
