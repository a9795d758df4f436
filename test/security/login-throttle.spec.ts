import { expect } from 'chai';
import * as httpModule from 'http';
import { startUserBus, UserBus } from './helpers/user-bus';

interface Answer {
  status: number;
  code?: string;
  message?: string;
  retryAfter: string | null;
}

/** POST /admin/api/session from a chosen loopback address (127.0.0.2 is another client than 127.0.0.1). */
function logIn(url: string, username: string, password: string, from = '127.0.0.1'): Promise<Answer> {
  const { port } = new URL(url);
  const body = JSON.stringify({ username, password });
  return new Promise((resolve, reject) => {
    const req = httpModule.request(
      { host: '127.0.0.1', port: Number(port), localAddress: from, method: 'POST', path: '/admin/api/session', agent: false, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => {
          let json: { code?: string; message?: string } = {};
          try {
            json = JSON.parse(text);
          } catch {
            /* not JSON */
          }
          resolve({ status: res.statusCode ?? 0, code: json.code, message: json.message, retryAfter: (res.headers['retry-after'] as string | undefined) ?? null });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('security - log-in throttling per (name, address), atomic, same answers for every name (issue 8 item 9)', function () {
  this.timeout(180000);
  let bus: UserBus;
  let admin: string;

  before(async () => {
    // the gateway's own per-address limit of the log-in route is switched off so that only the account throttle answers;
    // the whole loopback network may call /admin (127.0.0.2 plays another operator's machine)
    bus = await startUserBus({
      GATEWAY_ADMIN_ALLOW: '127.0.0.0/8',
      GATEWAY_POLICIES: JSON.stringify({ admin: { routes: { 'POST /': { rateLimiting: false } } } }),
    });
    const token = await bus.adminToken();
    admin = token;
  });

  after(async () => {
    await bus?.stop();
  });

  async function createOperator(username: string, password: string): Promise<void> {
    const res = await fetch(`${bus.url}/admin/api/operators`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${admin}` },
      body: JSON.stringify({ username, password, roles: ['operator'] }),
    });
    expect(res.status, await res.text()).to.equal(200);
  }

  it('login throttle - 100 concurrent guesses: only the free attempts are checked, the rest wait, and a racing right password does not reset the count', async () => {
    const password = 'zhou-operator-password-123';
    await createOperator('zhou.ops', password);
    const guesses = Array.from({ length: 100 }, (_, i) => (i === 99 ? password : `wrong-guess-${i}`));
    const answers = await Promise.all(guesses.map((g) => logIn(bus.url, 'zhou.ops', g)));

    const checked = answers.filter((a) => a.status === 401 || a.status === 200);
    const throttled = answers.filter((a) => a.status === 429);
    expect(checked.length, JSON.stringify(answers.map((a) => a.status))).to.be.at.most(3);
    expect(throttled.length).to.equal(100 - checked.length);
    for (const t of throttled) {
      expect(t.code).to.equal('RATE_LIMITED');
      expect(Number(t.retryAfter)).to.be.at.least(1);
    }

    // The storm left its counted attempts, whatever the right one did: once a wait is over, one attempt is
    // checked and the next must wait again. (Had the success reset the count, both would be checked.)
    let attempt = await logIn(bus.url, 'zhou.ops', 'wrong-after-storm');
    for (let i = 0; attempt.status === 429 && i < 3; i++) {
      await sleep(Number(attempt.retryAfter) * 1000 + 200);
      attempt = await logIn(bus.url, 'zhou.ops', 'wrong-after-wait');
    }
    expect(attempt.status).to.equal(401);
    const next = await logIn(bus.url, 'zhou.ops', password);
    expect(next.status, 'a right password waits too while the throttle runs').to.equal(429);
    expect(Number(next.retryAfter)).to.be.at.least(1);
  });

  it('login throttle - failures from another address never make the admin wait', async () => {
    const fromElsewhere = [];
    for (let i = 0; i < 8; i++) fromElsewhere.push(await logIn(bus.url, 'admin', `not-the-password-${i}`, '127.0.0.2'));
    expect(fromElsewhere.map((a) => a.status)).to.include(429);
    const own = await logIn(bus.url, 'admin', bus.adminPassword(), '127.0.0.1');
    expect(own.status, JSON.stringify(own)).to.equal(200);
  });

  it('login throttle - an unknown and a known user name get the same answers: the same 401, then the same 429', async () => {
    await createOperator('qian.ops', 'qian-operator-password-123');
    const known: Answer[] = [];
    const unknown: Answer[] = [];
    for (let i = 0; i < 4; i++) {
      known.push(await logIn(bus.url, 'qian.ops', `wrong-${i}`, '127.0.0.3'));
      unknown.push(await logIn(bus.url, 'nobody.here', `wrong-${i}`, '127.0.0.3'));
    }
    const view = (a: Answer) => ({ status: a.status, code: a.code, message: a.message, retryAfter: a.retryAfter !== null });
    expect(known.map(view)).to.deep.equal(unknown.map(view));
    expect(known.map((a) => a.status)).to.deep.equal([401, 401, 401, 429]);
    expect(known[0].message).to.equal('Wrong user name or password');
  });
});
