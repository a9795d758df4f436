import { KeyObject, createSecretKey } from 'crypto';
import * as jwt from 'jsonwebtoken';
import { GridbusError } from '../errors';

export interface JwtSettings {
  /** The signing secret when no key ring is configured (key id `default`). */
  jwtSecret?: string;
  issuer: string;
  /** Audience of the life-number users' tokens. */
  audience: string;
  /** Audience of operators' tokens; a user token is never an operator token. */
  adminAudience?: string;
  /** Key ring by key id (`kid`): rotate by adding a key and making it active; old tokens verify until their key is removed. */
  keys?: Record<string, string>;
  activeKid?: string;
}

export interface AccessClaims {
  sub: string;
  scope?: string;
}

export interface OperatorClaims {
  sub: string;
  roles: string[];
  /** The session (refresh-token family) the token belongs to: logging out of it ends the token too. */
  sid?: string;
}

const DEFAULT_KID = 'default';

/**
 * jsonwebtoken turns a string secret into a key on every call, first trying
 * it as a PEM public key and failing (an exception per request, ~1 ms of CPU);
 * a KeyObject made once skips all that.
 */
const keyObjects = new Map<string, KeyObject>();
function keyObject(secret: string): KeyObject {
  let k = keyObjects.get(secret);
  if (!k) {
    k = createSecretKey(Buffer.from(secret, 'utf8'));
    keyObjects.set(secret, k);
  }
  return k;
}

function keyRing(settings: JwtSettings): { keys: Record<string, string>; activeKid: string } {
  if (settings.keys && Object.keys(settings.keys).length) {
    const activeKid = settings.activeKid ?? Object.keys(settings.keys)[0];
    return { keys: settings.keys, activeKid };
  }
  if (settings.jwtSecret) return { keys: { [DEFAULT_KID]: settings.jwtSecret }, activeKid: DEFAULT_KID };
  // A programming error (bin/bootstrap.ts resolves the keys before any service starts), never a fallback key.
  throw new Error('no JWT signing key: set JWT_SECRET or JWT_KEYS');
}

function adminAudienceOf(settings: JwtSettings): string {
  return settings.adminAudience ?? `${settings.audience}-admin`;
}

function sign(settings: JwtSettings, payload: Record<string, unknown>, subject: string, audience: string, ttlSeconds: number): string {
  const { keys, activeKid } = keyRing(settings);
  return jwt.sign(payload, keyObject(keys[activeKid]), { algorithm: 'HS256', keyid: activeKid, subject, issuer: settings.issuer, audience, expiresIn: ttlSeconds });
}

/**
 * Only HS256 with a known `kid` is accepted, so `alg: none`, another
 * algorithm, a token without `kid` or with a retired one are refused; iss,
 * aud and exp are always checked, and a token without `exp` is refused (it
 * would never expire).
 */
function verify(settings: JwtSettings, token: string, audience: string): jwt.JwtPayload {
  const cached = verifiedTokens.get(settings, token, audience);
  if (cached) return cached;
  const payload = verifySignature(settings, token, audience);
  verifiedTokens.remember(settings, token, audience, payload);
  return payload;
}

/**
 * Tokens already verified, until they expire: a user's app sends the same
 * access token with every call for its lifetime, and HMAC, base64 and JSON
 * parsing cost more than the rest of the gateway's checks together. Keyed by
 * the settings (one key ring) and the audience; bounded.
 */
const verifiedTokens = new (class {
  private readonly byRing = new WeakMap<JwtSettings, Map<string, { payload: jwt.JwtPayload; expiresAt: number }>>();
  private readonly max = 10_000;

  get(settings: JwtSettings, token: string, audience: string): jwt.JwtPayload | null {
    const entry = this.byRing.get(settings)?.get(`${audience}\u0000${token}`);
    if (!entry) return null;
    if (entry.expiresAt > Date.now()) return entry.payload;
    this.byRing.get(settings)!.delete(`${audience}\u0000${token}`);
    return null;
  }

  remember(settings: JwtSettings, token: string, audience: string, payload: jwt.JwtPayload): void {
    if (typeof payload.exp !== 'number') return;
    let tokens = this.byRing.get(settings);
    if (!tokens) this.byRing.set(settings, (tokens = new Map()));
    if (tokens.size >= this.max) tokens.clear();
    tokens.set(`${audience}\u0000${token}`, { payload: Object.freeze({ ...payload }), expiresAt: payload.exp * 1000 });
  }
})();

function verifySignature(settings: JwtSettings, token: string, audience: string): jwt.JwtPayload {
  const { keys } = keyRing(settings);
  let reason = 'token invalid';
  try {
    const decoded = jwt.decode(token, { complete: true });
    const kid = decoded && typeof decoded === 'object' ? decoded.header.kid : undefined;
    if (!kid || !Object.prototype.hasOwnProperty.call(keys, kid)) {
      reason = 'unknown key id';
      throw new Error(reason);
    }
    const payload = jwt.verify(token, keyObject(keys[kid]), { algorithms: ['HS256'], issuer: settings.issuer, audience }) as jwt.JwtPayload;
    if (typeof payload.exp !== 'number') {
      reason = 'token has no expiry';
      throw new Error(reason);
    }
    if (typeof payload.sub !== 'string' || payload.sub === '') throw new Error('token has no subject');
    return payload;
  } catch (err) {
    if (err instanceof jwt.TokenExpiredError) reason = 'token expired';
    throw new GridbusError('UNAUTHORIZED', `Authentication failed: ${reason}`, { details: { reason }, cause: err });
  }
}

/** Access token of a life-number user (short-lived; refreshed with a refresh token). */
export function signAccessToken(settings: JwtSettings, claims: AccessClaims, ttlSeconds = 900): string {
  return sign(settings, { scope: claims.scope }, claims.sub, settings.audience, ttlSeconds);
}

export function verifyAccessToken(settings: JwtSettings, token: string): AccessClaims {
  const payload = verify(settings, token, settings.audience);
  return { sub: payload.sub!, scope: typeof payload.scope === 'string' ? payload.scope : undefined };
}

/** Access token of an operator, with roles, for /admin/api only. */
export function signOperatorToken(settings: JwtSettings, claims: OperatorClaims, ttlSeconds = 3600): string {
  return sign(settings, { roles: claims.roles, ...(claims.sid ? { sid: claims.sid } : {}) }, claims.sub, adminAudienceOf(settings), ttlSeconds);
}

/** Checks the token only; whether its operator and session are still active is the gateway's question to the auth service. */
export function verifyOperatorToken(settings: JwtSettings, token: string): OperatorClaims {
  const payload = verify(settings, token, adminAudienceOf(settings));
  const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string') : [];
  return { sub: payload.sub!, roles, ...(typeof payload.sid === 'string' && payload.sid ? { sid: payload.sid } : {}) };
}

/**
 * A short-lived token for one purpose other than access (its own audience,
 * e.g. `binding` for binding candidates), signed and checked with the same
 * key ring. It can never pass as an access or operator token: audiences differ.
 */
export function signPurposeToken(settings: JwtSettings, audience: string, subject: string, payload: Record<string, unknown>, ttlSeconds: number): string {
  return sign(settings, payload, subject, audience, ttlSeconds);
}

/** Verifies a purpose token (HS256, known kid, iss, aud, exp); refuses with UNAUTHORIZED and a `reason`. */
export function verifyPurposeToken(settings: JwtSettings, token: string, audience: string): jwt.JwtPayload & { sub: string } {
  return verify(settings, token, audience) as jwt.JwtPayload & { sub: string };
}
