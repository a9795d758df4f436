export { signAccessToken, verifyAccessToken, JwtSettings, AccessClaims } from './jwt';
