import * as jwt from 'jsonwebtoken';
import { GridbusError } from '../errors';

export interface JwtSettings {
  jwtSecret: string;
  issuer: string;
  audience: string;
}

export interface AccessClaims {
  sub: string;
  scope?: string;
}

/**
 * Access tokens for the life-number front end. Only HS256 is accepted, so a
 * token with `alg: none` or another algorithm is refused; iss, aud and exp
 * are always checked. (Key rotation with `kid` arrives with the auth issue.)
 */
export function signAccessToken(settings: JwtSettings, claims: AccessClaims, ttlSeconds = 900): string {
  return jwt.sign({ scope: claims.scope }, settings.jwtSecret, {
    algorithm: 'HS256',
    subject: claims.sub,
    issuer: settings.issuer,
    audience: settings.audience,
    expiresIn: ttlSeconds,
  });
}

export function verifyAccessToken(settings: JwtSettings, token: string): AccessClaims {
  try {
    const payload = jwt.verify(token, settings.jwtSecret, {
      algorithms: ['HS256'],
      issuer: settings.issuer,
      audience: settings.audience,
    }) as jwt.JwtPayload;
    if (typeof payload.sub !== 'string' || payload.sub === '') throw new Error('token has no subject');
    return { sub: payload.sub, scope: typeof payload.scope === 'string' ? payload.scope : undefined };
  } catch (err) {
    const reason = err instanceof jwt.TokenExpiredError ? 'token expired' : 'token invalid';
    throw new GridbusError('UNAUTHORIZED', `Authentication failed: ${reason}`, { details: { reason }, cause: err });
  }
}
