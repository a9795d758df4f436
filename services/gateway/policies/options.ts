import { GatewayPolicyConfig, PolicyOverrides } from '../../../config/gateway';
import { POLICIES } from './catalog';
import { GatewayPolicy, RouteFacts } from './contract';

/** What a route file declares next to its aliases. */
export interface RoutePolicyDeclaration extends PolicyOverrides {
  /** The policy group (the GATEWAY_POLICIES key); several routes may share one (health + metrics = `ops`). */
  group: string;
  /** Action → the canonical operations it calls: refused at once while one of them is open. */
  dependsOn?: Record<string, string[]>;
  /** Per route, keyed like the alias (`GET accounts/:accountNo/arrears`). */
  routes?: Record<string, PolicyOverrides>;
}

/** One policy's options in force for a route, and the level they were last set at (`gateway`, a group, `group:METHOD path`). */
export interface EffectivePolicy {
  options: object;
  scope: string;
}

/** Policy name → its options for one route; null = off. */
export type EffectivePolicies = Record<string, EffectivePolicy | null>;

/** `GET /accounts/:id/` and `GET accounts/:id` name the same route. */
export function routeKey(method: string, path: string): string {
  return `${method.toUpperCase()} ${path.replace(/^\/+|\/+$/g, '')}`;
}

export function normalizeRouteKey(key: string): string {
  const [method, ...rest] = key.trim().split(/\s+/);
  return routeKey(method, rest.join(' '));
}

/**
 * Applies one level over what is inherited, policy by policy: `false`
 * switches a policy off, options are merged by the policy's own `merge`
 * (option by option unless it says otherwise: Moleculer's broker → action
 * merge) and move its scope to this level.
 */
function applyLevel(current: EffectivePolicies, level: PolicyOverrides | undefined, scope: string, config: GatewayPolicyConfig, policies: readonly GatewayPolicy[]): EffectivePolicies {
  if (!level) return current;
  const out = { ...current };
  for (const p of policies) {
    const value = (level as Record<string, unknown>)[p.name];
    if (value === undefined) continue;
    if (value === false) {
      out[p.name] = null;
      continue;
    }
    const inherited = current[p.name]?.options ?? null;
    const options = p.merge ? p.merge(inherited, value as object, config) : { ...(inherited ?? {}), ...(value as object) };
    out[p.name] = { options, scope };
  }
  return out;
}

/**
 * The policy defaults (GATEWAY_* keys) → the route file's group declaration
 * → GATEWAY_POLICIES[group] → the route file's per-route entry →
 * GATEWAY_POLICIES[group].routes[route].
 */
export function effectivePolicies(
  config: GatewayPolicyConfig,
  declaration: RoutePolicyDeclaration,
  route: RouteFacts,
  policies: readonly GatewayPolicy[] = POLICIES,
): EffectivePolicies {
  const group = declaration.group;
  let p: EffectivePolicies = {};
  for (const policy of policies) {
    const options = policy.defaults(config, route);
    p[policy.name] = options ? { options, scope: 'gateway' } : null;
  }
  const configured = config.policies[group];
  p = applyLevel(p, declaration, group, config, policies);
  p = applyLevel(p, configured, group, config, policies);
  if (route.key) {
    p = applyLevel(p, findRoute(declaration.routes, route.key), `${group}:${route.key}`, config, policies);
    p = applyLevel(p, findRoute(configured?.routes, route.key), `${group}:${route.key}`, config, policies);
  }
  return p;
}

function findRoute(routes: Record<string, PolicyOverrides> | undefined, key: string): PolicyOverrides | undefined {
  if (!routes) return undefined;
  for (const [k, v] of Object.entries(routes)) if (normalizeRouteKey(k) === key) return v;
  return undefined;
}
