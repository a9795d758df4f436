import { GridbusConfig } from '../../../config';
import { RoutePolicyDeclaration } from '../policies';

/** The life-number front end: user JWT on every call. */
export function apiV1Route(config: GridbusConfig) {
  const policies: RoutePolicyDeclaration = {
    group: 'api',
    ipRestriction: { allow: config.gateway.apiAllow, deny: config.gateway.apiDeny },
    rateLimiting: config.gateway.rateLimitUser && { ...config.gateway.rateLimitUser, limitBy: 'consumer' },
    // fail fast while the back office behind an action is known to be down
    dependsOn: { 'billing.getArrears': ['marketing.queryArrears'] },
  };
  return {
    path: '/api/v1',
    mappingPolicy: 'restrict',
    authentication: true,
    bodyParsers: { json: { strict: true, limit: '64kb' }, urlencoded: false },
    aliases: {
      'GET accounts/:accountNo/arrears': 'billing.getArrears',
      'POST arrears/query': 'billing.getArrears',
    },
    policies,
  };
}
