import type { GatewayPolicyConfig } from '../../../config/gateway';
import type { Clock } from '../../../core/resilience/clock';
import type { SharedStore } from '../../../core/shared-store';
import type { GatewayRequest, GatewayResponse } from '../types';
import type { CircuitGate } from './circuit-gate';
import type { CidrSet } from './ip-address';
import type { BanBook, BanEvent } from './ip-limit';
import type { Refusal } from './refusal';

/**
 * The one contract every gateway policy follows (Kong's plugin handlers:
 * a PRIORITY and one handler per phase; Moleculer's middlewares: hooks
 * looked up by name). A policy is one file; the gateway sorts the policies
 * of catalog.ts by priority and runs, for every request, the handlers of
 * each phase in this order:
 *
 *   connection  the client address and the alias that will run are known; nothing read yet
 *   (the route's own authentication, on routes that have one: the token is checked before the body)
 *   caller      the caller is known (the user, or null on anonymous routes); the body is not read yet
 *   body        reads and checks the body; the route's real body limit applies only here
 *   refused     a request refused before its body (by a policy or by authentication), before the answer goes
 *
 * OPTIONS never gets past `connection`: it is answered there (CORS) and never runs an action.
 */
export type PolicyPhase = 'connection' | 'caller' | 'body' | 'refused';
export const PHASES: readonly PolicyPhase[] = ['connection', 'caller', 'body', 'refused'];

/** A handler that wrote the answer itself (a CORS preflight) returns this: nothing runs after it. */
export const ANSWERED = Symbol('answered');

/** Go on (null / undefined), refuse (a Refusal, answered in the bus's error body), or ANSWERED. */
export type Verdict = Refusal | typeof ANSWERED | null | undefined | void;

/** Answer synchronously when you can: the gateway makes no promise per request for a synchronous answer. */
export type Handler = (call: PolicyCall) => Verdict | Promise<Verdict>;
export type PolicyHandlers = Partial<Record<PolicyPhase, Handler>>;

/** moleculer-web's alias, as the route resolved it (for OPTIONS: the alias of the method the preflight asks for). */
export interface RoutedAlias {
  method: string;
  path: string;
  action: string | null;
}

/** One request as the policies see it. */
export interface PolicyCall {
  req: GatewayRequest;
  res: GatewayResponse;
  /** After trusted-proxy resolution. */
  clientIp: string;
  /** The alias that will run; null when the path matched the route but no alias. */
  alias: RoutedAlias | null;
  /** From `caller` on: the authenticated user, or null (anonymous route). */
  user: { id: string } | null;
  /** In `refused`: the refusal about to be answered. */
  refusal: Refusal | null;
}

/** What a policy knows of the route it is created for. */
export interface RouteFacts {
  /** The policy group (GATEWAY_POLICIES key). */
  group: string;
  /** `METHOD path` of the alias; null for the route's requests that match no alias. */
  key: string | null;
  /** The alias's action, when it calls one. */
  action: string | null;
  /** The route checks a token (moleculer-web `authentication`). */
  authenticated: boolean;
  /** Body parsers the route asked for (`bodyParsers`), with their options. */
  parsers: Array<['json' | 'urlencoded', Record<string, unknown>]>;
  /** Action → the canonical operations it calls (route file `dependsOn`). */
  dependsOn: Record<string, string[]>;
}

/** Shared by every policy of a gateway node. */
export interface PolicyDeps {
  config: GatewayPolicyConfig;
  store(): SharedStore;
  clock: Clock;
  bans: BanBook;
  circuits: CircuitGate;
  trustedProxies: CidrSet;
  /** Logs and audits a ban this request caused. */
  onBan(event: BanEvent, req: GatewayRequest): void;
}

/**
 * One policy. Its options come, level by level, from `defaults` → the route
 * file's group declaration → GATEWAY_POLICIES[group] → the route file's
 * entry for the alias → GATEWAY_POLICIES[group].routes[alias]; `false` at a
 * level switches it off (when `switchable`), options at a later level
 * switch it on again.
 */
export interface GatewayPolicy<O extends object = object> {
  /** The key in GATEWAY_POLICIES and in a route file's `policies`. */
  name: string;
  /** Higher runs first within a phase (Kong's PRIORITY). */
  priority: number;
  /** The phases it has handlers for (documentation and the order table in docs/security.md). */
  phases: readonly PolicyPhase[];
  /** JSON schema (ajv) of the options one level may set; null: not settable in GATEWAY_POLICIES. */
  optionsSchema: object | null;
  /** `false` accepted to switch it off. */
  switchable: boolean;
  /** Options before any level (from the GATEWAY_* keys); null = off until a level sets it. */
  defaults(config: GatewayPolicyConfig, route: RouteFacts): O | null;
  /** One level over what is inherited; default: option by option. */
  merge?(inherited: O | null, level: Partial<O>, config: GatewayPolicyConfig): O;
  /**
   * The handlers for one route (compiled once per alias). `scope` names the
   * level the options were last set at (`gateway`, a group, `group:METHOD path`),
   * for counters that must not be shared across scopes. Null: nothing to do.
   */
  create(options: O, deps: PolicyDeps, route: RouteFacts & { scope: string }): PolicyHandlers | null;
}

/** Keeps the options' type when a policy is declared. */
export function definePolicy<O extends object>(policy: GatewayPolicy<O>): GatewayPolicy<O> {
  return policy;
}
