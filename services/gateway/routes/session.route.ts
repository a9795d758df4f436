import { GridbusConfig } from '../../../config';

/** Users' sessions: sign-in with an Alipay auth code, refresh (rotating) and log-out; no access token needed to reach them. */
export function userSessionRoute(config: GridbusConfig) {
  return {
    path: '/api/v1/session',
    // the api group's address rules; counted per address (no user before the refresh token is checked)
    policies: {
      group: 'api',
      ipRestriction: { allow: config.gateway.apiAllow, deny: config.gateway.apiDeny },
      rateLimiting: config.gateway.rateLimitUser && { ...config.gateway.rateLimitUser, limitBy: 'ip' as const },
    },
    mappingPolicy: 'restrict',
    bodyParsers: { json: { strict: true, limit: '4kb' }, urlencoded: false },
    aliases: {
      'POST /': 'auth.userLogin',
      'POST refresh': 'auth.userRefresh',
      'POST logout': 'auth.logout',
    },
  };
}
