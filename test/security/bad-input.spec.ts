import { expect } from 'chai';
import * as zlib from 'zlib';
import { loadConfig } from '../../config';
import { http, HttpResult } from '../helpers/http';
import { gatewayAliases, rawRequest, RoutedAlias } from './helpers/routes';
import { sharedUserBus, UserBus } from './helpers/user-bus';

type Problem = { field: string; type: string; message: string };
const problemsOf = (res: HttpResult) => (res.json?.details?.problems ?? []) as Problem[];

/** Internals a 4xx must not show: node ids, internal action names, Moleculer's bookkeeping. */
function expectNoInternals(res: HttpResult, what: string) {
  expect(res.text, what).not.to.match(/nodeID|gridbus-\d+|binding\.isBound|"action"|ValidationError|ServiceNotFound/);
}

/**
 * Issue 8 item 12: bad input gets a 4xx with a stable code, never a 5xx:
 * bodies that do not decode as their Content-Encoding says, numbers beyond
 * what the database column holds, NUL characters, and a walk of every alias
 * with malformed JSON, wrong types, huge numbers and wrong media types. And
 * a 4xx shows which field was wrong, never a node id or internal action.
 */
describe('security - bad input is a 4xx with a stable code, never a 5xx', function () {
  this.timeout(180_000);
  let bus: UserBus;
  let userToken: string;
  let adminToken: string;
  const json = { 'Content-Type': 'application/json' };

  before(async () => {
    bus = await sharedUserBus();
    userToken = bus.userToken();
    adminToken = await bus.adminToken();
  });

  describe('Content-Encoding', () => {
    const arrears = (headers: Record<string, string>, body: Buffer) => rawRequest(`${bus.url}/api/v1/arrears/query`, { method: 'POST', headers: { ...json, ...headers }, body, token: userToken });
    const valid = Buffer.from('{"accountNo":"3301000001"}');

    it('a body that is not the gzip or deflate it claims to be is 400 MALFORMED_REQUEST (was 500 INTERNAL)', async () => {
      const gzipped = zlib.gzipSync(valid);
      for (const [encoding, body] of [
        ['gzip', Buffer.from('this is not gzip')],
        ['deflate', Buffer.from('this is not deflate')],
        ['gzip', gzipped.subarray(0, gzipped.length - 8)],
        ['deflate', zlib.deflateRawSync(valid)],
      ] as const) {
        const res = await arrears({ 'Content-Encoding': encoding }, body);
        expect(res.status, `${encoding}: ${res.text}`).to.equal(400);
        expect(res.json.code).to.equal('MALFORMED_REQUEST');
        expect(res.json.message).to.match(/not valid gzip or deflate/);
      }
    });

    it('a body that is the gzip or deflate it claims to be is read', async () => {
      expect((await arrears({ 'Content-Encoding': 'gzip' }, zlib.gzipSync(valid))).status).to.equal(200);
      expect((await arrears({ 'Content-Encoding': 'deflate' }, zlib.deflateSync(valid))).status).to.equal(200);
    });

    it('an encoding the gateway does not decode (br, compress, gzip twice) is 415 UNSUPPORTED_MEDIA_TYPE naming the ones it does', async () => {
      for (const [encoding, body] of [
        ['br', zlib.brotliCompressSync(valid)],
        ['compress', valid],
        ['gzip, gzip', zlib.gzipSync(zlib.gzipSync(valid))],
      ] as const) {
        const res = await arrears({ 'Content-Encoding': encoding }, body);
        expect(res.status, `${encoding}: ${res.text}`).to.equal(415);
        expect(res.json).to.deep.include({ code: 'UNSUPPORTED_MEDIA_TYPE', details: { allowedEncodings: ['identity', 'gzip', 'deflate'] } });
      }
    });
  });

  describe('numbers the database cannot hold', () => {
    it('a release number beyond a PostgreSQL integer is 422 VALIDATION_FAILED on version (was 500 with the database message)', async () => {
      for (const version of ['9007199254740993', '2147483648', '1e308']) {
        const res = await http(`${bus.url}/admin/api/mappings/releases/${version}`, { token: adminToken });
        expect(res.status, `${version}: ${res.text}`).to.equal(422);
        expect(res.json.code).to.equal('VALIDATION_FAILED');
        expect(problemsOf(res).map((p) => p.field)).to.deep.equal(['version']);
        expectNoInternals(res, version);
      }
      // the largest one the column holds is a plain "no such release"
      expect((await http(`${bus.url}/admin/api/mappings/releases/2147483647`, { token: adminToken })).status).to.equal(404);
    });

    it('rolling back to, or diffing against, such a release is 422 too', async () => {
      const rollback = await http(`${bus.url}/admin/api/mappings/rollback`, { method: 'POST', headers: json, body: JSON.stringify({ version: 2147483648 }), token: adminToken });
      expect(rollback.status, rollback.text).to.equal(422);
      expect(problemsOf(rollback).map((p) => p.field)).to.deep.equal(['version']);
      const diff = await http(`${bus.url}/admin/api/mappings/diff`, { method: 'POST', headers: json, body: JSON.stringify({ files: {}, against: 9007199254740993 }), token: adminToken });
      expect(diff.status, diff.text).to.equal(422);
      expect(problemsOf(diff).map((p) => p.field)).to.deep.equal(['against']);
    });
  });

  describe('NUL characters', () => {
    it('a NUL in a string of a body is 422 naming the field, before it reaches PostgreSQL (was 500)', async () => {
      const login = await http(`${bus.url}/admin/api/session`, { method: 'POST', headers: json, body: JSON.stringify({ username: 'ad\u0000min', password: 'x' }) });
      expect(login.status, login.text).to.equal(422);
      expect(problemsOf(login)).to.deep.include({ field: 'username', type: 'nullCharacter', message: "The 'username' field holds a NUL character" });
      const dryRun = await http(`${bus.url}/admin/api/mappings/dry-run`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ files: {}, operation: 'marketing.\u0000queryArrears', last: 1 }),
        token: adminToken,
      });
      expect(dryRun.status, dryRun.text).to.equal(422);
      expect(problemsOf(dryRun).map((p) => p.field)).to.include('operation');
    });
  });

  describe('4xx details', () => {
    it('name the wrong field but no node id, internal action or the value sent', async () => {
      const res = await http(`${bus.url}/api/v1/arrears/query`, { method: 'POST', headers: json, body: JSON.stringify({ accountNo: 'secret-123' }), token: userToken });
      expect(res.status).to.equal(422);
      expect(problemsOf(res)).to.deep.equal([{ field: 'accountNo', type: 'stringPattern', message: 'accountNo must be 10 digits', expected: '/^[0-9]{10}$/' }]);
      expectNoInternals(res, 'arrears');
      expect(res.text).not.to.include('secret-123');
    });

    it('of a check inside the bus (binding.isBound on the token subject) do not name the internal action', async () => {
      // a token subject longer than binding.isBound accepts: the check fails one call deeper than the route's action
      const res = await http(`${bus.url}/api/v1/accounts/3301000001/arrears`, { token: bus.userToken('u'.repeat(200)) });
      expect(res.status, res.text).to.be.within(400, 499);
      expectNoInternals(res, 'nested validation');
    });
  });

  describe('a walk of every alias with malformed input', () => {
    let aliases: RoutedAlias[];
    before(() => {
      aliases = gatewayAliases(loadConfig({ ...bus.env })).filter((a) => a.action);
    });

    const tokenFor = (a: RoutedAlias) => (!a.authenticated ? undefined : a.path.startsWith('/admin/api') ? adminToken : userToken);
    // operator log-in is limited to 30 a minute per address: walked with a few bodies only
    const isLogin = (a: RoutedAlias) => a.method === 'POST' && a.path === '/admin/api/session';

    const BODIES: Array<[string, string]> = [
      ['application/json', '{"unterminated": '],
      ['application/json', '[]'],
      ['application/json', 'null'],
      ['application/json', '"a string"'],
      ['application/json', ''],
      ['application/json', '{"a":"\\u0000"}'],
      ['application/json', JSON.stringify({ version: 9007199254740993, limit: 1e308, last: -1, against: 2147483648, accountNo: 3301000001, files: [], roles: 'admin', samples: {}, refreshToken: null, authCode: ['x'], username: { a: 1 }, password: true })],
      ['text/plain', '{"accountNo":"3301000001"}'],
      ['application/x-www-form-urlencoded', 'accountNo=3301000001'],
      ['application/json; charset=utf-16', '{}'],
    ];
    const PATH_VALUES = ['9007199254740993', '2147483648', '-1', '1e308', 'null', '中文', 'x'.repeat(300)];
    const QUERIES = ['limit=9007199254740993', 'limit=1e308&last=-1', 'version=2147483648', 'limit[]=1&limit[]=2', 'limit[a]=1', 'from=x&to=y&tz=Mars%2FOlympus'];

    it('never answers 5xx, always with a stable code, and the bus still serves', async () => {
      const fivexx: string[] = [];
      let sent = 0;
      const check = async (a: RoutedAlias, url: string, init: { headers?: Record<string, string>; body?: string }) => {
        const res = await rawRequest(url, { method: a.method, ...init, token: tokenFor(a) });
        sent++;
        if (res.status >= 500 || (res.status >= 400 && typeof res.json?.code !== 'string')) fivexx.push(`${a.method} ${url.replace(bus.url, '')} ${init.body?.slice(0, 80) ?? ''} -> ${res.status} ${res.text.slice(0, 160)}`);
        if (res.status >= 400 && res.status < 500) expectNoInternals(res, `${a.method} ${url}`);
      };
      for (const a of aliases) {
        const base = `${bus.url}${a.path.replace(/:[A-Za-z]+/g, '1')}`;
        for (const value of a.path.includes(':') ? PATH_VALUES : []) await check(a, `${bus.url}${a.path.replace(/:[A-Za-z]+/g, encodeURIComponent(value))}`, {});
        if (isLogin(a)) {
          for (const [type, body] of BODIES.slice(0, 3)) await check(a, base, { headers: { 'Content-Type': type }, body });
          continue;
        }
        for (const query of a.method === 'GET' || a.method === 'DELETE' ? QUERIES : []) await check(a, `${base}?${query}`, {});
        for (const [type, body] of a.method === 'POST' || a.method === 'PUT' ? BODIES : []) await check(a, base, { headers: { 'Content-Type': type }, body });
      }
      expect(sent).to.be.above(150);
      expect(fivexx).to.deep.equal([]);
      expect((await http(`${bus.url}/health`)).status).to.equal(200);
    });
  });
});
