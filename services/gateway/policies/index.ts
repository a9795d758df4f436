import type * as http from 'http';
import type { ServiceBroker } from 'moleculer';
import { GridbusConfig } from '../../../config';
import { HealthRegistry } from '../../../core/health';
import { Clock, realClock } from '../../../core/resilience/clock';
import { OpenedSharedStore, SharedStore, openSharedStore } from '../../../core/shared-store';
import { GatewayRequest, GatewayResponse, pathOf } from '../types';
import { BodyParsersOption, wantedParsers } from './body-parsing';
import { POLICIES } from './catalog';
import { CircuitEvent, CircuitGate } from './circuit-gate';
import { clientIpOf } from './client-ip';
import { GatewayPolicy, PolicyDeps, RouteFacts, RoutedAlias } from './contract';
import { createLimitedServer } from './header-limits';
import { CidrSet } from './ip-address';
import { BanBook, BanEvent } from './ip-limit';
import { RoutePolicyDeclaration, effectivePolicies, normalizeRouteKey, routeKey } from './options';
import { AliasResolver, Authenticate, Pipeline, buildPipeline, runPipeline } from './pipeline';

export { RoutePolicyDeclaration } from './options';
export { translateFrameworkError } from './framework-errors';
export { CircuitEvent } from './circuit-gate';

type Next = (err?: unknown) => void;
type Connect = (req: GatewayRequest, res: GatewayResponse, next: Next) => void;
type User = { id: string } | null | undefined;
type Logger = { info(m: string): void; warn(m: string): void };
/** moleculer-web's Route, as the middlewares see it on `req.$route`. */
type WebRoute = { authentication?: Authenticate | null };
/** A request as moleculer-web routed it, with what the gateway keeps on it. */
type RoutedRequest = GatewayRequest & { $route?: WebRoute; $routedAlias?: RoutedAlias | null; $authentication?: Promise<User> };
type RouteHandler = (this: unknown, ctx: unknown, route: unknown, req: GatewayRequest, res: GatewayResponse, found?: { alias: RoutedAlias } | false) => unknown;

/** A route definition as routes/*.route.ts return it (moleculer-web options + `policies`). */
export interface PolicyRoute {
  path: string;
  name?: string;
  bodyParsers?: BodyParsersOption;
  use?: unknown[];
  authentication?: unknown;
  aliases?: Record<string, unknown>;
  policies?: RoutePolicyDeclaration;
  [option: string]: unknown;
}

/**
 * The gateway's security policies (catalog.ts, each one file following
 * contract.ts), run for every request of every route by the one pipeline
 * (pipeline.ts) in phase and priority order: connection (ip-restriction →
 * IP high-frequency control → hygiene → CORS) → the route's
 * authentication → caller (rate limiting → circuit gate) → body (parsing,
 * JSON depth). Policies are compiled per alias, for the alias moleculer-web
 * will actually run. See docs/security.md.
 */
export class GatewayPolicies {
  readonly trustedProxies: CidrSet;
  readonly circuits: CircuitGate;
  private readonly bans: BanBook;
  private readonly clock: Clock;
  private opened: OpenedSharedStore | null = null;
  private broker: ServiceBroker | null = null;
  private logger: Logger | null = null;
  private policyDeps: PolicyDeps | null = null;
  /** group → the route keys of its aliases, to check GATEWAY_POLICIES names against. */
  private readonly groups = new Map<string, Set<string>>();

  constructor(
    private readonly config: GridbusConfig,
    private readonly options: { clock?: Clock; openStore?: () => OpenedSharedStore } = {},
    /** Every policy of catalog.ts; tests may pass their own. */
    private readonly policies: readonly GatewayPolicy[] = POLICIES,
  ) {
    this.clock = options.clock ?? realClock;
    this.trustedProxies = new CidrSet(config.gateway.trustedProxies);
    // bans set by other nodes are seen within the counters' sync interval
    this.bans = new BanBook(() => this.store(), this.clock, { recheckMs: config.gateway.store.syncMs });
    this.circuits = new CircuitGate(this.clock, (operation) => this.nodesServing(operation));
  }

  /** From the gateway service's `created()`: opens the shared store and reports it on /health. */
  open(broker: ServiceBroker, logger: Logger, health: HealthRegistry): void {
    this.broker = broker;
    this.logger = logger;
    this.ensureStore();
    health.register('shared store', () => this.opened!.health());
    this.warnUnknownOverrides();
  }

  async close(): Promise<void> {
    const opened = this.opened;
    this.opened = null;
    await opened?.close();
  }

  /** The client address for this request (trusted-proxy aware); set once as `req.$clientIp`. */
  clientIp(req: GatewayRequest): string {
    return clientIpOf(req, this.trustedProxies);
  }

  store(): SharedStore {
    return this.ensureStore().store;
  }

  /** For operators: the addresses banned now, on every node (the bans live in the shared store). */
  async listBans(): Promise<Array<{ ip: string; bannedUntil: string; retryAfterS: number; offences: number }>> {
    const now = this.clock.now();
    return (await this.bans.banned()).map((b) => ({ ip: b.ip, bannedUntil: new Date(b.until).toISOString(), retryAfterS: Math.ceil((b.until - now) / 1000), offences: b.offences }));
  }

  /** Ends a ban now (false when there was none); the other nodes must `forgetBan` it. */
  liftBan(ip: string): Promise<boolean> {
    // offences are kept as long as a ban would keep them (a day when the control is off)
    const ipLimit = this.config.gateway.ipLimit;
    return this.bans.lift(ip, ipLimit ? ipLimit.forgetAfter : 86_400);
  }

  /** A ban lifted on another node: drop what this node remembers of it. */
  forgetBan(ip: string): void {
    this.bans.forget(ip);
  }

  /** The gateway's HTTP server, with the header flood limits. */
  createServer(handler: http.RequestListener): http.Server {
    return createLimitedServer(handler, { maxHeaderBytes: this.config.gateway.maxHeaderBytes, maxHeaders: this.config.gateway.maxHeaders });
  }

  /** Broadcast handlers for the breakers of every node. */
  circuitEvents(): Record<string, (ctx: { params: CircuitEvent }) => void> {
    return {
      'operations.circuit.open': (ctx) => this.circuits.onEvent('open', ctx.params),
      'operations.circuit.half-open': (ctx) => this.circuits.onEvent('half-open', ctx.params),
      'operations.circuit.closed': (ctx) => this.circuits.onEvent('closed', ctx.params),
    };
  }

  /**
   * The route's authenticate method, run once per request: the pipeline
   * calls it before the body is read; moleculer-web's own call (before the
   * action) gets the same answer instead of checking the token again.
   */
  authenticateOnce<F extends (...args: never[]) => Promise<User>>(authenticate: F): Authenticate {
    return function authenticateOnce(this: unknown, ctx, route, req, res, alias) {
      const r = req as RoutedRequest;
      r.$authentication ??= (authenticate as unknown as Authenticate).call(this, ctx, route, req, res, alias);
      return r.$authentication;
    };
  }

  /**
   * moleculer-web's routeHandler, noting the alias it found (for an OPTIONS
   * preflight: the alias of the method the preflight names) so the policies
   * are those of the alias that would run, never looked up a second way.
   */
  routeHandler(original: RouteHandler): RouteHandler {
    return function routeHandlerNotingAlias(this: unknown, ctx, route, req, res, found) {
      (req as RoutedRequest).$routedAlias = found ? found.alias : null;
      return original.call(this, ctx, route, req, res, found);
    };
  }

  /**
   * The route with the policy pipeline in front: moleculer-web's own body
   * parsing is replaced by the pipeline's body phase, which comes after
   * every check that needs no body, the token check included.
   */
  route(def: PolicyRoute): PolicyRoute {
    const declaration: RoutePolicyDeclaration = def.policies ?? { group: def.name ?? def.path.replace(/^\//, '') };
    const keys = this.groups.get(declaration.group) ?? new Set<string>();
    for (const alias of Object.keys(def.aliases ?? {})) keys.add(normalizeRouteKey(alias));
    this.groups.set(declaration.group, keys);
    const parsers = wantedParsers(def.bodyParsers);
    const authenticated = Boolean(def.authentication);
    // compiled on first use, once per alias (and once for the route's requests that match none)
    const byAlias = new WeakMap<RoutedAlias, Pipeline>();
    let noAlias: Pipeline | null = null;
    const compile = (alias: RoutedAlias | null): Pipeline => {
      const key = alias ? routeKey(alias.method, alias.path) : null;
      const facts: RouteFacts = { group: declaration.group, key, action: alias?.action ?? null, authenticated, parsers, dependsOn: declaration.dependsOn ?? {} };
      return buildPipeline(this.policies, effectivePolicies(this.config.gateway, declaration, facts, this.policies), this.deps(), facts);
    };
    const pipelineFor = (alias: RoutedAlias | null): Pipeline => {
      if (!alias) return (noAlias ??= compile(null));
      let p = byAlias.get(alias);
      if (!p) byAlias.set(alias, (p = compile(alias)));
      return p;
    };
    const self = this;
    const gate: Connect = function gatewayPolicies(this: AliasResolver, req, res, next) {
      const r = req as RoutedRequest;
      if (r.$routedAlias === undefined) return next(new Error('GatewayPolicies.routeHandler is not installed: the policies cannot tell which alias will run'));
      const alias = r.$routedAlias;
      const route = r.$route;
      const authenticate = route?.authentication ? { fn: route.authentication, self: this, route } : null;
      const call = { req, res, clientIp: clientIpOf(req, self.trustedProxies), alias, user: null, refusal: null };
      runPipeline(pipelineFor(alias), call, this, authenticate, next);
    };
    return { ...def, bodyParsers: false, use: [...(def.use ?? []), gate], policies: declaration };
  }

  private deps(): PolicyDeps {
    this.policyDeps ??= {
      config: this.config.gateway,
      store: () => this.store(),
      clock: this.clock,
      bans: this.bans,
      circuits: this.circuits,
      trustedProxies: this.trustedProxies,
      onBan: (event, req) => this.audit(event, req),
    };
    return this.policyDeps;
  }

  /** Each ban: one warning line and an `audit.event` (recorded by the audit service). */
  private audit(event: BanEvent, req?: GatewayRequest): void {
    this.logger?.warn(
      `req=${req?.$requestId ?? '-'} client ${event.ip} banned for ${event.banSeconds} s: ${event.count} requests in ${event.window} s (threshold ${event.threshold}, offence ${event.offences})`,
    );
    const payload = {
      actor: 'anonymous',
      action: 'gateway.ip.banned',
      outcome: 'denied',
      target: req ? pathOf(req) : null,
      sourceIp: event.ip,
      requestId: req?.$requestId ?? null,
      nodeId: this.config.nodeId,
      details: { banSeconds: event.banSeconds, offences: event.offences, count: event.count, threshold: event.threshold, window: event.window, scope: event.scope },
    };
    const emitter = (req?.$ctx as { emit?: (name: string, payload: unknown) => unknown } | undefined) ?? this.broker;
    Promise.resolve(emitter?.emit?.('audit.event', payload)).catch(() => undefined);
  }

  private ensureStore(): OpenedSharedStore {
    if (!this.opened) {
      const cfg = this.config.gateway.store;
      this.opened =
        this.options.openStore?.() ??
        openSharedStore({
          natsUrl: cfg.natsUrl,
          namespace: this.config.namespace,
          connectionName: `gridbus:${this.config.nodeId}:shared-store`,
          timeoutMs: cfg.timeoutMs,
          syncMs: cfg.syncMs,
          clock: this.options.clock,
          log: { info: (m) => this.logger?.info(m), warn: (m) => this.logger?.warn(m) },
        });
    }
    return this.opened;
  }

  private nodesServing(operation: string): string[] | null {
    const registry = (this.broker as unknown as { registry?: { getActionEndpoints?(name: string): { endpoints: Array<{ isAvailable: boolean; node: { id: string } }> } | undefined } } | null)?.registry;
    const list = registry?.getActionEndpoints?.(operation);
    if (!list) return null;
    return list.endpoints.filter((e) => e.isAvailable).map((e) => e.node.id);
  }

  /** A GATEWAY_POLICIES entry naming a group or route that does not exist is most likely a typo: say so. */
  private warnUnknownOverrides(): void {
    for (const [group, overrides] of Object.entries(this.config.gateway.policies)) {
      const keys = this.groups.get(group);
      if (!keys) {
        this.logger?.warn(`GATEWAY_POLICIES names route group '${group}', which no route has (groups: ${[...this.groups.keys()].join(', ')})`);
        continue;
      }
      for (const route of Object.keys(overrides.routes ?? {})) {
        if (!keys.has(normalizeRouteKey(route))) this.logger?.warn(`GATEWAY_POLICIES.${group}.routes names '${route}', which is not a route of that group (${[...keys].join(', ')})`);
      }
    }
  }
}
