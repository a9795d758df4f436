import { RouteSet } from '../gateway/routes/route-set';

/**
 * The binding routes of issue 12 (manual binding, default account, labels);
 * candidates, bind, list and unbind are declared in the gateway's api-v1 route.
 */
export const apiRoutes: RouteSet = {
  aliases: {
    'POST bindings/manual': 'binding.manual',
    'PUT bindings/:accountNo/default': 'binding.setDefault',
    // the label has a path of its own: /api/v1/bindings/{accountNo} is the unbind's (DELETE) in openapi/life-number.yaml
    'PUT bindings/:accountNo/label': 'binding.setLabel',
  },
  dependsOn: { 'binding.manual': ['marketing.verifyHolder'] },
};
