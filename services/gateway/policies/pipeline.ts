import { httpErrorView } from '../error-response';
import { GatewayRequest, GatewayResponse } from '../types';
import { hasBody } from './body-parsing';
import { ANSWERED, GatewayPolicy, Handler, PolicyCall, PolicyDeps, PolicyPhase, RouteFacts, RoutedAlias, Verdict } from './contract';
import { EffectivePolicies } from './options';
import { Refusal, refusal, sendRefusal } from './refusal';

type Next = (err?: unknown) => void;
/** The route's authenticate method (moleculer-web `authentication`), called as moleculer-web calls it. */
export type Authenticate = (ctx: unknown, route: unknown, req: GatewayRequest, res: GatewayResponse, alias: RoutedAlias | null) => Promise<{ id: string } | null | undefined>;
/** What the pipeline needs of moleculer-web's service: OPTIONS answers name the methods of a path. */
export interface AliasResolver {
  resolveAlias(url: string, method: string): { alias: RoutedAlias } | false;
}

/** One alias's handlers, phase by phase, in priority order. */
export type Pipeline = Record<PolicyPhase, Handler[]>;

/** Compiles the policies in force for one alias into its pipeline. */
export function buildPipeline(policies: readonly GatewayPolicy[], effective: EffectivePolicies, deps: PolicyDeps, route: RouteFacts): Pipeline {
  const pipeline: Pipeline = { connection: [], caller: [], body: [], refused: [] };
  const sorted = [...policies].sort((a, b) => b.priority - a.priority);
  for (const policy of sorted) {
    const inForce = effective[policy.name];
    if (!inForce) continue;
    const handlers = policy.create(inForce.options, deps, { ...route, scope: inForce.scope });
    if (!handlers) continue;
    for (const phase of Object.keys(pipeline) as PolicyPhase[]) {
      const handler = handlers[phase];
      if (handler) pipeline[phase].push(handler);
    }
  }
  return pipeline;
}

const isPromise = (v: unknown): v is Promise<Verdict> => typeof (v as Promise<unknown> | null)?.then === 'function';

/** Runs `handlers` from `i` on: synchronously while they answer synchronously (no promise per request). */
function runPhase(handlers: Handler[], call: PolicyCall, done: (v: Verdict) => void, fail: Next, i = 0): void {
  for (; i < handlers.length; i++) {
    let v: Verdict | Promise<Verdict>;
    try {
      v = handlers[i](call);
    } catch (err) {
      return fail(err);
    }
    if (isPromise(v)) {
      const from = i + 1;
      v.then((r) => (r ? done(r) : runPhase(handlers, call, done, fail, from)), fail);
      return;
    }
    if (v) return done(v);
  }
  done(null);
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * One request through its alias's pipeline (a route middleware, where
 * moleculer-web's body parsing used to be): connection → authentication →
 * caller → body → on to moleculer-web, which calls the action. A refusal
 * before the body goes through `refused`, then is answered at once, with
 * `Connection: close` when a body was announced (it is never read).
 */
export function runPipeline(
  p: Pipeline,
  call: PolicyCall,
  web: AliasResolver,
  authenticate: { fn: Authenticate; self: unknown; route: unknown } | null,
  next: Next,
): void {
  const { req, res } = call;
  const send = (r: Refusal) => {
    if (hasBody(req)) res.setHeader('Connection', 'close');
    sendRefusal(req, res, r);
  };
  /** A refusal before the body: `refused` may replace it (an IP ban); `error`, when given, is what is answered otherwise. */
  const refuse = (r: Refusal, error?: unknown) => {
    call.refusal = r;
    runPhase(
      p.refused,
      call,
      (replaced) => {
        if (replaced && replaced !== ANSWERED) return send(replaced);
        if (error === undefined) return send(r);
        if (hasBody(req)) res.setHeader('Connection', 'close');
        next(error);
      },
      next,
    );
  };
  const body = () => runPhase(p.body, call, (v) => (v === ANSWERED ? undefined : v ? sendRefusal(req, res, v) : next()), next);
  const caller = () => runPhase(p.caller, call, (v) => (v === ANSWERED ? undefined : v ? refuse(v) : body()), next);
  const refuseError = (err: unknown) => {
    const view = httpErrorView(err);
    refuse(refusal(view.code, view.message, { status: view.status }), err);
  };
  const authenticated = () => {
    if (!authenticate) return caller();
    let pending: Promise<{ id: string } | null | undefined>;
    try {
      pending = authenticate.fn.call(authenticate.self, req.$ctx, authenticate.route, req, res, call.alias);
    } catch (err) {
      return refuseError(err);
    }
    Promise.resolve(pending).then((user) => {
      call.user = user ?? null;
      caller();
    }, refuseError);
  };
  runPhase(
    p.connection,
    call,
    (v) => {
      if (v === ANSWERED) return;
      if (v) return refuse(v);
      // OPTIONS never runs an action (moleculer-web would run the alias of the method a preflight names)
      if (req.method === 'OPTIONS') return answerOptions(call, web, refuse);
      authenticated();
    },
    next,
  );
}

/** The answer to an OPTIONS no policy answered: a preflight is refused, any other OPTIONS is told the path's methods. */
function answerOptions(call: PolicyCall, web: AliasResolver, refuse: (r: Refusal) => void): void {
  const { req, res } = call;
  if (req.headers['access-control-request-method'] !== undefined) {
    refuse(refusal('FORBIDDEN', 'Cross-origin requests from this origin are not allowed', { details: { reason: 'CORS origin not allowed' } }));
    return;
  }
  const url = (req as { parsedUrl?: string }).parsedUrl ?? '';
  const allowed = METHODS.filter((m) => web.resolveAlias(url, m));
  res.statusCode = 204;
  res.setHeader('Allow', ['OPTIONS', ...allowed].join(', '));
  res.setHeader('Content-Length', '0');
  res.end();
}
