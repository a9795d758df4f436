/**
 * One contract for what a service publishes through the gateway (as a Kong
 * plugin declares its routes): moleculer-web aliases, the back-office
 * operations an action depends on (the circuit gate fails fast while one is
 * down) and, for operator routes, the roles allowed per action. The gateway's
 * routes only merge the sets of services/route-sets.ts.
 */
export interface RouteSet {
  /** `'GET bills/:accountNo': 'electricity.bills'`, relative to the route's path. */
  aliases: Record<string, string>;
  /** action → canonical operations it calls (circuit gate). */
  dependsOn?: Record<string, string[]>;
  /** admin sets only: action → operator roles allowed (`admin` may do all). */
  roles?: Record<string, string[]>;
}

export const EMPTY_ROUTE_SET: RouteSet = { aliases: {} };

/** Merges route sets; the same alias twice is a programming error, refused at start. */
export function mergeRouteSets(sets: readonly RouteSet[]): Required<RouteSet> {
  const out: Required<RouteSet> = { aliases: {}, dependsOn: {}, roles: {} };
  for (const set of sets) {
    for (const [alias, action] of Object.entries(set.aliases)) {
      if (out.aliases[alias] !== undefined) throw new Error(`route alias '${alias}' is declared twice (${out.aliases[alias]} and ${action})`);
      out.aliases[alias] = action;
    }
    Object.assign(out.dependsOn, set.dependsOn ?? {});
    Object.assign(out.roles, set.roles ?? {});
  }
  return out;
}
