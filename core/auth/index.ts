export { signAccessToken, verifyAccessToken, signOperatorToken, verifyOperatorToken, signPurposeToken, verifyPurposeToken, JwtSettings, AccessClaims, OperatorClaims } from './jwt';
export { hashPassword, verifyPassword } from './passwords';
export { RefreshTokens, SessionKind } from './refresh-tokens';
