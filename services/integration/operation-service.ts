import { Context, Service, ServiceBroker, ServiceSchema } from 'moleculer';
import { callDeadline, OperationRunner } from '../../core/operations';
import { requireDep, ServiceDeps } from '../service-deps';

type Logger = { warn: (m: string) => void; info: (m: string) => void; error: (m: string) => void };

/** One generic action: what it does is entirely in the operation's mapping. */
function operationAction(runner: OperationRunner, fullName: string): NonNullable<ServiceSchema['actions']>[string] {
  return {
    // called by the domain services (billing, binding...), never routed: their params are the mapping's, not a schema
    visibility: 'public',
    async handler(this: { logger: Logger }, ctx: Context) {
      return runner.run(fullName, ctx.params, {
        requestId: ctx.requestID ?? undefined,
        // the time the caller waits, so a hung back end answers BACKEND_TIMEOUT before the caller's own timeout
        deadline: callDeadline(ctx as never),
        log: (level, message) => this.logger[level](`req=${ctx.requestID} ${message}`),
      });
    },
  };
}

/**
 * Operations a release added after the node started live in an extra service
 * whose actions keep their full names (`$noServiceNamePrefix`). A new set
 * gets a new service, created before the old one goes: an operation in both
 * stays callable throughout (Moleculer cannot add actions to a running
 * service, and destroying then creating `marketing` would leave a gap).
 */
class AddedOperations {
  private current: { names: string; service: Service | null } = { names: '', service: null };
  private generation = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly broker: ServiceBroker,
    private readonly runner: OperationRunner,
    private readonly system: string,
    private readonly atStart: ReadonlySet<string>,
    private readonly logger: Logger,
  ) {}

  /** Brings the extra service in line with the active release; calls run one after another. */
  sync(): Promise<void> {
    this.queue = this.queue.then(() => this.apply()).catch((err: Error) => this.logger.error(`operations of '${this.system}' not updated: ${err.message}`));
    return this.queue;
  }

  async stop(): Promise<void> {
    await this.queue;
    const old = this.current.service;
    this.current = { names: '', service: null };
    // a stopping broker stops every service itself
    if (old && !(this.broker as unknown as { stopping?: boolean }).stopping) await this.broker.destroyService(old);
  }

  private async apply(): Promise<void> {
    const added = this.runner.names().filter((n) => n.startsWith(`${this.system}.`) && !this.atStart.has(n)).sort();
    const key = added.join(',');
    if (key === this.current.names) return;
    const old = this.current.service;
    let service: Service | null = null;
    if (added.length) {
      const actions: ServiceSchema['actions'] = {};
      for (const fullName of added) actions[fullName] = operationAction(this.runner, fullName);
      service = this.broker.createService({ name: `${this.system}-operations-${++this.generation}`, settings: { $noServiceNamePrefix: true }, actions });
      await this.broker.waitForServices([service.name], 10000);
      this.logger.info(`operations of '${this.system}' added by the active release are callable: ${added.join(', ')}`);
    }
    this.current = { names: key, service };
    if (old) await this.broker.destroyService(old);
  }
}

/**
 * A back-office system as a Moleculer service: one action per canonical
 * operation its mappings define (`marketing.queryArrears`, ...). The actions
 * are generic; what they do is entirely in mappings/operations. Operations a
 * published release adds become callable on every node without a restart.
 */
export function createOperationService(system: string, deps: ServiceDeps): ServiceSchema {
  const runner = requireDep(deps.operations, 'the operation runner', system);
  const atStart = new Set(runner.names().filter((n) => n.startsWith(`${system}.`)));
  const actions: ServiceSchema['actions'] = {};
  for (const fullName of atStart) actions[fullName.slice(system.length + 1)] = operationAction(runner, fullName);
  let added: AddedOperations | null = null;
  let stopListening: (() => void) | null = null;
  const requestTimeoutMs = deps.config.requestTimeoutMs;

  return {
    name: system,
    actions,
    async started(this: Service) {
      const logger = this.logger as unknown as Logger;
      const warnBudgets = () => {
        for (const w of runner.budgetWarnings(requestTimeoutMs)) if (w.startsWith(`${system}.`)) logger.warn(w);
      };
      warnBudgets();
      added = new AddedOperations(this.broker, runner, system, atStart, logger);
      const extra = added;
      stopListening = runner.onOperationsChange(() => {
        warnBudgets();
        void extra.sync();
      });
      // a release may have been activated between this service's creation and its start
      void extra.sync();
    },
    async stopped() {
      stopListening?.();
      await added?.stop();
    },
  };
}
