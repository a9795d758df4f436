import { GatewayPolicyConfig, HygieneOptions, IpLimitOptions, IpRestrictionOptions, PolicyOverrides, RateLimitingOptions } from '../../../config/gateway';

/** What a route file declares next to its aliases. */
export interface RoutePolicyDeclaration extends PolicyOverrides {
  /** The policy group (the GATEWAY_POLICIES key); several routes may share one (health + metrics = `ops`). */
  group: string;
  /** Action → the canonical operations it calls: refused at once while one of them is open. */
  dependsOn?: Record<string, string[]>;
  /** Per route, keyed like the alias (`GET accounts/:accountNo/arrears`). */
  routes?: Record<string, PolicyOverrides>;
}

/** The options in force for one route after every level is applied. */
export interface EffectivePolicies {
  ipRestriction: IpRestrictionOptions | null;
  /** `scope` names the counter: the level the options were last set at (`gateway`, a group, `group:route`). */
  ipLimit: { options: IpLimitOptions; scope: string } | null;
  rateLimiting: { options: RateLimitingOptions; scope: string } | null;
  hygiene: { bodyLimit: string | null; allowedContentTypes: string[]; maxJsonDepth: number };
}

export const IP_LIMIT_DEFAULTS: IpLimitOptions = { threshold: 1200, window: 60, banSeconds: 60, maxBanSeconds: 3600, forgetAfter: 86400 };
const UNITS = ['second', 'minute', 'hour', 'day'] as const;

/** `GET /accounts/:id/` and `GET accounts/:id` name the same route. */
export function routeKey(method: string, path: string): string {
  return `${method.toUpperCase()} ${path.replace(/^\/+|\/+$/g, '')}`;
}

export function normalizeRouteKey(key: string): string {
  const [method, ...rest] = key.trim().split(/\s+/);
  return routeKey(method, rest.join(' '));
}

/**
 * Applies one level over what is inherited, option by option (Moleculer's
 * broker → action merge). For rate-limiting, a level that names any window
 * (second/minute/hour/day) replaces the inherited set of windows. `false`
 * switches a limit off; a later level may switch it on again.
 */
export function applyLevel(base: EffectivePolicies, level: PolicyOverrides | undefined, scope: string, config: GatewayPolicyConfig): EffectivePolicies {
  if (!level) return base;
  const out: EffectivePolicies = { ...base, hygiene: { ...base.hygiene } };
  if (level.ipRestriction) out.ipRestriction = { ...(base.ipRestriction ?? {}), ...level.ipRestriction };
  if (level.ipLimit === false) out.ipLimit = null;
  else if (level.ipLimit) {
    const inherited = base.ipLimit?.options ?? (config.ipLimit || IP_LIMIT_DEFAULTS);
    out.ipLimit = { options: { ...inherited, ...level.ipLimit }, scope };
  }
  if (level.rateLimiting === false) out.rateLimiting = null;
  else if (level.rateLimiting) {
    const inherited: RateLimitingOptions = { ...(base.rateLimiting?.options ?? {}) };
    if (UNITS.some((u) => level.rateLimiting && level.rateLimiting[u] !== undefined)) for (const u of UNITS) delete inherited[u];
    out.rateLimiting = { options: { ...inherited, ...level.rateLimiting }, scope };
  }
  if (level.hygiene) {
    const h: HygieneOptions = level.hygiene;
    if (h.bodyLimit !== undefined) out.hygiene.bodyLimit = h.bodyLimit;
    if (h.allowedContentTypes !== undefined) out.hygiene.allowedContentTypes = [...h.allowedContentTypes];
    if (h.maxJsonDepth !== undefined) out.hygiene.maxJsonDepth = h.maxJsonDepth;
  }
  return out;
}

/**
 * gateway defaults (GATEWAY_* keys) → the route file's group declaration →
 * GATEWAY_POLICIES[group] → the route file's per-route entry →
 * GATEWAY_POLICIES[group].routes[route].
 */
export function effectivePolicies(
  config: GatewayPolicyConfig,
  declaration: RoutePolicyDeclaration,
  key: string | null,
  defaultBodyLimit: string | null,
  defaultMediaTypes: string[] = ['application/json'],
): EffectivePolicies {
  const group = declaration.group;
  let p: EffectivePolicies = {
    ipRestriction: null,
    ipLimit: config.ipLimit ? { options: config.ipLimit, scope: 'gateway' } : null,
    rateLimiting: null,
    hygiene: { bodyLimit: defaultBodyLimit, allowedContentTypes: [...defaultMediaTypes], maxJsonDepth: config.maxJsonDepth },
  };
  const configured = config.policies[group];
  p = applyLevel(p, declaration, group, config);
  p = applyLevel(p, configured, group, config);
  if (key) {
    p = applyLevel(p, findRoute(declaration.routes, key), `${group}:${key}`, config);
    p = applyLevel(p, findRoute(configured?.routes, key), `${group}:${key}`, config);
  }
  return p;
}

function findRoute(routes: Record<string, PolicyOverrides> | undefined, key: string): PolicyOverrides | undefined {
  if (!routes) return undefined;
  for (const [k, v] of Object.entries(routes)) if (normalizeRouteKey(k) === key) return v;
  return undefined;
}
