import { Context, Middleware, ServiceSchema } from 'moleculer';
import { GridbusError } from '../errors';
import { unsafeParamProblems } from './unsafe-params';

type ActionDef = { visibility?: unknown; params?: Record<string, unknown>; handler?: unknown; [option: string]: unknown };
type Handler = (ctx: Context) => Promise<unknown>;

/**
 * An action the gateway may route to: Moleculer's visibility `published`
 * (its default). Actions only services call are `public`; Moleculer's own
 * `$node.*` are never routed.
 */
export function isRoutable(serviceName: string, visibility: unknown): boolean {
  return !serviceName.startsWith('$') && (visibility === undefined || visibility === null || visibility === 'published');
}

/** The action definitions of a schema, routable ones with `$$strict: true` (a new object: mixins' definitions are shared). */
function strictActions(schema: ServiceSchema): ServiceSchema['actions'] {
  const actions: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(schema.actions ?? {})) {
    const def: ActionDef | null = typeof raw === 'function' ? { handler: raw } : raw && typeof raw === 'object' ? (raw as ActionDef) : null;
    // an action that reads the request body as a stream (a `stream:` alias, `stream: true`) has no fields to check
    if (!def || !isRoutable(schema.name, def.visibility) || isStreamAction(def)) {
      actions[name] = raw;
      continue;
    }
    const params = def.params ?? {};
    if (params.$$root) throw new Error(`${schema.name}.${name} is routable (visibility 'published'): its params must be an object schema, not $$root`);
    if (params.$$strict !== undefined && params.$$strict !== true) {
      throw new Error(`${schema.name}.${name} is routable (visibility 'published') and must refuse unknown fields, but its params say $$strict: ${String(params.$$strict)}; make it visibility 'public' if only services call it`);
    }
    actions[name] = { ...def, params: { ...params, $$strict: true } };
  }
  return actions as ServiceSchema['actions'];
}

/** `stream: true` on an action without params: its ctx.params is the request body as a stream (services/power createReport). */
const isStreamAction = (def: { stream?: unknown; params?: unknown }) => def.stream === true && def.params === undefined;

function guarded(next: Handler): Handler {
  return function paramsWithoutPollution(ctx: Context) {
    const problems = unsafeParamProblems(ctx.params);
    if (problems.length) return Promise.reject(new GridbusError('VALIDATION_FAILED', 'Request parameters are invalid', { details: { problems } }));
    return next(ctx);
  };
}

/**
 * Every routable action refuses what its schema does not name (422
 * VALIDATION_FAILED), also one whose author forgot `$$strict` or declared no
 * params at all, and refuses prototype keys and NUL characters at any depth
 * (unsafe-params.ts). The schemas are made strict when a service is created,
 * before the Validator compiles them; the check runs before the Validator,
 * on the calling node too (`remoteAction`): a prototype set by `__proto__`
 * does not survive the transporter's JSON, so the receiving node could not
 * see it.
 */
export function strictParamsMiddleware(): Middleware {
  return {
    name: 'StrictParams',
    serviceCreating(_service: unknown, schema: ServiceSchema) {
      if (schema.actions) schema.actions = strictActions(schema);
    },
    localAction(next: Handler, action: { name: string; visibility?: unknown; stream?: unknown; service?: { name: string } }) {
      return isRoutable(action.service?.name ?? action.name, action.visibility) && !isStreamAction(action) ? guarded(next) : next;
    },
    remoteAction(next: Handler, action: { name: string; visibility?: unknown; stream?: unknown }) {
      return isRoutable(action.name, action.visibility) && !isStreamAction(action) ? guarded(next) : next;
    },
  } as unknown as Middleware;
}
