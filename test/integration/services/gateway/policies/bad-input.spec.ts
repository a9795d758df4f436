import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RunningBus, startBus } from '../../../../../bin/bootstrap';
import { loadConfig } from '../../../../../config';
import { signAccessToken } from '../../../../../core/auth';
import { HOUSEHOLDS } from '../../../../../simulators/marketing/dataset';
import { bindAccounts, TEST_PII_ENV } from '../../../../helpers/binding';
import { TEST_JWT_ENV, requireEnv } from '../../../../helpers/env';
import { http } from '../../../../helpers/http';
import { httpText, rawRequest } from './raw-http';

/**
 * Hostile and broken requests against a real gateway (in-process bus with
 * billing, marketing and its SOAP simulator): every one is answered 4xx
 * with a clear code — never 5xx, never a crash — and a good request is
 * served right after each.
 */
describe('gateway/policies - bad input is refused with a clear 4xx, and the gateway keeps serving', function () {
  this.timeout(30_000);
  let bus: RunningBus;
  let base: string;
  let port: number;
  let token: string;
  let varDir: string;
  const account = HOUSEHOLDS[0].ConsNo;

  before(async () => {
    varDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-bad-input-'));
    bus = await startBus(
      // binding (on the test database): users read arrears only of accounts bound to them
      loadConfig({ ...TEST_JWT_ENV,
        SERVICES: 'gateway,billing,marketing,binding',
        DATABASE_URL: requireEnv('TEST_DATABASE_URL'),
        ...TEST_PII_ENV,
        HTTP_PORT: '0',
        LOG_LEVEL: 'error',
        VAR_DIR: varDir,
        NODE_ID: `bad-input-${process.pid}`,
      }),
    );
    base = bus.gatewayUrl!;
    port = Number(new URL(base).port);
    token = signAccessToken(bus.config.auth, { sub: 'bad-input-user' });
    await bindAccounts(requireEnv('TEST_DATABASE_URL'), 'bad-input-user', [account]);
  });

  after(async () => {
    await bus?.stop();
    fs.rmSync(varDir, { recursive: true, force: true });
  });

  const good = async () => {
    const res = await http(`${base}/api/v1/accounts/${account}/arrears`, { token });
    expect(res.status, 'a good request right after').to.equal(200);
  };
  const post = (body: string, contentType?: string, extra: Record<string, string> = {}) =>
    http(`${base}/api/v1/arrears/query`, { method: 'POST', token, body, headers: { ...(contentType ? { 'Content-Type': contentType } : {}), ...extra } });

  function refusedWith(res: { status: number; json?: { code?: string; requestId?: string } }, status: number, code: string) {
    expect(res.status).to.equal(status);
    expect(res.json?.code).to.equal(code);
    expect(res.json?.requestId).to.be.a('string');
  }

  it('malformed JSON → 400 MALFORMED_REQUEST', async () => {
    for (const body of ['{"accountNo": ', '{accountNo: 1}', '"just a string"', '[1,2', '\u0000\u0001']) {
      refusedWith(await post(body, 'application/json'), 400, 'MALFORMED_REQUEST');
    }
    await good();
  });

  it('oversize body → 413 PAYLOAD_TOO_LARGE (64kb on /api/v1)', async () => {
    refusedWith(await post(JSON.stringify({ accountNo: 'x'.repeat(70 * 1024) }), 'application/json'), 413, 'PAYLOAD_TOO_LARGE');
    await good();
  });

  it('wrong or missing content type on a body → 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const body = JSON.stringify({ accountNo: account });
    for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json-patch+json']) {
      const res = await post(body, type);
      refusedWith(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
      expect(res.json.details).to.deep.equal({ allowed: ['application/json'] });
    }
    const none = await http(`${base}/api/v1/arrears/query`, { method: 'POST', token, body: new Uint8Array(Buffer.from(body)) });
    refusedWith(none, 415, 'UNSUPPORTED_MEDIA_TYPE');
    await good();
  });

  it('deep nesting → 400 MALFORMED_REQUEST (limit 32)', async () => {
    const nest = (n: number) => `{"accountNo":"${account}","x":${'['.repeat(n)}${']'.repeat(n)}}`;
    refusedWith(await post(nest(40), 'application/json'), 400, 'MALFORMED_REQUEST');
    refusedWith(await post(nest(30_000), 'application/json'), 400, 'MALFORMED_REQUEST');
    // shallow nesting passes the gateway and reaches the action, whose strict schema refuses the extra field
    const shallow = await post(nest(5), 'application/json');
    refusedWith(shallow, 422, 'VALIDATION_FAILED');
    expect(shallow.json.details.problems.map((p: { field: string }) => p.field), 'shallow nesting reaches the action').to.deep.equal(['x']);
    await good();
  });

  it('injection strings in parameters → 422 VALIDATION_FAILED from the action schema, answered as JSON only', async () => {
    const payloads = ["' OR '1'='1", '1; DROP TABLE audit_log;--', '<script>alert(1)</script>', '${7*7}', '{{7*7}}', '3301000001\' --'];
    for (const p of payloads) {
      const inPath = await http(`${base}/api/v1/accounts/${encodeURIComponent(p)}/arrears`, { token });
      expect(inPath.status, p).to.be.oneOf([400, 422]);
      const inBody = await post(JSON.stringify({ accountNo: p }), 'application/json');
      refusedWith(inBody, 422, 'VALIDATION_FAILED');
      // the validator's details quote the value given: JSON, never markup a browser would run
      for (const r of [inPath, inBody]) expect(r.headers.get('content-type')).to.match(/^application\/json/);
    }
    await good();
  });

  it('path traversal and control characters in path parameters → 400 MALFORMED_REQUEST', async () => {
    for (const p of ['..%2F..%2Fetc%2Fpasswd', '..%5C..%5Cwindows', 'a%00b', '3301000001%0d%0aX-Injected:%201']) {
      const res = await http(`${base}/api/v1/accounts/${p}/arrears`, { token });
      refusedWith(res, 400, 'MALFORMED_REQUEST');
    }
    const raw = await rawRequest(port, httpText('GET', '/api/v1/accounts/../../../etc/passwd/arrears', [['Authorization', `Bearer ${token}`]]));
    expect(raw.status).to.be.within(400, 499);
    for (const segment of ['..', '%2e%2e', '%2E.']) {
      // sent as is (a browser or fetch would resolve the dot segment away first)
      const dots = await rawRequest(port, httpText('GET', `/api/v1/accounts/${segment}/arrears`, [['Authorization', `Bearer ${token}`]]));
      expect(dots.status, segment).to.equal(400);
      expect(dots.json.code).to.equal('MALFORMED_REQUEST');
    }
    await good();
  });

  it('broken percent-encoding in a path parameter → 400 MALFORMED_REQUEST, not 500', async () => {
    refusedWith(await http(`${base}/api/v1/accounts/%E0%A4%A/arrears`, { token }), 400, 'MALFORMED_REQUEST');
    refusedWith(await http(`${base}/api/v1/accounts/%zz/arrears`, { token }), 400, 'MALFORMED_REQUEST');
    await good();
  });

  it('control characters in the query → 400; prototype pollution through the query goes nowhere', async () => {
    refusedWith(await http(`${base}/api/v1/accounts/${account}/arrears?q=%00`, { token }), 400, 'MALFORMED_REQUEST');
    const polluting = await http(`${base}/api/v1/accounts/${account}/arrears?__proto__[polluted]=1&constructor[prototype][polluted]=1`, { token });
    expect(polluting.status).to.be.below(500);
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    await good();
  });

  it('header flood: hundreds of headers → 431 REQUEST_HEADER_FIELDS_TOO_LARGE', async () => {
    const headers: Array<[string, string]> = [['Authorization', `Bearer ${token}`]];
    for (let i = 0; i < 500; i++) headers.push([`X-Flood-${i}`, 'x']);
    const res = await rawRequest(port, httpText('GET', `/api/v1/accounts/${account}/arrears`, headers));
    expect(res.status).to.equal(431);
    expect(res.json.code).to.equal('REQUEST_HEADER_FIELDS_TOO_LARGE');
    await good();
  });

  it('header flood: one huge header, or a huge URL → 431 from the HTTP parser, JSON body', async () => {
    const huge = await rawRequest(port, httpText('GET', `/api/v1/accounts/${account}/arrears`, [['X-Huge', 'h'.repeat(64 * 1024)]]));
    expect(huge.status).to.equal(431);
    expect(huge.json.code).to.equal('REQUEST_HEADER_FIELDS_TOO_LARGE');
    const longUrl = await rawRequest(port, httpText('GET', `/api/v1/accounts/${account}/arrears?q=${'a'.repeat(20_000)}`, []));
    expect(longUrl.status).to.equal(431);
    await good();
  });

  it('not HTTP at all, an unknown method, a conflicting Content-Length → 400 MALFORMED_REQUEST', async () => {
    for (const text of [
      'GARBAGE\r\n\r\n',
      Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]).toString('latin1') + '\r\n\r\n',
      'BREW /api/v1/arrears/query HTTP/1.1\r\nHost: x\r\n\r\n',
      'POST /api/v1/arrears/query HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n12345',
    ]) {
      const res = await rawRequest(port, text);
      expect(res.status, JSON.stringify(text.slice(0, 20))).to.equal(400);
      expect(res.json.code).to.equal('MALFORMED_REQUEST');
    }
    await good();
  });

  it('a body that stops short of its Content-Length → 4xx, never 5xx', async () => {
    const text = httpText('POST', '/api/v1/arrears/query', [['Authorization', `Bearer ${token}`], ['Content-Type', 'application/json'], ['Content-Length', '100']]);
    const res = await rawRequest(port, `${text}{"accountNo":`, 5_000, { halfClose: true }).catch(() => ({ status: 0 }));
    expect(res.status === 0 || (res.status >= 400 && res.status < 500), `status ${res.status}`).to.equal(true);
    await good();
  });

  it('the process is still up and healthy after all of it', async () => {
    const live = await http(`${base}/health/live`);
    expect(live.status).to.equal(200);
    await good();
  });
});
