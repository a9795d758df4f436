/**
 * Gateway throughput and latency, in one run (autocannon against real processes over the test NATS):
 *   (a) baseline: a bare moleculer-web gateway → NATS → an echo action in another process;
 *   (b) an authenticated arrears call through the full gridbus gateway (JWT, ip-restriction, IP
 *       high-frequency counting and per-user rate limits on the NATS KV store, hygiene, circuit gate)
 *       → NATS → billing (object-level check on the binding table) → marketing answering from its cache;
 *   (c) the same call going on to the SOAP simulator (no cache), beside the simulator's own
 *       throughput measured directly.
 * Each of (a) and (b) at full load, then both at half of (a)'s maximum. Prints figures; asserts nothing.
 *
 *   scripts/services.sh up nats postgres && source var/services/env.sh && npm run build
 *   npx ts-node --transpile-only bench/gateway.ts [seconds]
 */
import autocannon from 'autocannon';
import { ChildProcess, spawn } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Client } from 'pg';
import { signAccessToken } from '../core/auth';
import { HOUSEHOLDS } from '../simulators/marketing/dataset';
import { createFreshDatabase } from '../test/helpers/db';
import { freePort } from '../test/helpers/ports';
import { CpuMeter, formatCpu, pidsNamed } from './lib/cpu';

const SECONDS = Number(process.argv[2] ?? 8);
const ROOT = path.resolve(__dirname, '..');
const NATS_URL = process.env.TEST_NATS_URL ?? '';
const JWT_SECRET = `bench-${randomBytes(16).toString('hex')}`;
const children: ChildProcess[] = [];

type Child = ChildProcess & { output: () => string };
function start(args: string[], env: Record<string, string>, ready: RegExp | null): Promise<Child> {
  // BENCH_PROF=dir writes a CPU profile of every process there.
  const prof = process.env.BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF}`] : [];
  const child = spawn(process.execPath, [...prof, ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ...env }, stdio: ['ignore', 'pipe', 'pipe'] }) as Child;
  children.push(child);
  let out = '';
  child.output = () => out;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready: ${args.join(' ')}\n${out.slice(-2000)}`)), 60000);
    if (!ready) {
      clearTimeout(timer);
      resolve(child);
    }
    const onData = (d: Buffer) => {
      out = (out + d.toString()).slice(-20000);
      if (ready && ready.test(out)) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${args.join(' ')}\n${out.slice(-2000)}`)));
  });
}

async function waitHttp(url: string, headers: Record<string, string> = {}): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const r = await fetch(url, { headers }).catch(() => null);
    if (r && r.status === 200) return;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`${url} never answered 200`);
}

interface Figures { rps: number; p50: number; p99: number; errors: number; cpu: Record<string, number>; natsMsgs: number | null }

/** Messages the NATS server has taken in so far (its monitoring port), or null when it cannot be read. */
async function natsInMsgs(): Promise<number | null> {
  const monitor = process.env.TEST_NATS_MONITOR_URL;
  if (!monitor) return null;
  const varz = await fetch(`${monitor}/varz`).then((r) => r.json() as Promise<{ in_msgs: number }>).catch(() => null);
  return varz ? varz.in_msgs : null;
}
async function load(url: string, cpu: CpuMeter, opts: { headers?: Record<string, string>; method?: string; body?: string; rate?: number; connections?: number } = {}): Promise<Figures> {
  const options: Record<string, unknown> = { url, duration: SECONDS, connections: opts.connections ?? 32, method: opts.method ?? 'GET' };
  if (opts.headers) options.headers = opts.headers;
  if (opts.body) options.body = opts.body;
  if (opts.rate) options.overallRate = opts.rate;
  cpu.start();
  const msgsBefore = await natsInMsgs();
  const r = await autocannon(options as never);
  const msgsAfter = await natsInMsgs();
  const natsMsgs = msgsBefore === null || msgsAfter === null ? null : (msgsAfter - msgsBefore) / r.requests.total;
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.non2xx + r.errors + r.timeouts, cpu: cpu.perRequest(r.requests.total), natsMsgs };
}

const line = (label: string, f: Figures) =>
  `${label.padEnd(58)} ${Math.round(f.rps).toLocaleString('en-US').padStart(8)} req/s   p50 ${String(f.p50).padStart(4)} ms   p99 ${String(f.p99).padStart(4)} ms${f.errors ? `   (${f.errors} errors)` : ''}\n${''.padEnd(60)}${formatCpu(f.cpu)}${f.natsMsgs === null ? '' : ` · ${f.natsMsgs.toFixed(1)} NATS messages`}`;
const pids = (...procs: ChildProcess[]) => () => procs.map((p) => p.pid!).filter(Boolean);
const shared = { nats: () => pidsNamed('nats-server'), 'load generator': () => [process.pid] };

async function main() {
  if (!NATS_URL || !process.env.TEST_DATABASE_URL) throw new Error('source var/services/env.sh first (TEST_NATS_URL, TEST_DATABASE_URL)');
  if (!fs.existsSync(path.join(ROOT, 'dist/bin/gridbus.js'))) throw new Error('npm run build first');
  const ns = `bench-${randomBytes(3).toString('hex')}`;
  const tsNode = ['-r', 'ts-node/register/transpile-only'];
  console.log(`gateway benchmark: ${SECONDS} s per run, 32 connections, node ${process.version}, 2 cores shared by every process`);

  // (a) bare gateway → NATS → echo
  const barePort = await freePort();
  const echo = await start([...tsNode, 'bench/lib/echo-service.ts'], { NATS_URL, BUS_NAMESPACE: `${ns}-a` }, /ready/);
  const bare = await start([...tsNode, 'bench/lib/bare-gateway.ts'], { NATS_URL, BUS_NAMESPACE: `${ns}-a`, HTTP_PORT: String(barePort) }, /ready/);
  const bareUrl = `http://127.0.0.1:${barePort}/echo`;
  const aCpu = new CpuMeter({ gateway: pids(bare), echo: pids(echo), ...shared });
  await waitHttp(bareUrl);
  const aMax = await load(bareUrl, aCpu);
  console.log(line('(a) bare gateway → NATS → echo, full load', aMax));

  // (b) and (c): the real gateway and services over the same NATS
  // The SOAP simulator is a system of its own: its own process, as in production.
  const simProcess = await start([...tsNode, 'simulators/marketing/main.ts'], { PORT: '0' }, /WSDL: \S+/);
  const wsdlUrl = /WSDL: (\S+)/.exec(simProcess.output())![1];
  const sim = { wsdlUrl, url: wsdlUrl.replace(/\?wsdl$/i, '') };
  const db = await createFreshDatabase();
  const cached = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-mappings-'));
  fs.cpSync(path.join(ROOT, 'mappings'), cached, { recursive: true });
  const op = path.join(cached, 'operations', 'marketing.queryArrears.yaml');
  fs.writeFileSync(op, fs.readFileSync(op, 'utf8').replace('idempotent: true\n', 'idempotent: true\ncache: { ttl: 60s }\n'));
  const account = HOUSEHOLDS[0].ConsNo;
  const userId = '2088000000009999';
  const token = signAccessToken({ jwtSecret: JWT_SECRET, issuer: 'gridbus', audience: 'gridbus-life-number' }, { sub: userId }, 3600);
  const common = {
    NATS_URL, JWT_SECRET, MARKETING_WSDL_URL: sim.wsdlUrl, SIMULATORS: 'off', LOG_LEVEL: 'warn', DATABASE_URL: db.url,
    // The policies run and count on the shared store, with limits high enough never to refuse the benchmark.
    GATEWAY_IP_LIMIT: '100000000/minute', GATEWAY_RATE_LIMIT_USER: '100000000/minute',
    PII_ENC_KEY: randomBytes(32).toString('hex'), PII_HASH_KEY: randomBytes(32).toString('hex'),
    // e.g. BENCH_ENV='{"GATEWAY_SHARED_STORE":"local"}' to see what one part costs
    ...(JSON.parse(process.env.BENCH_ENV ?? '{}') as Record<string, string>),
  };
  const topology = async (label: string, mappingsDir: string) => {
    const port = await freePort();
    const env = { ...common, BUS_NAMESPACE: `${ns}-${label}`, MAPPINGS_DIR: mappingsDir };
    const svc = await start(['dist/bin/gridbus.js', 'start', '--services', 'billing,marketing,binding,mapping,audit'], { ...env, NODE_ID: `svc-${label}` }, null);
    const gw = await start(['dist/bin/gridbus.js', 'start', '--services', 'gateway'], { ...env, NODE_ID: `gw-${label}`, HTTP_PORT: String(port) }, null);
    const cpu = new CpuMeter({ gateway: pids(gw), services: pids(svc), postgres: () => pidsNamed('postgres'), simulator: pids(simProcess), ...shared });
    return { cpu, url: `http://127.0.0.1:${port}/api/v1/accounts/${account}/arrears`, stop: () => { svc.kill('SIGTERM'); gw.kill('SIGTERM'); } };
  };
  const b = await topology('b', cached);
  const pg = new Client({ connectionString: db.url });
  await pg.connect();
  // The services process applies the migrations; bind the benchmark user once the table is there.
  for (let i = 0; ; i++) {
    try {
      await pg.query(`INSERT INTO account_binding (user_id, account_no, cert_no_enc, name_enc, cert_no_hash) VALUES ($1, $2, 'bench', 'bench', 'bench')`, [userId, account]);
      break;
    } catch (err) {
      if (i > 300) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await pg.end();
  const auth = { Authorization: `Bearer ${token}` };
  await waitHttp(b.url, auth);
  const bMax = await load(b.url, b.cpu, { headers: auth });
  console.log(line('(b) full policy stack → NATS → billing → cached arrears, full load', bMax));
  if (process.env.BENCH_QUICK) {
    // BENCH_QUICK=1: (a) and (b) at full load only, to try a change quickly
    b.stop();
    console.log(`\n(b)/(a) throughput at full load: ${((bMax.rps / aMax.rps) * 100).toFixed(0)}%`);
    return;
  }
  const half = Math.max(1, Math.round(aMax.rps / 2));
  const aHalf = await load(bareUrl, aCpu, { rate: half });
  const bHalf = await load(b.url, b.cpu, { headers: auth, rate: half });
  console.log(line(`(a) at half of (a)'s maximum (${half} req/s)`, aHalf));
  console.log(line(`(b) at the same rate`, bHalf));
  b.stop();

  // (c) through the bus to the SOAP simulator, and the simulator directly
  const c = await topology('c', path.join(ROOT, 'mappings'));
  await waitHttp(c.url, auth);
  const cBus = await load(c.url, c.cpu, { headers: auth });
  const envelope = `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:m="http://sim.gridbus.local/marketing"><soap:Body><m:QueryArrearsRequest><ConsNo>${account}</ConsNo><Channel>ALIPAY</Channel><Serial>bench</Serial></m:QueryArrearsRequest></soap:Body></soap:Envelope>`;
  const cSim = await load(sim.url, c.cpu, { method: 'POST', body: envelope, headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: 'QueryArrears' } });
  console.log(line('(c) arrears through the bus to the SOAP simulator, full load', cBus));
  console.log(line('    the SOAP simulator called directly, full load', cSim));
  c.stop();

  console.log(`\n(b)/(a) throughput at full load: ${((bMax.rps / aMax.rps) * 100).toFixed(0)}%   (aim: at least 70%)`);
  console.log(`(b)/(a) p99 at half load:        ${(bHalf.p99 / Math.max(aHalf.p99, 1)).toFixed(2)}x  (aim: under 1.5x)`);
  console.log(`(c) bus / simulator direct:       ${((cBus.rps / cSim.rps) * 100).toFixed(0)}%   (aim: at least 80%)`);
  simProcess.kill('SIGTERM');
  await db.drop();
  fs.rmSync(cached, { recursive: true, force: true });
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const c of children) c.kill('SIGTERM');
    setTimeout(() => process.exit(), 3000).unref();
  });
