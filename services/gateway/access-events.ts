import type { ServiceBroker } from 'moleculer';
import { Batcher } from '../../core/batching';
import { ACCESS_BATCH_EVENT, ACCESS_EVENT_FIELDS, AccessBatch, AccessEventRow, STATISTICS_GROUP, outcomeOf } from '../../core/statistics';
import { GatewayRequest, GatewayResponse, pathOf } from './types';

const LOST = 'gridbus.access.events.lost.total';
const WARN_EVERY_MS = 10_000;

type Logger = { warn(m: string): void };
type Alias = { action?: string | null; method: string; fullPath?: string };
/** What moleculer-web attaches to a request once a route took it. */
type RoutedRequest = GatewayRequest & { $alias?: Alias; $route?: { path?: string; opts?: { policies?: { group?: string } } }; parsedUrl?: string };
type Ctx = { meta?: { user?: { id?: unknown } | null } };
/** The part of moleculer-web's service used to name a request its alias did not reach (refused before). */
export type AliasResolver = { resolveAlias(url: string, method: string): { alias: Alias } | false };

export interface AccessEventsOptions {
  /** A batch leaves with this many events… */
  maxBatch?: number;
  /** …or this long after its first event, whichever comes first. */
  maxDelayMs?: number;
  /** Events held at most while batches cannot leave; beyond it the oldest are dropped and counted. */
  capacity?: number;
}

/** What served the request, never its URL: the action, else the alias's path template, else the route's path. */
function functionOf(req: RoutedRequest, web: AliasResolver): string {
  let alias = req.$alias;
  if (!alias && req.$route) {
    // refused before moleculer-web set $alias (policies, authentication): the alias the URL names
    const url = req.parsedUrl ?? pathOf(req);
    const found = web.resolveAlias(url.length > 1 && url.endsWith('/') ? url.slice(0, -1) : url, req.method ?? 'GET');
    if (found) alias = found.alias;
  }
  if (alias) return alias.action ?? `${alias.method === '*' ? req.method : alias.method} ${alias.fullPath}`;
  return req.$route?.path ? `${req.method} ${req.$route.path}/*` : `${req.method} *`;
}

/**
 * The gateway's side of the statistics: one access event per finished
 * request, buffered in memory and emitted as one `access.batch` (group
 * `statistics`) every `maxDelayMs` or `maxBatch` events. Recording costs a
 * small object and a push; nothing on the request's path waits for the bus.
 * While batches cannot leave, at most `capacity` events are held (the oldest
 * go first), counted in `gridbus_access_events_lost_total` and warned about.
 */
export class AccessEvents {
  private readonly batcher: Batcher<AccessEventRow>;
  private broker: ServiceBroker | null = null;
  private logger: Logger | null = null;
  /** Lost events not yet on the metric, and not yet warned about. */
  private unmetered = { dropped: 0, failed: 0 };
  private unwarned = { dropped: 0, failed: 0 };
  private lastWarnAt = -Infinity;
  private lastError: string | null = null;
  private readonly capacity: number;

  /** How a batch leaves: the broker's balanced emit to the statistics, unless a test says otherwise. */
  private readonly send: (batch: AccessBatch) => Promise<unknown>;

  constructor(
    private readonly nodeId: string,
    options: AccessEventsOptions & { send?: (batch: AccessBatch) => Promise<unknown> } = {},
  ) {
    this.send = options.send ?? ((batch) => this.broker!.emit(ACCESS_BATCH_EVENT, batch, { groups: [STATISTICS_GROUP] }));
    this.capacity = options.capacity ?? 20_000;
    this.batcher = new Batcher<AccessEventRow>({
      maxBatch: options.maxBatch ?? 500,
      maxDelayMs: options.maxDelayMs ?? 1000,
      capacity: this.capacity,
      write: (rows) => {
        this.report(Date.now() - this.lastWarnAt >= WARN_EVERY_MS);
        return this.send({ nodeId: this.nodeId, fields: ACCESS_EVENT_FIELDS, rows });
      },
      // per event, under overload: only counted here, reported at most every WARN_EVERY_MS
      onDrop: () => this.lost('dropped', 1),
      onError: (err, batch) => this.lost('failed', batch.length, err),
    });
  }

  /** From the gateway's `created()`. */
  open(broker: ServiceBroker | null, logger: Logger): void {
    this.broker = broker;
    this.logger = logger;
    const metrics = broker?.metrics;
    if (metrics && !metrics.getMetric(LOST)) {
      metrics.register({ name: LOST, type: 'counter', labelNames: ['reason'], description: 'Access events lost before the statistics got them: buffer full (dropped) or emit failed' });
    }
  }

  /** Events waiting to leave. */
  get pending(): number {
    return this.batcher.size;
  }

  /** When the answer is sent (`finish`). Never throws, never waits. */
  record(req: GatewayRequest, res: GatewayResponse, latencyMs: number, web: AliasResolver): void {
    const status = res.statusCode;
    const userId = (req.$ctx as Ctx | undefined)?.meta?.user?.id;
    // an AccessEvent, in the order of ACCESS_EVENT_FIELDS
    this.batcher.add([
      Date.now() - Math.round(latencyMs),
      functionOf(req as RoutedRequest, web),
      (req as RoutedRequest).$route?.opts?.policies?.group ?? null,
      typeof userId === 'string' ? userId : null,
      req.$clientIp ?? req.socket?.remoteAddress ?? null,
      status,
      outcomeOf(status),
      status >= 400 ? res.$errorCode ?? null : null,
      Math.round(latencyMs * 1000) / 1000,
      req.$requestId ?? null,
    ]);
  }

  /**
   * From the gateway's `stopped()`: what is buffered leaves now, and whatever
   * finishes later leaves at once. Waits at most `waitMs` for the bus: a stop
   * is never held up by the statistics.
   */
  async close(waitMs = 2000): Promise<void> {
    this.report(true);
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), waitMs)));
    const timedOut = await Promise.race([this.batcher.close().then(() => false), gaveUp]);
    clearTimeout(timer);
    if (timedOut) this.logger?.warn(`access events: a batch did not leave within ${waitMs} ms of the stop; it and ${this.batcher.size} events waiting behind it are lost`);
    this.report(true);
  }

  private lost(reason: 'dropped' | 'failed', n: number, err?: Error): void {
    this.unmetered[reason] += n;
    this.unwarned[reason] += n;
    if (err) this.lastError = err.message;
    if (Date.now() - this.lastWarnAt >= WARN_EVERY_MS) this.report(true);
  }

  /** Lost events onto /metrics (`gridbus_access_events_lost_total{reason}`); a warning at most every WARN_EVERY_MS. */
  private report(warn = false): void {
    const m = this.unmetered;
    if (m.dropped || m.failed) {
      if (m.dropped) this.broker?.metrics?.increment(LOST, { reason: 'dropped' }, m.dropped);
      if (m.failed) this.broker?.metrics?.increment(LOST, { reason: 'emit-failed' }, m.failed);
      this.unmetered = { dropped: 0, failed: 0 };
    }
    const w = this.unwarned;
    if (!warn || (!w.dropped && !w.failed)) return;
    this.lastWarnAt = Date.now();
    this.unwarned = { dropped: 0, failed: 0 };
    this.logger?.warn(
      `access events lost, the statistics miss them: ${w.dropped} dropped (buffer of ${this.capacity} full), ${w.failed} not emitted${w.failed && this.lastError ? ` (${this.lastError})` : ''}`,
    );
  }
}
