import { Context, ServiceSchema } from 'moleculer';
import { PiiCipher } from '../../core/crypto';
import { GridbusError } from '../../core/errors';
import { OutboxStore } from '../../core/outbox';
import { PAYMENT_OUTBOX_HOOKS } from '../../core/payments/outbox-hooks';
import { POWER_OUTBOX_HOOKS } from '../../core/power/outbox-hooks';
import { requireDep, ServiceDeps } from '../service-deps';
import { DeliveryWorker } from './delivery-worker';
import { OperationFacts } from './operation-facts';
import { countOutcome, registerOutboxMetrics, setBacklog } from './outbox-metrics';

type Meta = { user?: { id: string } | null; clientIp?: string | null };

const ROW_ID = { type: 'string', pattern: /^[1-9][0-9]{0,18}$/, messages: { stringPattern: 'an outbox row id is a positive integer' } };
/** How often the backlog gauges and the health answer are refreshed. */
const GAUGE_REFRESH_MS = 5000;

/**
 * The closed-loop outbox (docs/operations.md "Outbox"): a worker on every node
 * that runs this service delivers the rows other services wrote in their own
 * transactions (binding: marketing.updateArchive), and operators see and
 * steer the backlog through the admin API (`gridbus outbox ...`).
 */
export function createOutboxService(deps: ServiceDeps): ServiceSchema {
  const ds = requireDep(deps.dataSource, 'the database', 'outbox');
  const keys = requireDep(deps.pii ?? null, 'the PII keys (PII_ENC_KEY, PII_HASH_KEY)', 'outbox');
  const { config } = deps;
  // what else changes with a row's fate, in the row's own transaction (a payment order follows its write-off)
  const store = new OutboxStore(ds, [...PAYMENT_OUTBOX_HOOKS, ...POWER_OUTBOX_HOOKS]);
  let worker: DeliveryWorker | null = null;
  let gaugeTimer: NodeJS.Timeout | null = null;
  const knownSeries = new Set<string>();

  const audit = (ctx: Context<unknown, Meta>, action: string, outcome: 'success' | 'failure', target: string | null, details: Record<string, unknown>) =>
    ctx.emit('audit.event', { actor: ctx.meta.user?.id ?? 'unknown', action, outcome, target, sourceIp: ctx.meta.clientIp ?? null, requestId: ctx.requestID, nodeId: config.nodeId, details });

  deps.health.register('outbox', async () => {
    const ageS = await store.oldestAgeS();
    const limit = config.outbox.degradedAgeS;
    return ageS > limit
      ? { status: 'degraded', detail: `oldest undelivered row is ${ageS} s old (OUTBOX_DEGRADED_AGE_S ${limit})` }
      : { status: 'up', detail: ageS ? `oldest undelivered row ${ageS} s old` : 'nothing waiting' };
  });

  return {
    name: 'outbox',
    actions: {
      /** GET /admin/api/outbox/backlog: rows not delivered, by operation and status, with the oldest age. */
      backlog: {
        params: { $$strict: true },
        async handler() {
          const rows = await store.backlog();
          return { operations: rows, oldestAgeS: await store.oldestAgeS(), degradedAgeS: config.outbox.degradedAgeS };
        },
      },
      /** GET /admin/api/outbox/dead: dead letters (and rows of unknown outcome), oldest first. */
      dead: {
        params: { limit: { type: 'number', integer: true, min: 1, max: 1000, optional: true, convert: true }, $$strict: true },
        async handler(ctx: Context<{ limit?: number }>) {
          const limit = ctx.params.limit ?? 100;
          return { dead: await store.list('dead', limit), unknown: await store.list('unknown', limit) };
        },
      },
      /** POST /admin/api/outbox/replay: dead or unknown rows back to pending (attempts reset). */
      replay: {
        params: { ids: { type: 'array', items: ROW_ID, min: 1, max: 1000 }, $$strict: true },
        async handler(ctx: Context<{ ids: string[] }, Meta>) {
          const replayed = await store.replay(ctx.params.ids);
          const skipped = ctx.params.ids.filter((id) => !replayed.includes(id));
          audit(ctx, 'outbox.replay', 'success', replayed.join(',') || null, { replayed, skipped });
          return { replayed, skipped };
        },
      },
      /** POST /admin/api/outbox/:id/discard: gives up on an undelivered row, with the reason (audited). */
      discard: {
        params: { id: ROW_ID, reason: { type: 'string', min: 3, max: 2000, trim: true }, $$strict: true },
        async handler(ctx: Context<{ id: string; reason: string }, Meta>) {
          const done = await store.discard(ctx.params.id, ctx.params.reason);
          audit(ctx, 'outbox.discard', done ? 'success' : 'failure', ctx.params.id, { reason: ctx.params.reason });
          if (!done) {
            const row = await store.get(ctx.params.id);
            if (!row) throw new GridbusError('OUTBOX_ROW_NOT_FOUND', `no outbox row ${ctx.params.id}`, { details: { id: ctx.params.id } });
            throw new GridbusError('OUTBOX_ROW_SETTLED', `outbox row ${ctx.params.id} is ${row.status}: only a pending, dead or unknown row can be discarded`, {
              details: { id: ctx.params.id, status: row.status },
            });
          }
          return { id: ctx.params.id, status: 'discarded' };
        },
      },
    },
    async started() {
      registerOutboxMetrics(this.broker);
      const refresh = async () => {
        try {
          setBacklog(this.broker, await store.backlog(), await store.oldestAgeS(), knownSeries);
        } catch {
          // the database away: the gauges keep their last values until it is back
        }
      };
      await refresh();
      gaugeTimer = setInterval(() => void refresh(), GAUGE_REFRESH_MS);
      gaugeTimer.unref();
      worker = new DeliveryWorker(
        this.broker,
        store,
        new PiiCipher(keys.encKey),
        new OperationFacts(this.broker),
        { ...config.outbox, callTimeoutMs: config.requestTimeoutMs, batch: 16 },
        this.logger,
        (operation, outcome) => {
          countOutcome(this.broker, operation, outcome);
          // an operation this node delivers has a backlog series from its first row on (0 once drained), not only after a refresh caught rows waiting
          const key = `${operation}\u0000pending`;
          if (!knownSeries.has(key)) {
            knownSeries.add(key);
            void refresh();
          }
        },
      );
      worker.start();
    },
    async stopped() {
      if (gaugeTimer) clearInterval(gaugeTimer);
      await worker?.stop();
    },
  };
}
