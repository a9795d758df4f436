import type * as http from 'http';
import type { ServiceBroker } from 'moleculer';
import ApiGateway from 'moleculer-web';
import { GridbusConfig } from '../../../config';
import { HealthRegistry } from '../../../core/health';
import { Clock, realClock } from '../../../core/resilience/clock';
import { OpenedSharedStore, SharedStore, openSharedStore } from '../../../core/shared-store';
import { GatewayRequest, GatewayResponse, pathOf } from '../types';
import { CircuitEvent, CircuitGate } from './circuit-gate';
import { clientIpOf } from './client-ip';
import { createLimitedServer } from './header-limits';
import { CidrSet } from './ip-address';
import { BanBook, BanEvent, IpLimit, createIpLimit } from './ip-limit';
import { IpRestriction, createIpRestriction } from './ip-restriction';
import { EffectivePolicies, RoutePolicyDeclaration, effectivePolicies, normalizeRouteKey, routeKey } from './options';
import { createRateLimiting, RateLimiting } from './rate-limiting';
import { refusalError, sendRefusal } from './refusal';
import { checkContentType, checkHeaderCount, checkJsonDepth, checkPathAndQuery } from './request-hygiene';

export { RoutePolicyDeclaration } from './options';
export { translateFrameworkError } from './framework-errors';
export { CircuitEvent } from './circuit-gate';

type Next = (err?: unknown) => void;
type Connect = (req: GatewayRequest, res: GatewayResponse, next: Next) => void;
type User = { id: string } | null | undefined;
/** The parts of moleculer-web's service and Route the policies use. */
type WebService = { resolveAlias(url: string, method: string): { alias: Alias } | false };
type Alias = { method: string; path: string; action: string | null };
type WebRoute = { authentication?: unknown };
type Logger = { info(m: string): void; warn(m: string): void };

/** A route definition as routes/*.route.ts return it (moleculer-web options + `policies`). */
export interface PolicyRoute {
  path: string;
  name?: string;
  bodyParsers?: boolean | { json?: boolean | Record<string, unknown>; urlencoded?: boolean | Record<string, unknown> };
  use?: unknown[];
  onBeforeCall?: (...args: never[]) => unknown;
  aliases?: Record<string, unknown>;
  policies?: RoutePolicyDeclaration;
  [option: string]: unknown;
}

/** One route's policies, compiled once per alias. */
interface Compiled {
  effective: EffectivePolicies;
  ipRestriction: IpRestriction | null;
  ipLimit: IpLimit | null;
  rateLimiting: RateLimiting | null;
  bodyParser: Connect | null;
  dependsOn: Record<string, string[]>;
}

type ParserKind = 'json' | 'urlencoded';
/** body-parser, as moleculer-web exports it (the parsers its `bodyParsers` option would build). */
const bodyParsers = (ApiGateway as unknown as { bodyParser: Record<ParserKind, (options: Record<string, unknown>) => Connect> }).bodyParser;
const MEDIA_TYPES: Record<ParserKind, string> = { json: 'application/json', urlencoded: 'application/x-www-form-urlencoded' };

/** The parsers a route's `bodyParsers` asks for, as moleculer-web reads it (none given = JSON). */
function wantedParsers(option: PolicyRoute['bodyParsers']): Array<[ParserKind, Record<string, unknown>]> {
  if (option === false) return [];
  if (option === undefined || option === true) return [['json', {}]];
  return (['json', 'urlencoded'] as const)
    .filter((kind) => option[kind] !== undefined && option[kind] !== false)
    .map((kind) => [kind, typeof option[kind] === 'object' ? (option[kind] as Record<string, unknown>) : {}]);
}

/** Runs parsers one after the other, as connect would. */
function chain(parsers: Connect[]): Connect | null {
  if (!parsers.length) return null;
  return (req, res, done) => {
    const step = (i: number, err?: unknown): void => (err || i === parsers.length ? done(err) : parsers[i](req, res, (e) => step(i + 1, e)));
    step(0);
  };
}

/**
 * The gateway's security policies, composed: each route group gets, in
 * order, client IP resolution → ip-restriction → IP high-frequency control
 * → request hygiene (headers, path, content type) → body parsing → JSON
 * depth, all before authentication; then rate limiting and the circuit gate
 * after it (they need the user and the action). See docs/security.md.
 */
export class GatewayPolicies {
  readonly trustedProxies: CidrSet;
  readonly circuits: CircuitGate;
  private readonly bans: BanBook;
  private readonly clock: Clock;
  private opened: OpenedSharedStore | null = null;
  private broker: ServiceBroker | null = null;
  private logger: Logger | null = null;
  private readonly compiled = new WeakMap<GatewayRequest, Compiled>();
  /** group → the route keys of its aliases, to check GATEWAY_POLICIES names against. */
  private readonly groups = new Map<string, Set<string>>();

  constructor(
    private readonly config: GridbusConfig,
    private readonly options: { clock?: Clock; openStore?: () => OpenedSharedStore } = {},
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

  /** Wraps `authenticate` so rate limits and the circuit gate run once the user is known. */
  afterAuthentication<F extends (this: unknown, ...args: never[]) => Promise<User>>(authenticate: F) {
    const self = this;
    return async function authenticateThenLimit(this: unknown, ctx: unknown, route: unknown, req: GatewayRequest, res: GatewayResponse, alias: Alias) {
      const user = await (authenticate as unknown as (...a: unknown[]) => Promise<User>).call(this, ctx, route, req, res, alias);
      await self.afterAuth(req, res, alias, user ?? null);
      return user;
    };
  }

  /**
   * The route with its policies in front: moleculer-web's own body parsing is
   * replaced by ours, placed after the checks that need no body (a banned or
   * refused client is answered before its body is read).
   */
  route(def: PolicyRoute): PolicyRoute {
    const declaration: RoutePolicyDeclaration = def.policies ?? { group: def.name ?? def.path.replace(/^\//, '') };
    const keys = this.groups.get(declaration.group) ?? new Set<string>();
    for (const alias of Object.keys(def.aliases ?? {})) keys.add(normalizeRouteKey(alias));
    this.groups.set(declaration.group, keys);
    const parsers = wantedParsers(def.bodyParsers);
    const defaultLimit = parsers.length ? String(parsers[0][1].limit ?? '100kb') : null;
    const byKey = new Map<string, Compiled>();
    const compile = (key: string | null): Compiled => {
      const k = key ?? '';
      let c = byKey.get(k);
      if (!c) {
        c = this.compile(declaration, key, defaultLimit, parsers);
        byKey.set(k, c);
      }
      return c;
    };
    const self = this;
    const gate: Connect = function gatewayPolicies(this: WebService, req, res, next) {
      const found = this.resolveAlias((req as { parsedUrl?: string }).parsedUrl ?? pathOf(req), req.method ?? 'GET');
      const c = compile(found ? routeKey(found.alias.method, found.alias.path) : null);
      self.compiled.set(req, c);
      self.beforeBody(c, req, res, next).catch(next);
    };
    const onBeforeCall = async function policiesBeforeCall(this: unknown, ctx: unknown, route: WebRoute, req: GatewayRequest, res: GatewayResponse, alias: Alias) {
      if (def.onBeforeCall) await (def.onBeforeCall as (...a: unknown[]) => unknown).call(this, ctx, route, req, res, alias);
      // authenticated routes run these once the user is known (afterAuthentication)
      if (!route.authentication) await self.afterAuth(req, res, alias, null);
    };
    return { ...def, bodyParsers: false, use: [...(def.use ?? []), gate], onBeforeCall, policies: declaration };
  }

  private async beforeBody(c: Compiled, req: GatewayRequest, res: GatewayResponse, next: Next): Promise<void> {
    const ip = clientIpOf(req, this.trustedProxies);
    let refused = c.ipRestriction?.(ip) ?? null;
    // a trusted proxy's own address is infrastructure: counting it would ban every client behind it
    if (!refused && c.ipLimit && !this.trustedProxies.has(ip)) {
      const limited = c.ipLimit(ip, (ban) => this.audit(ban, req));
      refused = limited instanceof Promise ? await limited : limited;
    }
    refused ??= checkHeaderCount(req, this.config.gateway.maxHeaders) ?? checkPathAndQuery(req) ?? checkContentType(req, c.effective.hygiene.allowedContentTypes);
    if (refused) return sendRefusal(req, res, refused);
    if (!c.bodyParser) return next();
    c.bodyParser(req, res, (err) => {
      if (err) return next(err);
      const tooDeep = checkJsonDepth((req as { body?: unknown }).body, c.effective.hygiene.maxJsonDepth);
      if (tooDeep) return sendRefusal(req, res, tooDeep);
      next();
    });
  }

  private async afterAuth(req: GatewayRequest, res: GatewayResponse, alias: Alias | undefined, user: User): Promise<void> {
    const c = this.compiled.get(req);
    if (!c) return;
    if (c.rateLimiting) {
      const limited = c.rateLimiting({ userId: user?.id ?? null, clientIp: clientIpOf(req, this.trustedProxies) }, res);
      const refused = limited instanceof Promise ? await limited : limited;
      if (refused) throw refusalError(refused);
    }
    const operations = alias?.action ? c.dependsOn[alias.action] : undefined;
    if (operations) {
      const refused = this.circuits.check(operations);
      if (refused) throw refusalError(refused);
    }
  }

  private compile(declaration: RoutePolicyDeclaration, key: string | null, defaultLimit: string | null, parsers: Array<[ParserKind, Record<string, unknown>]>): Compiled {
    const mediaTypes = parsers.length ? parsers.map(([kind]) => MEDIA_TYPES[kind]) : ['application/json'];
    const effective = effectivePolicies(this.config.gateway, declaration, key, defaultLimit, mediaTypes);
    const deps = { store: () => this.store(), clock: this.clock };
    return {
      effective,
      ipRestriction: effective.ipRestriction ? createIpRestriction(effective.ipRestriction) : null,
      ipLimit: effective.ipLimit ? createIpLimit(effective.ipLimit.options, effective.ipLimit.scope, { ...deps, bans: this.bans }) : null,
      rateLimiting: effective.rateLimiting ? createRateLimiting(effective.rateLimiting.options, effective.rateLimiting.scope, deps) : null,
      bodyParser: chain(parsers.map(([kind, options]) => bodyParsers[kind]({ ...options, limit: effective.hygiene.bodyLimit ?? options.limit }))),
      dependsOn: declaration.dependsOn ?? {},
    };
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
