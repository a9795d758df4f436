/** Users' sessions: refresh (rotating) and log-out; no access token needed to reach them. */
export function userSessionRoute() {
  return {
    path: '/api/v1/session',
    mappingPolicy: 'restrict',
    bodyParsers: { json: { strict: true, limit: '4kb' }, urlencoded: false },
    aliases: {
      'POST refresh': 'auth.userRefresh',
      'POST logout': 'auth.logout',
    },
  };
}
