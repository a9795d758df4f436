import { IpRestrictionOptions } from '../../../config/gateway';
import { CidrSet } from './ip-address';
import { Refusal, refusal } from './refusal';

export type IpRestriction = (clientIp: string) => Refusal | null;

/**
 * Kong's `ip-restriction`: `deny` wins over `allow`; with an `allow` list
 * only its members get in (`allow: []` lets nobody in); without one,
 * everybody not denied does. Refused with `status` (default 403) and
 * `message`, code FORBIDDEN.
 */
export function createIpRestriction(options: IpRestrictionOptions): IpRestriction {
  const allow = options.allow ? new CidrSet(options.allow) : null;
  const deny = new CidrSet(options.deny ?? []);
  const message = options.message ?? 'Your IP address is not allowed';
  const status = options.status ?? 403;
  return (clientIp) => {
    if (deny.has(clientIp) || (allow !== null && !allow.has(clientIp))) {
      return refusal('FORBIDDEN', message, { status });
    }
    return null;
  };
}
