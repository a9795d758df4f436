import type { RouteSet } from './gateway/routes/route-set';
import * as binding from './binding/routes';
import * as content from './content/routes';
import * as electricity from './electricity/routes';
import * as power from './power/routes';
import * as users from './users/routes';

/** The route sets of the life-number plates, merged by the gateway's /api/v1 and /admin/api routes. */
const PLATES: ReadonlyArray<{ apiRoutes?: RouteSet; adminRoutes?: RouteSet }> = [binding, electricity, content, power, users];

export const API_ROUTE_SETS: readonly RouteSet[] = PLATES.flatMap((p) => (p.apiRoutes ? [p.apiRoutes] : []));
export const ADMIN_ROUTE_SETS: readonly RouteSet[] = PLATES.flatMap((p) => (p.adminRoutes ? [p.adminRoutes] : []));
