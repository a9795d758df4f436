import { expect } from 'chai';
import { randomUUID } from 'crypto';
import * as jwt from 'jsonwebtoken';
import { signOperatorToken } from '../../core/auth';
import { http } from '../helpers/http';
import { busJwtSettings } from './helpers/bus-keys';
import { sharedUserBus, UserBus } from './helpers/user-bus';

const RELEASES = '/admin/api/mappings/releases';

describe('security - operator tokens are checked against the operator table and end with the session (issue 8 item 6)', function () {
  this.timeout(120000);
  let bus: UserBus;
  let admin: string;

  const post = (route: string, body: unknown, token?: string, method = 'POST') =>
    http(`${bus.url}${route}`, { method, token, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const login = (username: string, password: string) => post('/admin/api/session', { username, password });

  before(async () => {
    bus = await sharedUserBus();
    admin = await bus.adminToken();
  });

  /** A token only the bus's own key could sign, re-signed with one claim changed. */
  function resigned(token: string, change: (claims: jwt.JwtPayload) => jwt.JwtPayload): string {
    const { keys, activeKid } = busJwtSettings(bus.varDir);
    const claims = change(jwt.decode(token) as jwt.JwtPayload);
    return jwt.sign(claims, keys![activeKid!], { algorithm: 'HS256', keyid: activeKid });
  }

  it('operator tokens - a token for an operator that does not exist is refused, and the audit row does not carry its name', async () => {
    const ghost = signOperatorToken(busJwtSettings(bus.varDir), { sub: 'ghost.admin', roles: ['admin'], sid: randomUUID() });
    const res = await post('/admin/api/operators', { username: 'backdoor', password: 'backdoor-password-123', roles: ['admin'] }, ghost);
    expect(res.status, res.text).to.equal(401);
    expect(res.json.code).to.equal('UNAUTHORIZED');
    expect((await http(`${bus.url}${RELEASES}`, { token: ghost })).status).to.equal(401);
    const audit = await http(`${bus.url}/admin/api/audit?action=auth.operator`, { token: admin });
    expect(audit.status).to.equal(200);
    expect(audit.json.some((e: { actor: string }) => e.actor === 'ghost.admin')).to.equal(false);
  });

  it('operator tokens - a disabled operator is refused at once (token and refresh), and enabled again gets back in', async () => {
    const username = `li.${Date.now().toString(36)}`;
    const password = 'li-operator-password-123';
    expect((await post('/admin/api/operators', { username, password, roles: ['operator'] }, admin)).status).to.equal(200);
    const session = (await login(username, password)).json;
    expect((await http(`${bus.url}${RELEASES}`, { token: session.accessToken })).status).to.equal(200);

    const disabled = await post(`/admin/api/operators/${username}`, { enabled: false }, admin, 'PATCH');
    expect(disabled.status, disabled.text).to.equal(200);
    expect(disabled.json).to.include({ username, enabled: false });
    const refused = await http(`${bus.url}${RELEASES}`, { token: session.accessToken });
    expect(refused.status, refused.text).to.equal(401);
    expect(refused.json.code).to.equal('UNAUTHORIZED');
    expect((await post('/admin/api/session/refresh', { refreshToken: session.refreshToken })).status).to.equal(401);
    expect((await login(username, password)).status).to.equal(401);

    expect((await post(`/admin/api/operators/${username}`, { enabled: true }, admin, 'PATCH')).status).to.equal(200);
    const back = (await login(username, password)).json;
    expect((await http(`${bus.url}${RELEASES}`, { token: back.accessToken })).status).to.equal(200);
  });

  it('operator tokens - a role taken away ends the tokens that carry it; only an admin may change operators', async () => {
    const username = `wu.${Date.now().toString(36)}`;
    const password = 'wu-operator-password-123';
    await post('/admin/api/operators', { username, password, roles: ['operator'] }, admin);
    const token = (await login(username, password)).json.accessToken;
    expect((await post(`/admin/api/operators/${username}`, { roles: ['admin'] }, token, 'PATCH')).status).to.equal(403);
    expect((await http(`${bus.url}${RELEASES}`, { token })).status).to.equal(200);
    expect((await post(`/admin/api/operators/${username}`, { roles: ['auditor'] }, admin, 'PATCH')).status).to.equal(200);
    const refused = await http(`${bus.url}${RELEASES}`, { token });
    expect(refused.status, refused.text).to.equal(401);
    expect(refused.json.details?.reason).to.match(/roles changed/);
  });

  it('operator tokens - an access token is refused after log-out', async () => {
    const session = (await login('admin', bus.adminPassword())).json;
    expect((await http(`${bus.url}${RELEASES}`, { token: session.accessToken })).status).to.equal(200);
    const out = await post('/admin/api/session/logout', { refreshToken: session.refreshToken });
    expect(out.json).to.deep.equal({ revoked: true });
    const after = await http(`${bus.url}${RELEASES}`, { token: session.accessToken });
    expect(after.status, after.text).to.equal(401);
    expect(after.json.code).to.equal('UNAUTHORIZED');
    // the other sessions of the same operator go on
    expect((await http(`${bus.url}${RELEASES}`, { token: admin })).status).to.equal(200);
  });

  it('operator tokens - a token without exp is refused, user or operator, even signed with the bus key', async () => {
    const fresh = (await login('admin', bus.adminPassword())).json.accessToken;
    const noExp = resigned(fresh, ({ exp, ...claims }) => claims); // eslint-disable-line @typescript-eslint/no-unused-vars
    const res = await http(`${bus.url}${RELEASES}`, { token: noExp });
    expect(res.status, res.text).to.equal(401);
    expect(res.json.details?.reason).to.equal('token has no expiry');

    const user = resigned(bus.userToken(), ({ exp, ...claims }) => claims); // eslint-disable-line @typescript-eslint/no-unused-vars
    const api = await http(`${bus.url}/api/v1/accounts/3301000001/arrears`, { token: user });
    expect(api.status, api.text).to.equal(401);
    expect(api.json.details?.reason).to.equal('token has no expiry');
  });
});
