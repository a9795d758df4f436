import { RouteSet } from '../gateway/routes/route-set';

/** User routes under /api/v1 (user JWT): the signed-in user's profile. */
export const apiRoutes: RouteSet = {
  aliases: { 'GET me': 'users.me' },
};

/** Operator routes under /admin/api: life-number followers for the statistics. */
export const adminRoutes: RouteSet = {
  aliases: { 'GET followers': 'users.followers' },
  roles: { 'users.followers': ['operator', 'auditor'] },
};
