import { expect } from 'chai';
import { spawn, spawnSync } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readMappingFiles } from '../../../../core/mapping';
import { MarketingSimulator, startMarketingSimulator } from '../../../../simulators/marketing/server';
import { BusProcess, CLI, REPO_ROOT } from '../../../helpers/bus-process';
import { createFreshDatabase } from '../../../helpers/db';
import { requireEnv } from '../../../helpers/env';
import { eventually, http } from '../../../helpers/http';
import { operatorToken } from '../../../helpers/operators';
import { freePort } from '../../../helpers/ports';

/** The CLI without blocking this process (the SOAP simulator it asks runs here). */
function gridbusAsync(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

type Node = { nodeId: string; ok: boolean; activeVersion: number | string | null; error?: { code: string; message: string } };
const byNode = (nodes: Node[]) => Object.fromEntries(nodes.map((n) => [n.nodeId, n]));

describe('mapping publish - every node answers; a refusal fails the publish, naming the node and why (two bus processes)', function () {
  this.timeout(90000);
  const suffix = randomBytes(3).toString('hex');
  const A = `a-${suffix}`;
  const B = `b-${suffix}`;
  let sim: MarketingSimulator;
  let db: { url: string; drop(): Promise<void> };
  let dir: string;
  let base: string;
  let admin: string;
  let original: Record<string, string>;
  let common: Record<string, string>;
  const procs: BusProcess[] = [];

  // a marketing operation whose endpoint is ${SMS_URL}: node A has the setting, node B does not
  const NEEDS_SMS_URL = 'operations/marketing.notifyBySms.yaml';
  const needingSmsUrl = () => ({ ...original, [NEEDS_SMS_URL]: original['operations/sms.send.yaml'].replace('operation: sms.send', 'operation: marketing.notifyBySms') });
  const post = (route: string, body: unknown) => http(`${base}/admin/api/${route}`, { method: 'POST', token: admin, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const releaseCount = async () => (await http(`${base}/admin/api/mappings/releases`, { token: admin })).json.length as number;
  const onRelease = (version: number, count: number) =>
    eventually(
      () => http(`${base}/health`),
      (r) => r.json?.nodes?.filter((n: { dependencies: Record<string, { detail?: string }> }) => n.dependencies.mappings?.detail?.startsWith(`release ${version}`)).length === count,
      30000,
    );

  before(async () => {
    sim = await startMarketingSimulator();
    db = await createFreshDatabase();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-publish-nodes-'));
    fs.cpSync(path.join(REPO_ROOT, 'mappings'), dir, { recursive: true });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    common = { NATS_URL: requireEnv('TEST_NATS_URL'), BUS_NAMESPACE: `pub-${suffix}`, JWT_SECRET: 'publish-nodes-secret-0123456789-0123456789', MARKETING_WSDL_URL: sim.wsdlUrl, SIMULATORS: 'off', MAPPINGS_DIR: dir };
    procs.push(new BusProcess(['start', '--services', 'gateway,auth,mapping,marketing'], { ...common, NODE_ID: A, DATABASE_URL: db.url, HTTP_PORT: String(port), SMS_URL: 'http://127.0.0.1:9/unused' }));
    await onRelease(1, 1);
    admin = await operatorToken(db.url, base, 'operator:zhou', ['admin']);
    original = readMappingFiles(dir);
    // release 2 needs SMS_URL (only node A is up: it takes it), release 3 is the original again
    const r2 = await post('mappings/publish', { files: needingSmsUrl() });
    expect(r2.status, r2.text).to.equal(200);
    expect(r2.json.nodes).to.deep.equal([{ nodeId: A, ok: true, activeVersion: 2, switched: true }]);
    expect((await post('mappings/publish', { files: original })).json.version).to.equal(3);
    // node B joins without SMS_URL and takes the active release 3
    procs.push(new BusProcess(['start', '--services', 'marketing'], { ...common, NODE_ID: B }));
    await onRelease(3, 2);
  });

  after(async () => {
    await Promise.all(procs.map((p) => p.stop().catch(() => undefined)));
    await sim?.close();
    await db?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a publish lists each node with the release it now runs', async () => {
    const edited = { ...original, 'operations/marketing.queryArrears.yaml': original['operations/marketing.queryArrears.yaml'].replace('"01": UNPAID', '"01": OWING') };
    const res = await post('mappings/publish', { files: edited });
    expect(res.status, res.text).to.equal(200);
    expect(res.json).to.include({ version: 4, activeEverywhere: true });
    expect(byNode(res.json.nodes)).to.deep.equal({ [A]: { nodeId: A, ok: true, activeVersion: 4, switched: true }, [B]: { nodeId: B, ok: true, activeVersion: 4, switched: true } });
    expect((await post('mappings/publish', { files: original })).json.version).to.equal(5);
  });

  it('a set one node cannot resolve is refused before it is recorded, naming the node', async () => {
    const res = await post('mappings/publish', { files: needingSmsUrl() });
    expect(res.status, res.text).to.equal(422);
    expect(res.json.code).to.equal('VALIDATION_FAILED');
    const problem = res.json.details.problems.find((p: { file: string }) => p.file === NEEDS_SMS_URL);
    expect(problem, res.text).to.not.equal(undefined);
    expect(problem.nodes).to.deep.equal([B]);
    expect(problem.message).to.contain('SMS_URL');
    expect(await releaseCount()).to.equal(5);
  });

  it('a rollback node B refuses is recorded but answers 409 MAPPING_NOT_ACTIVE with both nodes: which, and why', async () => {
    const res = await post('mappings/rollback', { version: 2 });
    expect(res.status, res.text).to.equal(409);
    expect(res.json.code).to.equal('MAPPING_NOT_ACTIVE');
    expect(res.json.message).to.contain(`release 6 is recorded but not active everywhere: node ${B} refused it`);
    expect(res.json.details).to.include({ version: 6, activeEverywhere: false });
    const nodes = byNode(res.json.details.nodes);
    expect(Object.keys(nodes).sort()).to.deep.equal([A, B]);
    expect(nodes[A]).to.include({ ok: true, activeVersion: 6 });
    expect(nodes[B]).to.include({ ok: false, activeVersion: 5 });
    expect(nodes[B].error!.code).to.equal('MAPPING_INVALID');
    expect(nodes[B].error!.message).to.contain(NEEDS_SMS_URL).and.to.contain('SMS_URL');
    expect(await releaseCount()).to.equal(6);
    const health = await http(`${base}/health`);
    const b = health.json.nodes.find((n: { nodeId: string }) => n.nodeId === B);
    expect(b?.dependencies?.mappings?.status, health.text).to.equal('degraded');
  });

  it('the CLI rollback prints each node and exits 1 when a node refuses', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-cli-home-'));
    const env = { PATH: process.env.PATH ?? '', HOME: home, GRIDBUS_SESSION_FILE: path.join(home, 'session.json') };
    const run = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: home, env, encoding: 'utf8', timeout: 30000 });
    try {
      expect(run(['login', '--url', base, '--token', admin]).status).to.equal(0);
      const r = run(['mappings', 'rollback', '--version', '2']);
      expect(r.status, r.stdout + r.stderr).to.equal(1);
      expect(r.stderr, r.stdout + r.stderr).to.contain('release 7 is recorded but NOT active everywhere: 1 of 2 node(s) refused it');
      expect(r.stderr).to.contain(`✓ node ${A}: runs release 7`);
      expect(r.stderr).to.match(new RegExp(`✗ node ${B}: refused: MAPPING_INVALID: .*SMS_URL.* \\(still runs release 5\\)`));
      const json = run(['mappings', 'rollback', '--json', '--version', '3']);
      expect(json.status).to.equal(0);
      expect(JSON.parse(json.stdout)).to.include({ version: 8, activeEverywhere: true });
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it('--check-endpoints refuses an operation name the WSDL does not have, at publish and at validate', async () => {
    const OP = 'operations/marketing.queryArrears.yaml';
    const typo = { ...original, [OP]: original[OP].replace('operation: QueryArrears', 'operation: QryArrears') };
    const before = await releaseCount();
    const res = await post('mappings/publish', { files: typo, checkEndpoints: true });
    expect(res.status, res.text).to.equal(422);
    const problem = res.json.details.problems.find((p: { file: string }) => p.file === OP);
    expect(problem.path).to.equal('endpoint.operation');
    expect(problem.message).to.match(/^operation 'QryArrears' is not in the WSDL at http:\/\/127\.0\.0\.1:\d+\/\S+; it has: .*QueryArrears/);
    expect(problem.nodes.sort()).to.deep.equal([A, B]);
    expect(await releaseCount()).to.equal(before);
    // without the check the typo is still accepted (the check asks the network, so it is asked for)
    const checked = await post('mappings/validate', { files: typo, checkEndpoints: true });
    expect(checked.json.valid).to.equal(false);

    // locally, with the WSDL of this machine's environment
    const local = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-check-'));
    try {
      fs.cpSync(dir, local, { recursive: true });
      fs.writeFileSync(path.join(local, OP), typo[OP]);
      const env = { PATH: process.env.PATH ?? '', HOME: local, MARKETING_WSDL_URL: sim.wsdlUrl };
      const r = await gridbusAsync(['mappings', 'validate', '--check-endpoints', '--dir', local], env);
      expect(r.status, r.stdout + r.stderr).to.equal(1);
      expect(r.stdout, r.stdout + r.stderr).to.match(/✗ operations\/marketing\.queryArrears\.yaml: endpoint\.operation: operation 'QryArrears' is not in the WSDL at http:\/\/127\.0\.0\.1:\d+\/\S+; it has: .*QueryArrears/);
      const good = await gridbusAsync(['mappings', 'validate', '--check-endpoints', '--dir', dir], env);
      expect(good.status, good.stdout + good.stderr).to.equal(0);
      expect(good.stdout).to.contain('every SOAP operation is in its WSDL');
    } finally {
      fs.rmSync(local, { recursive: true, force: true });
    }
  });
});
