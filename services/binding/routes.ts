import { EMPTY_ROUTE_SET, RouteSet } from '../gateway/routes/route-set';

/** User routes under /api/v1 (user JWT). */
export const apiRoutes: RouteSet = EMPTY_ROUTE_SET;

/** Operator routes under /admin/api, with the roles allowed per action. */
export const adminRoutes: RouteSet = EMPTY_ROUTE_SET;
