import { IpRestrictionOptions } from '../../../config/gateway';
import { definePolicy } from './contract';
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

const CIDR_ARRAY = { type: 'array', items: { type: 'string', format: 'cidr' } };

/** First of all: an address that may not come in is refused before anything is counted or read. */
export const ipRestrictionPolicy = definePolicy<IpRestrictionOptions>({
  name: 'ipRestriction',
  priority: 1000,
  phases: ['connection'],
  switchable: false,
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: { allow: CIDR_ARRAY, deny: CIDR_ARRAY, status: { type: 'integer', minimum: 400, maximum: 499 }, message: { type: 'string', minLength: 1, maxLength: 200 } },
  },
  defaults: () => null,
  create(options) {
    const restrict = createIpRestriction(options);
    return { connection: (call) => restrict(call.clientIp) };
  },
});
