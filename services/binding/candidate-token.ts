import { JwtSettings, signPurposeToken, verifyPurposeToken } from '../../core/auth';
import { GridbusError } from '../../core/errors';

/** Audience of candidate tokens: never accepted where an access or operator token is expected. */
export const CANDIDATE_AUDIENCE = 'binding';
export const CANDIDATE_TTL_SECONDS = 600;

/**
 * What a candidate token vouches for: this account was offered to this user
 * for this identity. `identity` is the holder's identity as a PiiCipher token
 * (the client cannot read it); `certHash` its keyed hash.
 */
export interface Candidate {
  userId: string;
  accountNo: string;
  certHash: string;
  identity: string;
}

export function signCandidate(settings: JwtSettings, c: Candidate, ttlSeconds = CANDIDATE_TTL_SECONDS): string {
  return signPurposeToken(settings, CANDIDATE_AUDIENCE, c.userId, { acc: c.accountNo, ch: c.certHash, pii: c.identity }, ttlSeconds);
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
  const { sub, acc, ch, pii } = payload as { sub: string; acc?: unknown; ch?: unknown; pii?: unknown };
  if (typeof acc !== 'string' || !/^[0-9]{10}$/.test(acc) || typeof ch !== 'string' || typeof pii !== 'string') throw refused('candidate token invalid');
  return { userId: sub, accountNo: acc, certHash: ch, identity: pii };
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
