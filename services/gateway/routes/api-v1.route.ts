/** The life-number front end: user JWT on every call. */
export function apiV1Route() {
  return {
    path: '/api/v1',
    mappingPolicy: 'restrict',
    authentication: true,
    bodyParsers: { json: { strict: true, limit: '64kb' }, urlencoded: false },
    aliases: {
      'GET accounts/:accountNo/arrears': 'billing.getArrears',
      'POST arrears/query': 'billing.getArrears',
    },
  };
}
