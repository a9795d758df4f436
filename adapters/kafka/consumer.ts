import { EventEmitter } from 'events';
import { CODES, KafkaConsumer, LibrdKafkaError, Message, TopicPartition, TopicPartitionOffset } from 'node-rdkafka';
import { Adapter, AdapterHealth } from '../adapter';
import { BackpressureController, FlowChanges } from './backpressure';
import { deadLetterLogLine, DeadLetterPublisher } from './dead-letter';
import { translateKafkaError } from './kafka-errors';
import { KafkaConsumerCounters, KafkaConsumerMetrics, zeroCounters } from './metrics';
import { consumerConfig, KafkaConsumerOptions, ResolvedConsumerOptions, resolveConsumerOptions } from './options';
import { laneKey, PartitionLane } from './partition-lane';
import { DeadLetterNotice, isBatchHandler, KafkaHandler, NotDecodableYetError, RecordProcessor } from './record-processor';
import { KafkaProducerAdapter } from './producer';
import { AbandonedError, backoffDelay } from './retry';

const ASSIGN = CODES.ERRORS.ERR__ASSIGN_PARTITIONS;
const REVOKE = CODES.ERRORS.ERR__REVOKE_PARTITIONS;

/**
 * Events (on `consumer.events`), for logging and for the lead to broadcast:
 * - `paused` / `resumed` `{ partitions, inFlight }`: backpressure changed the flow
 * - `dead-lettered` DeadLetterNotice
 * - `assigned` / `revoked` `TopicPartition[]`
 * - `committed` `TopicPartitionOffset[]`
 * - `warning` GridbusError: a poll, commit or dead-letter publish failed (each is retried)
 */
export type KafkaConsumerEvent = 'paused' | 'resumed' | 'dead-lettered' | 'assigned' | 'revoked' | 'committed' | 'warning';

/** Moleculer's LoggerInstance fits this. */
export interface KafkaLogger {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
}

/** Used when no logger is given: warnings to stderr. */
const consoleLogger: KafkaLogger = {
  info: () => undefined,
  warn: (...args) => console.warn('[kafka]', ...args),
};

export interface KafkaConsumerAdapterDeps {
  /** A started or startable producer to share for dead letters; by default the consumer owns one. */
  deadLetterProducer?: KafkaProducerAdapter;
  /** Where dead-lettered records are logged (one line each, no data values); default stderr. */
  logger?: KafkaLogger;
  /** Clock for the joining-group health (tests). */
  now?: () => number;
}

/**
 * A consumer-group member with at-least-once delivery.
 *
 * - Offsets are committed only by us (enable.auto.commit=false), only up to
 *   the last record that the handler finished (or that the dead-letter topic
 *   acknowledged), as offset + 1.
 * - Records of one partition are handled one unit at a time, in order;
 *   partitions run concurrently.
 * - At most `maxInFlight` records are held: the poll never asks for more
 *   than the free room, and when the room is gone every assigned partition
 *   is paused (librdkafka stops fetching them) until the count drains to
 *   `resumeAt`. Each partition also has a fair share of the bound and is
 *   paused alone when it holds it, so one busy partition cannot starve the
 *   others (see BackpressureController). Polling goes on while paused, so
 *   rebalances are served and max.poll.interval.ms is never exceeded by a
 *   slow handler.
 * - On revocation: records not yet started are dropped, running ones get
 *   `drainTimeoutMs` to finish, what is done is committed synchronously,
 *   and only then are the partitions given up.
 */
export class KafkaConsumerAdapter<T = unknown> implements Adapter {
  readonly kind = 'kafka' as const;
  readonly id: string;
  readonly events = new EventEmitter();
  private readonly options: ResolvedConsumerOptions;
  private readonly bp: BackpressureController;
  private readonly counters: KafkaConsumerCounters = zeroCounters();
  private readonly producer: KafkaProducerAdapter;
  private readonly ownsProducer: boolean;
  private readonly processor: RecordProcessor<T>;
  private readonly unitSize: number;
  private consumer: KafkaConsumer | null = null;
  private state: 'idle' | 'starting' | 'running' | 'stopping' = 'idle';
  private starting: Promise<void> | null = null;
  private stopping: Promise<void> | null = null;
  private readonly lanes = new Map<string, PartitionLane>();
  private polling = false;
  private pollIdleWaiters: Array<() => void> = [];
  private rebalancing = 0;
  private rebalanceChain: Promise<void> = Promise.resolve();
  private commitTimer: NodeJS.Timeout | null = null;
  private commitImmediate: NodeJS.Immediate | null = null;
  private lastError: string | null = null;
  private degradedReason: string | null = null;
  private readonly logger: KafkaLogger;
  private readonly now: () => number;
  /** Since when the member waits for an assignment (after subscribing, or after losing every partition); null once assigned. */
  private joiningSince: number | null = null;
  /** Leader broker of each assigned partition, to wake its fetcher after a resume. */
  private readonly leaders = new Map<string, number>();
  private readonly waking = new Set<string>();
  /** Pauses decided but not yet applied (see applyFlow), and partitions paused in librdkafka. */
  private readonly pendingPause = new Set<string>();
  private readonly pausedInClient = new Set<string>();

  constructor(options: KafkaConsumerOptions, handler: KafkaHandler<T>, deps: KafkaConsumerAdapterDeps = {}) {
    this.options = resolveConsumerOptions(options);
    this.id = `kafka:consumer:${this.options.groupId}:${this.options.topics.join(',')}`;
    this.bp = new BackpressureController({ maxInFlight: this.options.maxInFlight, resumeAt: this.options.resumeAt });
    this.unitSize = isBatchHandler(handler) ? this.options.batchSize : 1;
    this.ownsProducer = !deps.deadLetterProducer;
    this.logger = deps.logger ?? consoleLogger;
    this.now = deps.now ?? Date.now;
    this.producer =
      deps.deadLetterProducer ??
      new KafkaProducerAdapter({
        ...(options.deadLetterProducer ?? {}),
        brokers: this.options.brokers,
        clientId: `${this.options.clientId}-dlt`,
        rdkafka: { ...pickClientKeys({ ...this.options.rdkafka, ...this.options.settings }), ...(options.deadLetterProducer?.rdkafka ?? {}) },
      });
    const publisher = new DeadLetterPublisher(this.producer, this.options.deadLetterTopic, this.options.groupId);
    this.processor = new RecordProcessor<T>(handler, this.options.format, this.options.retry, publisher, this.counters, {
      onDeadLettered: (notice: DeadLetterNotice) => {
        this.degradedReason = null;
        this.logger.warn(deadLetterLogLine(notice));
        this.events.emit('dead-lettered', notice);
      },
      onError: (err) => {
        const typed = translateKafkaError(err, 'dead-letter publish');
        this.degradedReason = typed.message;
        this.warn(typed);
      },
      onRetry: (failure, attempt) => {
        this.degradedReason = `handler failing (${failure.code}, attempt ${attempt}): ${failure.message}`;
      },
      onHandled: () => {
        if (this.degradedReason?.startsWith('handler failing')) this.degradedReason = null;
      },
    });
  }

  /** Connects, subscribes and starts polling; rejects with a typed error when the cluster cannot be reached. */
  start(): Promise<void> {
    if (this.starting) return this.starting;
    if (this.state !== 'idle') return Promise.resolve();
    this.starting = this.doStart().finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  private async doStart(): Promise<void> {
    this.state = 'starting';
    try {
      if (this.ownsProducer) await this.producer.start();
      const consumer = this.createConsumer();
      await new Promise<void>((resolve, reject) =>
        consumer.connect({ timeout: this.options.connectTimeoutMs }, (err) => {
          if (err) {
            try {
              consumer.disconnect(() => undefined);
            } catch {
              // never connected
            }
            reject(translateKafkaError(err, `connect to ${this.options.brokers}`));
          } else resolve();
        }),
      );
      consumer.setDefaultConsumeTimeout(this.options.pollTimeoutMs);
      consumer.subscribe(this.options.topics);
      this.joiningSince = this.now();
      this.consumer = consumer;
      this.lastError = null;
      this.state = 'running';
      this.poll();
    } catch (err) {
      this.state = 'idle';
      const typed = translateKafkaError(err, 'start');
      this.lastError = typed.message;
      if (this.ownsProducer) await this.producer.stop().catch(() => undefined);
      throw typed;
    }
  }

  /**
   * Graceful stop: no more polls, records not started are dropped (they are
   * read again on the next start), running handlers get drainTimeoutMs, what
   * is done is committed, then the member leaves the group.
   */
  stop(): Promise<void> {
    if (this.state === 'idle' && !this.starting) return Promise.resolve();
    if (!this.stopping) {
      const starting = this.starting ?? Promise.resolve();
      this.stopping = starting
        .catch(() => undefined)
        .then(() => (this.state === 'idle' ? undefined : this.doStop()))
        .finally(() => {
          this.stopping = null;
        });
    }
    return this.stopping;
  }

  async health(): Promise<AdapterHealth> {
    const consumer = this.consumer;
    const where = `${this.options.brokers} group ${this.options.groupId}`;
    if (!consumer || this.state !== 'running' || !consumer.isConnected()) {
      return { status: 'down', detail: `${where}: ${this.lastError ?? (this.state === 'running' ? 'disconnected' : 'not started')}` };
    }
    try {
      for (const topic of this.options.topics) {
        const metadata = await new Promise<{ topics: Array<{ name: string; partitions: unknown[] }> }>((resolve, reject) =>
          consumer.getMetadata({ topic, timeout: 2000 }, (err, data) => (err ? reject(err) : resolve(data))),
        );
        const found = metadata.topics.find((t) => t.name === topic);
        if (!found || !found.partitions.length) return { status: 'down', detail: `${where}: topic ${topic} not found` };
      }
    } catch (err) {
      const typed = translateKafkaError(err, 'metadata');
      this.lastError = typed.message;
      return { status: 'down', detail: `${where}: ${typed.message}` };
    }
    const joining = this.joiningFor();
    if (joining !== null && joining >= this.options.joinGraceMs) {
      // e.g. after a crash the broker keeps the old member (and its partitions) for its session.timeout.ms
      const seconds = Math.floor(joining / 1000);
      return {
        status: 'degraded',
        detail: `${where}: joining group, 0 partitions assigned for ${seconds} s (a member that stopped without leaving keeps its partitions until its session.timeout.ms has passed)`,
      };
    }
    const lag = this.lag();
    const detail =
      `${where}: ${joining === null ? '' : 'joining group, '}${this.lanes.size} partition(s) assigned, ${this.bp.inFlight} in flight` +
      `${this.bp.paused ? ' (paused)' : ''}${lag === null ? '' : `, lag ${lag}`}`;
    if (this.degradedReason) return { status: 'degraded', detail: `${detail}; ${this.degradedReason}` };
    return { status: 'up', detail };
  }

  /** How long the member has been waiting for an assignment, or null when it has one (possibly empty: more members than partitions). */
  joiningFor(): number | null {
    return this.joiningSince === null || this.state !== 'running' ? null : Math.max(0, this.now() - this.joiningSince);
  }

  metrics(): KafkaConsumerMetrics {
    return {
      ...this.counters,
      inFlight: this.bp.inFlight,
      maxInFlightObserved: this.bp.maxObserved,
      paused: this.bp.paused,
      pausedPartitions: this.bp.pausedPartitions(),
      pausedCount: this.counters.pauses,
      resumedCount: this.counters.resumes,
      assignedPartitions: this.lanes.size,
    };
  }

  /** Committed offsets per assigned partition (next offset to read), as confirmed by the broker. */
  committedOffsets(): TopicPartitionOffset[] {
    return [...this.lanes.values()].filter((l) => l.committed !== null).map((l) => ({ topic: l.topic, partition: l.partition, offset: l.committed as number }));
  }

  /** Records not yet committed by the group on the assigned partitions (high watermark − committed), from cached watermarks. */
  lag(): number | null {
    const consumer = this.consumer;
    if (!consumer) return null;
    let total = 0;
    let known = false;
    for (const lane of this.lanes.values()) {
      try {
        const { highOffset } = consumer.getWatermarkOffsets(lane.topic, lane.partition);
        const base = lane.committed ?? lane.doneOffset;
        if (highOffset >= 0 && base !== null) {
          total += Math.max(0, highOffset - base);
          known = true;
        }
      } catch {
        // no cached watermark yet for this partition
      }
    }
    return known ? total : null;
  }

  // ------------------------------------------------------------ internals

  private createConsumer(): KafkaConsumer {
    // eslint-disable-next-line prefer-const
    let consumer: KafkaConsumer;
    const config = {
      ...consumerConfig(this.options),
      rebalance_cb: (err: LibrdKafkaError, assignment: TopicPartition[]) => this.onRebalance(consumer, err, assignment),
      offset_commit_cb: (err: LibrdKafkaError | null, offsets: TopicPartitionOffset[]) => this.onCommitted(consumer, err, offsets),
    };
    consumer = new KafkaConsumer(config as never, { 'auto.offset.reset': this.options.autoOffsetReset });
    consumer.on('event.error', (err) => this.warn(translateKafkaError(err, 'client')));
    return consumer;
  }

  private async doStop(): Promise<void> {
    this.state = 'stopping';
    this.clearCommitTimers();
    const consumer = this.consumer;
    await this.pollIdle();
    await this.rebalanceChain;
    if (consumer) {
      await this.drainAndCommit(consumer, [...this.lanes.values()]);
      // lanes stay until the revocation that disconnect() triggers, which only unassigns
      this.consumer = null;
      await new Promise<void>((resolve) => {
        try {
          consumer.disconnect(() => resolve());
        } catch {
          resolve();
        }
      });
      await this.rebalanceChain;
      this.bp.revoke([...this.lanes.keys()]);
      this.lanes.clear();
      this.leaders.clear();
      this.pendingPause.clear();
      this.pausedInClient.clear();
    }
    if (this.ownsProducer) await this.producer.stop();
    this.state = 'idle';
  }

  private poll(): void {
    const consumer = this.consumer;
    if (!consumer || this.polling || this.state !== 'running' || this.rebalancing > 0) return;
    this.polling = true;
    this.flushPauses(consumer);
    // Never ask for more than the free room. When full, every partition is
    // paused and the poll only serves rebalances and commit callbacks.
    const n = this.bp.pollSize(this.options.maxPollRecords) || 1;
    consumer.consume(n, (err, messages) => {
      this.polling = false;
      if (err) {
        this.counters.pollErrors++;
        this.warn(translateKafkaError(err, 'poll'));
        this.notifyPollIdle();
        setTimeout(() => this.poll(), 200).unref();
        return;
      }
      if (messages?.length) this.accept(consumer, messages);
      this.notifyPollIdle();
      setImmediate(() => this.poll());
    });
  }

  private accept(consumer: KafkaConsumer, messages: Message[]): void {
    if (this.consumer !== consumer || this.state !== 'running') return;
    const touched = new Map<PartitionLane, number>();
    for (const m of messages) {
      const lane = this.lanes.get(laneKey(m.topic, m.partition));
      if (!lane || lane.closed) {
        // fetched just before its partition was revoked: the next owner reads it from the committed offset
        continue;
      }
      lane.enqueue(m);
      touched.set(lane, (touched.get(lane) ?? 0) + 1);
    }
    for (const [lane, n] of touched) {
      this.counters.consumed += n;
      this.applyFlow(this.bp.acquire(lane.key, n));
    }
    for (const lane of touched.keys()) void this.drive(lane);
  }

  /** Works through one lane's queue, one unit at a time. */
  private async drive(lane: PartitionLane): Promise<void> {
    if (lane.running || lane.closed) return;
    lane.setRunning(true);
    try {
      let failures = 0;
      while (!lane.closed && lane.queued > 0) {
        const unit = lane.take(this.currentUnitSize());
        try {
          await this.processor.process(unit, lane.sleeper);
          if (failures && this.degradedReason?.includes('cannot be decoded yet')) this.degradedReason = null;
          failures = 0;
          if (lane.markDone(unit[unit.length - 1].offset)) this.scheduleCommit();
          this.applyFlow(this.bp.release(lane.key, unit.length));
        } catch (err) {
          if (err instanceof AbandonedError) {
            this.counters.dropped += unit.length;
            this.applyFlow(this.bp.release(lane.key, unit.length));
            break;
          }
          if (err instanceof NotDecodableYetError) {
            // a decoder not ready (e.g. its definition is being published): the partition waits
            this.degradedReason = `handler failing (${err.message})`;
            this.warn(err);
          } else {
            // not expected (the processor handles handler errors): keep the unit, try again later
            this.warn(translateKafkaError(err, `processing ${lane.topic}[${lane.partition}]`));
          }
          if (lane.closed) {
            this.counters.dropped += unit.length;
            this.applyFlow(this.bp.release(lane.key, unit.length));
            break;
          }
          lane.putBack(unit);
          try {
            await lane.sleeper.sleep(backoffDelay(++failures, this.options.retry));
          } catch {
            break; // closed meanwhile: close() dropped and released the unit
          }
        }
      }
    } finally {
      lane.setRunning(false);
    }
  }

  /**
   * Takes the controller's pause/resume decisions to librdkafka. A resume is
   * applied at once. A pause is only noted, and applied right before the next
   * poll: a handler that drains the partition meanwhile (a fast one) cancels
   * it, so librdkafka does not drop its prefetched records for nothing. The
   * bound still holds, because every poll asks for no more than the room left
   * and pending pauses are applied before it. `quiet` partitions (just
   * assigned) get their state without an event.
   */
  /**
   * Records per handler call: batchSize, but at most half a partition's
   * share of maxInFlight, so that while one batch is being handled the next
   * one can already be fetched (the partition is not paused for the whole
   * time its only batch runs, then left idle while it is fetched again).
   */
  private currentUnitSize(): number {
    if (this.unitSize === 1) return 1;
    return Math.max(1, Math.min(this.unitSize, Math.floor(this.bp.partitionLimit / 2)));
  }

  private applyFlow(changes: FlowChanges, quiet: ReadonlySet<string> = new Set()): void {
    if (!changes.pause.length && !changes.resume.length) return;
    for (const key of changes.pause) this.pendingPause.add(key);
    const resume: PartitionLane[] = [];
    for (const key of changes.resume) {
      this.pendingPause.delete(key);
      const lane = this.lanes.get(key);
      if (!lane || lane.closed) continue;
      // just assigned: set explicitly (librdkafka keeps an old pause); otherwise only if the pause reached librdkafka
      if (quiet.has(key) || this.pausedInClient.has(key)) resume.push(lane);
    }
    const consumer = this.consumer;
    if (!consumer || !resume.length) return;
    const tps = resume.map((l) => ({ topic: l.topic, partition: l.partition }));
    try {
      consumer.resume(tps);
    } catch (err) {
      this.warn(translateKafkaError(err, 'resume'));
      return;
    }
    const loud = resume.filter((l) => this.pausedInClient.delete(l.key) && !quiet.has(l.key));
    if (loud.length) {
      this.wakeFetchers(consumer, loud.map((l) => ({ topic: l.topic, partition: l.partition })));
      this.counters.resumes += loud.length;
      this.events.emit('resumed', { partitions: loud.map((l) => ({ topic: l.topic, partition: l.partition })), inFlight: this.bp.inFlight });
    }
  }

  /** Applies the pauses still wanted, right before a poll. */
  private flushPauses(consumer: KafkaConsumer): void {
    if (!this.pendingPause.size) return;
    const lanes = [...this.pendingPause].map((k) => this.lanes.get(k)).filter((l): l is PartitionLane => !!l && !l.closed && this.bp.isPaused(l.key));
    this.pendingPause.clear();
    if (!lanes.length) return;
    try {
      consumer.pause(lanes.map((l) => ({ topic: l.topic, partition: l.partition })));
    } catch (err) {
      this.warn(translateKafkaError(err, 'pause'));
      return;
    }
    for (const l of lanes) this.pausedInClient.add(l.key);
    this.counters.pauses += lanes.length;
    this.events.emit('paused', { partitions: lanes.map((l) => ({ topic: l.topic, partition: l.partition })), inFlight: this.bp.inFlight });
  }

  /**
   * librdkafka fetches a resumed partition only when its broker thread next
   * wakes up, up to a second later when every partition of that broker was
   * paused. A small request to each leader concerned (a watermark query)
   * wakes it at once; one at a time per leader.
   */
  private wakeFetchers(consumer: KafkaConsumer, partitions: TopicPartition[]): void {
    const seen = new Set<string>();
    for (const tp of partitions) {
      const key = laneKey(tp.topic, tp.partition);
      const leader = this.leaders.get(key);
      const wakeKey = leader === undefined ? `p:${key}` : `b:${leader}`;
      if (seen.has(wakeKey) || this.waking.has(wakeKey)) continue;
      seen.add(wakeKey);
      this.waking.add(wakeKey);
      consumer.queryWatermarkOffsets(tp.topic, tp.partition, 2000, () => this.waking.delete(wakeKey));
    }
  }

  /** Remembers partition leaders from metadata (best effort; used only to wake fetchers). */
  private learnLeaders(consumer: KafkaConsumer, topics: string[]): void {
    for (const topic of new Set(topics)) {
      consumer.getMetadata({ topic, timeout: 5000 }, (err, md) => {
        if (err || !md) return;
        for (const t of md.topics) for (const p of t.partitions) this.leaders.set(laneKey(t.name, p.id), p.leader);
      });
    }
  }

  // ------------------------------------------------------------ commits

  private scheduleCommit(): void {
    if (this.state !== 'running') return;
    if (this.options.commitIntervalMs === 0) {
      this.commitImmediate ??= setImmediate(() => {
        this.commitImmediate = null;
        this.commitAsync();
      });
    } else {
      this.commitTimer ??= setTimeout(() => {
        this.commitTimer = null;
        this.commitAsync();
      }, this.options.commitIntervalMs).unref();
    }
  }

  private clearCommitTimers(): void {
    if (this.commitTimer) clearTimeout(this.commitTimer);
    if (this.commitImmediate) clearImmediate(this.commitImmediate);
    this.commitTimer = null;
    this.commitImmediate = null;
  }

  /** Periodic commit of open lanes; the result arrives in onCommitted. */
  private commitAsync(): void {
    const consumer = this.consumer;
    if (!consumer || !consumer.isConnected()) return;
    const lanes = [...this.lanes.values()].filter((l) => !l.closed && l.pendingCommit(l.commitSent) !== null);
    if (!lanes.length) return;
    try {
      consumer.commit(lanes.map((l) => l.pendingCommit(l.commitSent) as TopicPartitionOffset));
      for (const l of lanes) l.commitSent = l.doneOffset;
    } catch (err) {
      this.counters.commitErrors++;
      this.warn(translateKafkaError(err, 'commit'));
      this.scheduleCommit();
    }
  }

  private onCommitted(consumer: KafkaConsumer, err: LibrdKafkaError | null, offsets: TopicPartitionOffset[]): void {
    if (consumer !== this.consumer) return;
    if (err && err.code !== CODES.ERRORS.ERR__NO_OFFSET) {
      this.counters.commitErrors++;
      const typed = translateKafkaError(err, 'commit');
      this.degradedReason = typed.message;
      this.warn(typed);
      // send again on the next round
      for (const tp of offsets ?? []) {
        const lane = this.lanes.get(laneKey(tp.topic, tp.partition));
        if (lane) lane.commitSent = lane.committed;
      }
      this.scheduleCommit();
      return;
    }
    const confirmed: TopicPartitionOffset[] = [];
    for (const tp of offsets ?? []) {
      const lane = this.lanes.get(laneKey(tp.topic, tp.partition));
      if (!lane || lane.sealed || tp.offset < 0) continue;
      if (lane.committed === null || tp.offset > lane.committed) lane.committed = tp.offset;
      confirmed.push({ topic: tp.topic, partition: tp.partition, offset: tp.offset });
    }
    if (confirmed.length) {
      this.counters.commits += confirmed.length;
      this.degradedReason = null;
      this.events.emit('committed', confirmed);
    }
  }

  /** Synchronous commit, used before partitions are given up (no poll needed for the answer). */
  private commitSync(consumer: KafkaConsumer, lanes: PartitionLane[]): void {
    const due = lanes.filter((l) => l.pendingCommit(l.committed) !== null);
    if (!due.length || !consumer.isConnected()) return;
    const offsets = due.map((l) => l.pendingCommit(l.committed) as TopicPartitionOffset);
    try {
      consumer.commitSync(offsets);
      for (const l of due) l.committed = l.commitSent = l.doneOffset;
      this.counters.commits += offsets.length;
      this.events.emit('committed', offsets);
    } catch (err) {
      // e.g. the member was already fenced: the next owner re-reads from the last commit (at-least-once)
      this.counters.commitErrors++;
      this.warn(translateKafkaError(err, 'commit before revocation'));
    }
  }

  /** Closes lanes, lets their running units finish (bounded), commits what is done. */
  private async drainAndCommit(consumer: KafkaConsumer, lanes: PartitionLane[]): Promise<void> {
    let dropped = 0;
    for (const lane of lanes) {
      const n = lane.close();
      dropped += n;
      this.applyFlow(this.bp.release(lane.key, n));
    }
    this.counters.dropped += dropped;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(lanes.map((l) => l.whenIdle())),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.options.drainTimeoutMs);
      }),
    ]);
    clearTimeout(timer);
    for (const lane of lanes) lane.seal();
    this.commitSync(consumer, lanes);
  }

  // ------------------------------------------------------------ rebalances

  private onRebalance(consumer: KafkaConsumer, err: LibrdKafkaError, assignment: TopicPartition[]): void {
    this.rebalancing++;
    this.counters.rebalances++;
    this.rebalanceChain = this.rebalanceChain
      .then(() => this.handleRebalance(consumer, err, assignment))
      .catch((e) => this.warn(translateKafkaError(e, 'rebalance')))
      .finally(() => {
        this.rebalancing--;
        this.poll();
      });
  }

  private async handleRebalance(consumer: KafkaConsumer, err: LibrdKafkaError, assignment: TopicPartition[]): Promise<void> {
    const current = consumer === this.consumer;
    const cooperative = safe(() => consumer.rebalanceProtocol()) === 'COOPERATIVE';
    if (err?.code === ASSIGN) {
      if (cooperative) consumer.incrementalAssign(assignment);
      else consumer.assign(assignment);
      if (!current) return;
      this.joiningSince = null;
      for (const tp of assignment) {
        const lane = new PartitionLane(tp.topic, tp.partition);
        this.lanes.set(lane.key, lane);
      }
      // librdkafka keeps an application pause across re-assignment: the new
      // partitions always come back in the changes, so their state is set explicitly
      const keys = assignment.map((tp) => laneKey(tp.topic, tp.partition));
      this.applyFlow(this.bp.assign(keys), new Set(keys));
      this.learnLeaders(consumer, assignment.map((tp) => tp.topic));
      this.events.emit('assigned', assignment);
      return;
    }
    const revoked = assignment.map((tp) => this.lanes.get(laneKey(tp.topic, tp.partition))).filter((l): l is PartitionLane => !!l);
    if (current && err?.code === REVOKE) {
      await this.drainAndCommit(consumer, revoked);
    } else if (err?.code !== REVOKE) {
      this.warn(translateKafkaError(err, 'rebalance'));
      for (const lane of revoked) {
        const dropped = lane.close();
        this.counters.dropped += dropped;
        this.applyFlow(this.bp.release(lane.key, dropped));
        lane.seal();
      }
    }
    try {
      if (cooperative) consumer.incrementalUnassign(assignment);
      else consumer.unassign();
    } catch (e) {
      if (consumer.isConnected()) this.warn(translateKafkaError(e, 'unassign'));
    }
    for (const lane of revoked) {
      if (this.lanes.get(lane.key) === lane) this.lanes.delete(lane.key);
      this.pendingPause.delete(lane.key);
      this.pausedInClient.delete(lane.key);
    }
    if (current) this.applyFlow(this.bp.revoke(revoked.map((l) => l.key)));
    // eager: every partition is given back and the member joins again
    if (current && this.lanes.size === 0 && this.state === 'running') this.joiningSince = this.now();
    this.events.emit('revoked', assignment);
  }

  // ------------------------------------------------------------ helpers

  private pollIdle(): Promise<void> {
    if (!this.polling) return Promise.resolve();
    return new Promise((resolve) => this.pollIdleWaiters.push(resolve));
  }

  private notifyPollIdle(): void {
    const waiters = this.pollIdleWaiters;
    this.pollIdleWaiters = [];
    for (const w of waiters) w();
  }

  private warn(err: { message: string }): void {
    this.lastError = err.message;
    if (this.events.listenerCount('warning')) this.events.emit('warning', err);
  }
}

function safe<R>(fn: () => R): R | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

/** Connection and security properties the dead-letter producer shares with the consumer. */
function pickClientKeys(rdkafka: Record<string, string | number | boolean>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(rdkafka)) {
    if (/^(security\.protocol|sasl\.|ssl\.|socket\.|broker\.address\.family|client\.rack)/.test(key)) out[key] = value;
  }
  return out;
}
