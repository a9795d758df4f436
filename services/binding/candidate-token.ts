import { JwtSettings, signPurposeToken, verifyPurposeToken } from '../../core/auth';
import { GridbusError } from '../../core/errors';

/** Audience of candidate tokens: never accepted where an access or operator token is expected. */
export const CANDIDATE_AUDIENCE = 'binding';
export const CANDIDATE_TTL_SECONDS = 600;

/**
 * What a candidate token vouches for: this account was offered to this user
 * for this identity. `sealed` holds the account number and the holder's
 * identity as a PiiCipher token, so the client reads neither from the token
 * (a JWT payload is only base64); `certHash` is the ID number's keyed hash.
 */
export interface Candidate {
  userId: string;
  certHash: string;
  sealed: string;
}

export function signCandidate(settings: JwtSettings, c: Candidate, ttlSeconds = CANDIDATE_TTL_SECONDS): string {
  return signPurposeToken(settings, CANDIDATE_AUDIENCE, c.userId, { ch: c.certHash, pii: c.sealed }, ttlSeconds);
}

/** The candidate, or FORBIDDEN with `reason` (expired, invalid signature, other audience, malformed). */
export function verifyCandidate(settings: JwtSettings, token: string): Candidate {
  let payload: ReturnType<typeof verifyPurposeToken>;
  try {
    payload = verifyPurposeToken(settings, token, CANDIDATE_AUDIENCE);
  } catch (err) {
    const reason = (err as GridbusError).data?.reason === 'token expired' ? 'candidate token expired' : 'candidate token invalid';
    throw refused(reason);
  }
  const { sub, ch, pii } = payload as { sub: string; ch?: unknown; pii?: unknown };
  if (typeof ch !== 'string' || typeof pii !== 'string') throw refused('candidate token invalid');
  return { userId: sub, certHash: ch, sealed: pii };
}

export function refused(reason: string): GridbusError {
  const message =
    reason === 'candidate token expired'
      ? 'The candidate has expired: ask for the candidates again'
      : reason === 'candidate token of another user'
        ? 'This candidate was not offered to you'
        : 'The candidate token is not valid: ask for the candidates again';
  return new GridbusError('FORBIDDEN', message, { details: { reason } });
}
