import { expect } from 'chai';
import * as jwt from 'jsonwebtoken';
import { signAccessToken, signOperatorToken, verifyAccessToken, verifyOperatorToken } from '../../../../core/auth/jwt';
import { GridbusError } from '../../../../core/errors';

const SETTINGS = { jwtSecret: 'unit-test-secret-that-is-long-enough-0123', issuer: 'gridbus', audience: 'gridbus-life-number' };

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const nowSec = () => Math.floor(Date.now() / 1000);

function unauthorized(token: string, settings = SETTINGS): GridbusError {
  try {
    verifyAccessToken(settings, token);
  } catch (err) {
    expect(err, String(err)).to.be.instanceOf(GridbusError);
    const e = err as GridbusError;
    expect(e.errorCode).to.equal('UNAUTHORIZED');
    expect(e.type).to.equal('UNAUTHORIZED');
    expect(e.code).to.equal(401);
    expect(e.retryable).to.equal(false);
    return e;
  }
  throw new Error('token was accepted');
}

/** A token signed directly with jsonwebtoken, valid unless overridden. */
function raw(payload: Record<string, unknown>, options: jwt.SignOptions = {}, secret: string = SETTINGS.jwtSecret): string {
  return jwt.sign(payload, secret, {
    algorithm: 'HS256',
    keyid: 'default',
    issuer: SETTINGS.issuer,
    audience: SETTINGS.audience,
    subject: 'user-1',
    expiresIn: 60,
    ...options,
  });
}

describe('core/auth - jwt', () => {
  it('round-trips subject and scope', () => {
    const token = signAccessToken(SETTINGS, { sub: '2088123412341234', scope: 'arrears:read' });
    expect(verifyAccessToken(SETTINGS, token)).to.deep.equal({ sub: '2088123412341234', scope: 'arrears:read' });
  });

  it('round-trips without a scope', () => {
    const token = signAccessToken(SETTINGS, { sub: 'user-1' });
    expect(verifyAccessToken(SETTINGS, token)).to.deep.equal({ sub: 'user-1', scope: undefined });
  });

  it('signs HS256 with iss, aud, sub and an exp ttl seconds ahead', () => {
    const before = nowSec();
    const token = signAccessToken(SETTINGS, { sub: 'u' }, 120);
    const decoded = jwt.decode(token, { complete: true })!;
    const payload = decoded.payload as jwt.JwtPayload;
    expect(decoded.header.alg).to.equal('HS256');
    expect(payload.iss).to.equal('gridbus');
    expect(payload.aud).to.equal('gridbus-life-number');
    expect(payload.sub).to.equal('u');
    expect(payload.exp! - payload.iat!).to.equal(120);
    expect(payload.iat).to.be.within(before, nowSec());
  });

  it('defaults to a 15 minute ttl', () => {
    const payload = jwt.decode(signAccessToken(SETTINGS, { sub: 'u' })) as jwt.JwtPayload;
    expect(payload.exp! - payload.iat!).to.equal(900);
  });

  it('ignores a non-string scope claim', () => {
    const token = raw({ scope: ['a', 'b'] });
    expect(verifyAccessToken(SETTINGS, token)).to.deep.equal({ sub: 'user-1', scope: undefined });
  });

  it('refuses a token signed with another secret', () => {
    const token = signAccessToken({ ...SETTINGS, jwtSecret: 'another-secret-that-is-also-long-enough' }, { sub: 'u' });
    const err = unauthorized(token);
    expect(err.data.reason).to.equal('token invalid');
  });

  it('refuses a token for another audience', () => {
    unauthorized(signAccessToken({ ...SETTINGS, audience: 'someone-else' }, { sub: 'u' }));
  });

  it('refuses a token from another issuer', () => {
    unauthorized(signAccessToken({ ...SETTINGS, issuer: 'evil' }, { sub: 'u' }));
  });

  it('refuses a token with no audience or issuer at all', () => {
    const noClaims = jwt.sign({ sub: 'u' }, SETTINGS.jwtSecret, { algorithm: 'HS256', expiresIn: 60 });
    unauthorized(noClaims);
  });

  it("refuses an expired token, saying 'token expired'", () => {
    const token = jwt.sign({ sub: 'u', exp: nowSec() - 10, iat: nowSec() - 100 }, SETTINGS.jwtSecret, {
      algorithm: 'HS256', keyid: 'default', issuer: SETTINGS.issuer, audience: SETTINGS.audience,
    });
    const err = unauthorized(token);
    expect(err.data.reason).to.equal('token expired');
    expect(err.message).to.contain('token expired');
  });

  it('refuses a token signed with a negative ttl', () => {
    const token = signAccessToken(SETTINGS, { sub: 'u' }, -1);
    expect(unauthorized(token).data.reason).to.equal('token expired');
  });

  it('refuses a token that is not yet valid (nbf in the future)', () => {
    unauthorized(raw({}, { notBefore: 3600 }));
  });

  it("refuses an unsigned 'alg: none' token", () => {
    const payload = { sub: 'admin', iss: SETTINGS.issuer, aud: SETTINGS.audience, iat: nowSec(), exp: nowSec() + 600 };
    const token = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(payload)}.`;
    unauthorized(token);
  });

  it("refuses an 'alg: none' token carrying a stolen HS256 signature", () => {
    const good = raw({});
    const [, payload, sig] = good.split('.');
    unauthorized(`${b64url({ alg: 'none', typ: 'JWT' })}.${payload}.${sig}`);
  });

  it('refuses an HS512 token even with the right secret', () => {
    const token = raw({}, { algorithm: 'HS512' });
    expect(jwt.verify(token, SETTINGS.jwtSecret)).to.be.an('object'); // it is otherwise a valid token
    unauthorized(token);
  });

  it('refuses an HS384 token even with the right secret', () => {
    unauthorized(raw({}, { algorithm: 'HS384' }));
  });

  it('refuses a token without a subject', () => {
    const token = jwt.sign({ scope: 'x' }, SETTINGS.jwtSecret, {
      algorithm: 'HS256', keyid: 'default', issuer: SETTINGS.issuer, audience: SETTINGS.audience, expiresIn: 60,
    });
    expect(unauthorized(token).data.reason).to.equal('token invalid');
  });

  it('refuses a token with a non-string subject', () => {
    const token = jwt.sign({ sub: 12345 }, SETTINGS.jwtSecret, {
      algorithm: 'HS256', keyid: 'default', issuer: SETTINGS.issuer, audience: SETTINGS.audience, expiresIn: 60,
    });
    unauthorized(token);
  });

  it('refuses a tampered payload', () => {
    const [h, , s] = signAccessToken(SETTINGS, { sub: 'user' }).split('.');
    const forged = b64url({ sub: 'admin', iss: SETTINGS.issuer, aud: SETTINGS.audience, exp: nowSec() + 600 });
    unauthorized(`${h}.${forged}.${s}`);
  });

  for (const garbage of ['', 'not-a-jwt', 'a.b.c', 'Bearer x.y.z']) {
    it(`refuses garbage ${JSON.stringify(garbage)}`, () => {
      unauthorized(garbage);
    });
  }

  it('keeps the underlying cause but does not leak it into the message', () => {
    const err = unauthorized(signAccessToken({ ...SETTINGS, jwtSecret: 'x'.repeat(40) }, { sub: 'u' }));
    expect((err as { cause?: unknown }).cause).to.be.instanceOf(jwt.JsonWebTokenError);
    expect(err.message).to.equal('Authentication failed: token invalid');
  });

  it('refuses a token without a kid, and one whose kid is not in the key ring', () => {
    const noKid = jwt.sign({}, SETTINGS.jwtSecret, { algorithm: 'HS256', issuer: SETTINGS.issuer, audience: SETTINGS.audience, subject: 'u', expiresIn: 60 });
    expect(unauthorized(noKid).data.reason).to.equal('unknown key id');
    expect(unauthorized(raw({}, { keyid: 'k9' })).data.reason).to.equal('unknown key id');
  });

  it('rotates keys without logging anyone out: old tokens verify while their key stays in the ring', () => {
    const a = 'key-a-0123456789-0123456789-0123456789';
    const b = 'key-b-0123456789-0123456789-0123456789';
    const before = { ...SETTINGS, keys: { k1: a }, activeKid: 'k1' };
    const during = { ...SETTINGS, keys: { k1: a, k2: b }, activeKid: 'k2' };
    const after = { ...SETTINGS, keys: { k2: b }, activeKid: 'k2' };
    const old = signAccessToken(before, { sub: 'u1' });
    const fresh = signAccessToken(during, { sub: 'u2' });
    expect(JSON.parse(Buffer.from(fresh.split('.')[0], 'base64url').toString()).kid).to.equal('k2');
    expect(verifyAccessToken(during, old).sub).to.equal('u1');
    expect(verifyAccessToken(after, fresh).sub).to.equal('u2');
    expect(() => verifyAccessToken(after, old)).to.throw(/unknown key id/);
  });

  it('keeps user and operator tokens apart by audience', () => {
    const op = signOperatorToken(SETTINGS, { sub: 'li', roles: ['auditor'] });
    expect(verifyOperatorToken(SETTINGS, op)).to.deep.equal({ sub: 'li', roles: ['auditor'] });
    expect(() => verifyAccessToken(SETTINGS, op)).to.throw(/Authentication failed/);
    expect(() => verifyOperatorToken(SETTINGS, signAccessToken(SETTINGS, { sub: 'u' }))).to.throw(/Authentication failed/);
  });

  it('refuses a token without exp (it would never expire), user or operator', () => {
    const noExp = jwt.sign({}, SETTINGS.jwtSecret, { algorithm: 'HS256', keyid: 'default', issuer: SETTINGS.issuer, audience: SETTINGS.audience, subject: 'u' });
    expect(unauthorized(noExp).data.reason).to.equal('token has no expiry');
    const operator = jwt.sign({ roles: ['admin'], sid: 's' }, SETTINGS.jwtSecret, { algorithm: 'HS256', keyid: 'default', issuer: SETTINGS.issuer, audience: `${SETTINGS.audience}-admin`, subject: 'admin' });
    expect(() => verifyOperatorToken(SETTINGS, operator)).to.throw(GridbusError, /no expiry/);
  });

  it('has no key of its own: signing without JWT_SECRET or a key ring fails', () => {
    expect(() => signAccessToken({ issuer: 'gridbus', audience: 'a' }, { sub: 'u' })).to.throw(/no JWT signing key/);
  });

  it('carries the session id of an operator token', () => {
    const token = signOperatorToken(SETTINGS, { sub: 'li', roles: ['operator'], sid: '0b6f4a2e-4f6e-4a55-9d0c-5d1b2f3a4c5d' });
    expect(verifyOperatorToken(SETTINGS, token)).to.deep.equal({ sub: 'li', roles: ['operator'], sid: '0b6f4a2e-4f6e-4a55-9d0c-5d1b2f3a4c5d' });
    expect(verifyOperatorToken(SETTINGS, signOperatorToken(SETTINGS, { sub: 'li', roles: [] }))).to.not.have.property('sid');
  });

  describe('verified tokens are remembered until they expire', () => {
    it('refuses a token once it expires, although it verified before', async () => {
      const token = signAccessToken(SETTINGS, { sub: 'short' }, 1);
      expect(verifyAccessToken(SETTINGS, token).sub).to.equal('short');
      await new Promise((r) => setTimeout(r, (Math.floor(Date.now() / 1000) + 1) * 1000 - Date.now() + 50));
      expect(unauthorized(token).data).to.deep.include({ reason: 'token expired' });
    });

    it('refuses a tampered copy of a token that verified', () => {
      const token = signAccessToken(SETTINGS, { sub: 'u1' });
      expect(verifyAccessToken(SETTINGS, token).sub).to.equal('u1');
      const [h, , sig] = token.split('.');
      const forged = [h, b64url({ ...jwt.decode(token) as object, sub: 'u2' }), sig].join('.');
      unauthorized(forged);
    });

    it('does not let a remembered token pass under another key ring', () => {
      const token = signAccessToken(SETTINGS, { sub: 'u1' });
      expect(verifyAccessToken(SETTINGS, token).sub).to.equal('u1');
      unauthorized(token, { ...SETTINGS, jwtSecret: 'another-secret-that-is-long-enough-0123456' });
    });
  });
});
