import { GatewayPolicy } from './contract';
import { circuitGatePolicy } from './circuit-gate';
import { corsPolicy } from './cors';
import { ipLimitPolicy } from './ip-limit';
import { ipRestrictionPolicy } from './ip-restriction';
import { rateLimitingPolicy } from './rate-limiting';
import { hygienePolicy } from './request-hygiene';

/**
 * Every gateway policy. Adding one: a file exporting a GatewayPolicy
 * (contract.ts), listed here; GATEWAY_POLICIES accepts its options (the
 * schema is built from this list) and every route runs it.
 */
export const POLICIES: readonly GatewayPolicy[] = [ipRestrictionPolicy, ipLimitPolicy, hygienePolicy, corsPolicy, rateLimitingPolicy, circuitGatePolicy] as unknown as GatewayPolicy[];

/** `false` (switched off) or options; errors name the bad option, not the alternatives. */
const falseOr = (schema: object) => ({ if: { const: false }, then: true, else: schema });

/** The JSON schema of what one level (a group or a route of GATEWAY_POLICIES) may set. */
export function policyLevelSchema(): { type: 'object'; additionalProperties: false; properties: Record<string, object> } {
  const properties: Record<string, object> = {};
  for (const p of POLICIES) if (p.optionsSchema) properties[p.name] = p.switchable ? falseOr(p.optionsSchema) : p.optionsSchema;
  return { type: 'object', additionalProperties: false, properties };
}
