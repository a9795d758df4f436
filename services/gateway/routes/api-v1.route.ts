import { GridbusConfig } from '../../../config';
import { API_ROUTE_SETS } from '../../route-sets';
import { RoutePolicyDeclaration } from '../policies';
import { mergeRouteSets } from './route-set';

/** The life-number front end: user JWT on every call. */
export function apiV1Route(config: GridbusConfig) {
  // the plates' own routes (services/<plate>/routes.ts)
  const plates = mergeRouteSets(API_ROUTE_SETS);
  const policies: RoutePolicyDeclaration = {
    group: 'api',
    ipRestriction: { allow: config.gateway.apiAllow, deny: config.gateway.apiDeny },
    rateLimiting: config.gateway.rateLimitUser && { ...config.gateway.rateLimitUser, limitBy: 'consumer' },
    // fail fast while the back office behind an action is known to be down
    dependsOn: { 'billing.getArrears': ['marketing.queryArrears'], 'binding.candidates': ['marketing.findCustomersByIdentity'], 'payment.create': ['marketing.queryArrears'], ...plates.dependsOn },
  };
  return {
    path: '/api/v1',
    mappingPolicy: 'restrict',
    authentication: true,
    bodyParsers: { json: { strict: true, limit: '64kb' }, urlencoded: false },
    aliases: {
      'GET accounts/:accountNo/arrears': 'billing.getArrears',
      'POST arrears/query': 'billing.getArrears',
      // account binding (services/binding): candidates from the user's Alipay identity, bind, list, unbind
      'POST bindings/candidates': 'binding.candidates',
      'POST bindings': 'binding.bind',
      'GET bindings': 'binding.list',
      'DELETE bindings/:accountNo': 'binding.unbind',
      // the money path (services/payment): pay, see one's own orders, sign withholding
      'POST payments': 'payment.create',
      'GET payments': 'payment.list',
      'GET payments/:id': 'payment.get',
      'POST agreements': 'payment.startAgreement',
      'GET agreements': 'payment.listAgreements',
      ...plates.aliases,
    },
    policies,
  };
}
