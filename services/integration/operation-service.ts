import { Context, ServiceSchema } from 'moleculer';
import { requireDep, ServiceDeps } from '../service-deps';

/**
 * A back-office system as a Moleculer service: one action per canonical
 * operation its mappings define (`marketing.queryArrears`, ...). The actions
 * are generic; what they do is entirely in mappings/operations.
 */
export function createOperationService(system: string, deps: ServiceDeps): ServiceSchema {
  const runner = requireDep(deps.operations, 'the operation runner', system);
  const names = runner.names().filter((n) => n.startsWith(`${system}.`));
  const actions: ServiceSchema['actions'] = {};
  for (const fullName of names) {
    const action = fullName.slice(system.length + 1);
    actions[action] = {
      // called by the domain services (billing, binding...), never routed: their params are the mapping's, not a schema
      visibility: 'public',
      async handler(this: { logger: { warn: (m: string) => void; info: (m: string) => void } }, ctx: Context) {
        return runner.run(fullName, ctx.params, {
          requestId: ctx.requestID ?? undefined,
          log: (level, message) => this.logger[level](`req=${ctx.requestID} ${message}`),
        });
      },
    };
  }
  return { name: system, actions };
}
