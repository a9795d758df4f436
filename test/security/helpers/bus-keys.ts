import * as fs from 'fs';
import * as path from 'path';
import { JwtSettings } from '../../../core/auth';

/**
 * The key ring a user bus generated under its VAR_DIR (services/auth/jwt-keys.ts),
 * as settings for core/auth: lets a spec sign what only a holder of the bus's
 * key could (a token for an operator that does not exist, one without `exp`).
 */
export function busJwtSettings(varDir: string): JwtSettings {
  const ring = JSON.parse(fs.readFileSync(path.join(varDir, 'jwt', 'keys.json'), 'utf8')) as { activeKid: string; keys: Record<string, string> };
  return { issuer: 'gridbus', audience: 'gridbus-life-number', adminAudience: 'gridbus-life-number-admin', keys: ring.keys, activeKid: ring.activeKid };
}
