import { expect } from 'chai';
import * as net from 'net';
import { eventually, http } from '../helpers/http';
import { UserBus, startUserBus } from './helpers/user-bus';

/**
 * Writes the head of a request announcing `contentLength` bytes and only
 * the first `sent` of them, and resolves with the status line as soon as
 * the gateway answers (or null if it has not answered within `waitMs`):
 * an answer before the body is complete proves the body was not waited for.
 */
function answerBeforeBody(port: number, path: string, headers: string[], contentLength: number, sent: number, waitMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let received = '';
    const done = (value: string | null) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => done(null), waitMs);
    socket.on('error', () => undefined);
    socket.on('data', (d) => {
      received += d.toString('latin1');
      if (received.includes('\r\n\r\n')) done(received.split('\r\n')[0]);
    });
    socket.write(
      [`POST ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Content-Type: application/json', `Content-Length: ${contentLength}`, ...headers, '', ''].join('\r\n') +
        `{"rules":"${'x'.repeat(Math.max(0, sent - 12))}`,
    );
  });
}

/**
 * Issue 8 item 11. /admin/api read bodies up to 2 MB before it checked the
 * token, an unauthenticated flood was never banned (no IP control there, so
 * that a banned NAT'd operator could still lift bans), and each rejected
 * token wrote an audit row.
 */
describe('security - unauthenticated work on /admin/api (issue 8 item 11)', function () {
  this.timeout(120_000);
  let bus: UserBus;
  let port: number;
  let adminToken: string;

  before(async () => {
    bus = await startUserBus({ GATEWAY_IP_LIMIT: '20/minute' });
    port = Number(new URL(bus.url).port);
    // before the flood: log-in itself is counted by the IP control
    adminToken = await bus.adminToken();
  });

  after(async () => {
    await bus?.stop();
  });

  it('a 2 MB body without a valid token is refused 401 before it is read', async () => {
    const twoMb = 2 * 1024 * 1024;
    for (const auth of [[], ['Authorization: Bearer not-a-token']]) {
      const status = await answerBeforeBody(port, '/admin/api/mappings/validate', auth, twoMb, 8 * 1024, 5000);
      expect(status, `answered while most of the body was still unsent (${auth.join('') || 'no token'})`).to.match(/^HTTP\/1\.1 401 /);
    }
    // a body over any small limit, fully sent with a bad token: 401 (the token decides), not 413
    const sent = await http(`${bus.url}/admin/api/mappings/validate`, { method: 'POST', token: 'bad', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ rules: 'x'.repeat(64 * 1024) }) });
    expect(sent.status).to.equal(401);
  });

  it('an unauthenticated flood from one address is banned; a valid operator token from it still gets in and can lift the ban', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 200; i++) statuses.push((await http(`${bus.url}/admin/api/audit`, { token: `forged-${i % 3}` })).status);
    expect(statuses.slice(0, 10)).to.deep.equal(Array(10).fill(401));
    expect(statuses.slice(-10), 'banned after GATEWAY_IP_LIMIT refusals').to.deep.equal(Array(10).fill(429));
    const banned = await http(`${bus.url}/admin/api/audit`);
    expect(banned.json.code).to.equal('IP_BANNED');
    // the operator behind the same address: not counted, not banned
    const bans = await http(`${bus.url}/admin/api/gateway/bans`, { token: adminToken });
    expect(bans.status).to.equal(200);
    expect((bans.json.bans as Array<{ ip: string }>).map((b) => b.ip)).to.include('127.0.0.1');
    expect((await http(`${bus.url}/admin/api/gateway/bans/127.0.0.1`, { method: 'DELETE', token: adminToken })).status).to.equal(200);
    expect((await http(`${bus.url}/admin/api/audit`)).status, 'ban lifted: refused for the token again, not banned').to.equal(401);
  });

  it('200 rejected tokens write a few audit rows that record how many refusals they stand for', async () => {
    // the flood above: ~200 rejections of the same reason from one address
    const rows = await eventually(
      async () => (await http(`${bus.url}/admin/api/audit?action=auth.token.rejected&limit=500`, { token: adminToken })).json as Array<{ sourceIp: string; details: { count?: number } }>,
      (r) => r.some((row) => (row.details?.count ?? 0) >= 100),
    );
    const fromHere = rows.filter((r) => r.sourceIp === '127.0.0.1');
    expect(fromHere.length, 'far fewer rows than refusals').to.be.lessThan(20);
    const counted = fromHere.reduce((sum, r) => sum + (r.details?.count ?? 1), 0);
    expect(counted, 'the rows written so far account for most refusals').to.be.at.least(150);
  });
});
