import { expect } from 'chai';
import { ChildProcess, spawn } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { MarketingSimulator, startMarketingSimulator } from '../../simulators/marketing/server';
import { SmsSimulator, startSmsSimulator } from '../../simulators/sms/server';
import { CLI } from '../helpers/bus-process';
import { eventually, http } from '../helpers/http';
import { freePort } from '../helpers/ports';
import { startUserBus, UserBus } from './helpers/user-bus';

/**
 * Issue 8 item 10: the operations endpoints tell an operator what they need
 * and nothing more. Back-office URLs carry their credentials in this bus's
 * configuration (`http://user:password@host`); neither /health nor the log
 * may repeat a password. /metrics carries no identity of the machine (OS
 * user, host name, addresses, MAC, process arguments). /health, /metrics
 * and /admin answer loopback only until GATEWAY_OPS_ALLOW / GATEWAY_ADMIN_ALLOW
 * widen them.
 */
describe('security - ops endpoints: no credentials, no machine identity, loopback by default', function () {
  this.timeout(120_000);
  const secrets = {
    marketing: `mk-${randomBytes(6).toString('hex')}`,
    sms: `sms-${randomBytes(6).toString('hex')}`,
    nats: `nats-${randomBytes(6).toString('hex')}`,
  };
  let marketing: MarketingSimulator;
  let sms: SmsSimulator;
  let nats: NatsWithPassword;
  let bus: UserBus;

  before(async () => {
    [marketing, sms, nats] = await Promise.all([startMarketingSimulator(), startSmsSimulator(), NatsWithPassword.start('natsuser', secrets.nats)]);
    // the simulators ignore credentials: they are there for the bus to (not) print
    const withUser = (url: string, user: string, password: string) => url.replace('http://', `http://${user}:${password}@`);
    bus = await startUserBus({
      MARKETING_WSDL_URL: withUser(marketing.wsdlUrl, 'mkuser', secrets.marketing),
      SMS_URL: withUser(sms.url, 'smsuser', secrets.sms),
      NATS_URL: `nats://natsuser:${secrets.nats}@127.0.0.1:${nats.port}`,
      BUS_NAMESPACE: `sec-ops-${randomBytes(3).toString('hex')}`,
      // with NATS_URL this is no longer the embedded default: keys are given, as an operator gives them
      JWT_SECRET: randomBytes(32).toString('hex'),
      PII_ENC_KEY: randomBytes(32).toString('hex'),
      PII_HASH_KEY: randomBytes(32).toString('hex'),
      // a proxy on loopback reports the client: how a request from another network arrives in this test
      GATEWAY_TRUSTED_PROXIES: '127.0.0.1/32',
    });
  });

  after(async () => {
    await bus?.stop();
    await Promise.all([marketing?.close(), sms?.close(), nats?.stop()]);
  });

  const leaked = (text: string) => Object.values(secrets).filter((s) => text.includes(s));

  it('health - shows back-office and NATS URLs as user:***@, never a password', async () => {
    // the transporter and the shared store connect (with the password) and the SOAP adapter has loaded its WSDL
    const res = await eventually(
      () => http(`${bus.url}/health`),
      (r) => r.status === 200 && r.text.includes('"transporter"') && /"adapter soap:[^"]*":\{"status":"up"/.test(r.text) && r.json.nodes[0].dependencies['shared store']?.status === 'up',
      30_000,
    );
    expect(leaked(res.text), '/health body').to.deep.equal([]);
    expect(res.text).to.include('mkuser:***@127.0.0.1');
    expect(res.text).to.include('natsuser:***@127.0.0.1');
  });

  it('logs - no line of the bus output repeats a password; URLs are shown as user:***@', async () => {
    // the start log names the transporter URL
    await bus.process.waitFor(/natsuser:\*\*\*@127\.0\.0\.1/, 10_000);
    expect(leaked(bus.process.output), 'bus output').to.deep.equal([]);
  });

  it('metrics - no OS user, host name, address, MAC or process argument; process and request metrics remain', async () => {
    await http(`${bus.url}/health`); // at least one request counted
    const res = await http(`${bus.url}/metrics`);
    expect(res.status).to.equal(200);
    const text = res.text;
    const labelValues = [...text.matchAll(/="((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]);
    expect(labelValues, 'OS user name as a label value').to.not.include(os.userInfo().username);
    expect(text, 'host name').to.not.include(os.hostname());
    expect(text, 'MAC address').to.not.match(/\b[0-9a-f]{2}(:[0-9a-f]{2}){5}\b/i);
    const addresses = Object.values(os.networkInterfaces()).flat().filter((i) => i && !i.internal).map((i) => i!.address);
    for (const address of addresses) expect(text, `address ${address}`).to.not.include(`"${address}"`);
    for (const arg of [process.execPath, CLI, path.basename(CLI)]) expect(text, `process argument ${arg}`).to.not.include(arg);
    expect(text, 'home folder').to.not.include(os.userInfo().homedir === '/' ? '\u0000' : `"${os.userInfo().homedir}"`);
    expect(text).to.not.match(/^os_(user|network|hostname)/m);
    expect(text).to.not.match(/^process_arguments/m);
    expect(leaked(text), '/metrics').to.deep.equal([]);
    // what an operator needs is still there
    expect(text).to.match(/^process_cpu_seconds_total(\{[^}]*\})? \d/m);
    expect(text).to.match(/^process_memory_rss(\{[^}]*\})? \d/m);
    expect(text).to.match(/^process_memory_heap_size_used(\{[^}]*\})? \d/m);
    expect(text).to.match(/^process_eventloop_lag_max(\{[^}]*\})? \d/m);
    expect(text).to.match(/^moleculer_request_total\{/m);
  });

  it('defaults - /health, /metrics and /admin refuse a client outside loopback (403), and the start log says how to widen them', async () => {
    const from = (ip: string) => ({ headers: { 'X-Forwarded-For': ip } });
    for (const ip of ['10.1.2.3', '172.16.5.6', '192.168.1.10']) {
      expect((await http(`${bus.url}/health`, from(ip))).status, `/health from ${ip}`).to.equal(403);
      expect((await http(`${bus.url}/health/live`, from(ip))).status, `/health/live from ${ip}`).to.equal(403);
      expect((await http(`${bus.url}/metrics`, from(ip))).status, `/metrics from ${ip}`).to.equal(403);
      expect((await http(`${bus.url}/admin/api/mappings/active`, from(ip))).status, `/admin/api from ${ip}`).to.equal(403);
      const login = await http(`${bus.url}/admin/api/session`, {
        method: 'POST',
        headers: { 'X-Forwarded-For': ip, 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: 'x' }),
      });
      expect(login.status, `/admin/api/session from ${ip}`).to.equal(403);
    }
    // loopback (no proxy in between) still gets in
    expect((await http(`${bus.url}/health/live`)).status).to.equal(200);
    expect((await http(`${bus.url}/metrics`)).status).to.equal(200);
    expect(bus.process.output).to.match(/GATEWAY_OPS_ALLOW/);
    expect(bus.process.output).to.match(/GATEWAY_ADMIN_ALLOW/);
  });
});

/** A nats-server of this test's own that wants a user name and password (JetStream on: the shared store uses it). */
class NatsWithPassword {
  private constructor(
    readonly port: number,
    private readonly child: ChildProcess,
    private readonly dir: string,
  ) {}

  static async start(user: string, password: string): Promise<NatsWithPassword> {
    const port = await freePort();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-nats-auth-'));
    const child = spawn('/usr/sbin/nats-server', ['-a', '127.0.0.1', '-p', String(port), '--user', user, '--pass', password, '-js', '-sd', dir], { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && child.exitCode === null) {
      if (await accepts(port)) return new NatsWithPassword(port, child, dir);
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGKILL');
    throw new Error(`nats-server with a password did not start on ${port}`);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((r) => this.child.once('exit', r));
      this.child.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
