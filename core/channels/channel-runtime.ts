import type { DataSource } from 'typeorm';
import type { DependencyHealth, HealthRegistry } from '../health';
import type { ActiveMappings, MappingRegistry } from '../mapping/mapping-registry';
import type { CompiledBundle, MappingProblem } from '../mapping/bundle';
import type { CompiledChannel } from '../mapping/channels/channel-definition';
import type { CompiledFileLayout } from '../mapping/files';
import type { CompiledTopicShape } from '../mapping/topics';
import type { Variables } from '../mapping/variables';
import { ChannelDeps, ChannelLogger, ResolvedChannel, RunningChannel } from './contract';
import { CHANNEL_KINDS } from './kinds';
import { resolveChannel } from './resolve-channel';

export interface ChannelRuntimeDeps {
  nodeId: string;
  /** The services this node runs: it runs the channels whose sink belongs to one of them. */
  services: string[];
  variables: Variables;
  dataSource: DataSource;
  registry: MappingRegistry;
  health: HealthRegistry;
  logger: (channel: string) => ChannelLogger;
  /** Publishes a running channel's counters; returns the function that stops it. */
  exportMetrics?: (adapterId: string, read: () => object) => () => void;
  /** Wait before starting a channel again whose adapter failed to start (default 5000). */
  restartDelayMs?: number;
}

type State = 'off' | 'unresolved' | 'running' | 'failed';

interface Entry {
  name: string;
  service: string;
  state: State;
  reason: string;
  fingerprint: string | null;
  running: RunningChannel | null;
  stopMetrics: (() => void) | null;
}

export interface ChannelStatus {
  name: string;
  service: string;
  state: State;
  reason: string;
}

/**
 * The channels of one node, kept on the active mapping release: at start and
 * at each switch every declared channel of this node's services is resolved
 * (variables, layout or shape); one whose definition changed is restarted,
 * one that left the release is stopped, one that does not resolve is shown
 * degraded in /health and consumes nothing until it does.
 */
export class ChannelRuntime {
  private readonly entries = new Map<string, Entry>();
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: ChannelRuntimeDeps) {}

  /** Starts the channels of the active release and follows the registry from now on. */
  async start(): Promise<void> {
    this.deps.registry.onChange((active) => void this.enqueue(active));
    await this.enqueue(this.deps.registry.current());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.queue;
    await Promise.all([...this.entries.values()].map((e) => this.halt(e)));
  }

  statuses(service?: string): ChannelStatus[] {
    return [...this.entries.values()].filter((e) => !service || e.service === service).map(({ name, service: s, state, reason }) => ({ name, service: s, state, reason }));
  }

  /** Polls the running file channels of a service now; answers per channel. */
  async poll(service: string): Promise<Array<{ channel: string; polled: boolean; result?: unknown; reason?: string }>> {
    await this.queue;
    const out = [];
    for (const e of this.entries.values()) {
      if (e.service !== service) continue;
      if (e.running?.poll) out.push({ channel: e.name, polled: true, result: await e.running.poll() });
      else out.push({ channel: e.name, polled: false, reason: e.state === 'running' ? 'not a file channel' : `${e.state}: ${e.reason}` });
    }
    return out;
  }

  /**
   * What this node would say of a draft's channels: every variable it lacks,
   * every layout or shape it would not find, every option the adapter
   * refuses. Nothing is started.
   */
  check(bundle: CompiledBundle): MappingProblem[] {
    const problems: MappingProblem[] = [];
    for (const compiled of this.mine(bundle)) {
      const r = resolveChannel(compiled, bundle, this.deps.variables);
      if (r.state === 'unresolved') problems.push(...r.problems);
      if (r.state !== 'ready') continue;
      try {
        this.build(r.channel, bundle);
      } catch (err) {
        problems.push({ file: compiled.file, path: 'options', message: `channel '${compiled.name}' on node ${this.deps.nodeId}: ${(err as Error).message}` });
      }
    }
    return problems;
  }

  private mine(bundle: CompiledBundle): CompiledChannel[] {
    return [...bundle.channels.values()].filter((c) => this.deps.services.includes(c.service));
  }

  private enqueue(active: ActiveMappings): Promise<void> {
    this.queue = this.queue.then(() => (this.stopped ? undefined : this.apply(active))).catch((err: Error) => this.deps.logger('runtime').error(`channels: ${err.message}`));
    return this.queue;
  }

  private async apply(active: ActiveMappings): Promise<void> {
    const bundle = active.bundle;
    const declared = new Map(this.mine(bundle).map((c) => [c.name, c]));
    for (const e of [...this.entries.values()]) {
      if (declared.has(e.name)) continue;
      await this.halt(e);
      this.entries.delete(e.name);
      this.deps.health.unregister(`channel ${e.name}`);
      this.deps.logger(e.name).info(`channel ${e.name} stopped: not in release ${active.version}`);
    }
    for (const compiled of declared.values()) {
      const entry = this.entry(compiled);
      const r = resolveChannel(compiled, bundle, this.deps.variables);
      if (r.state !== 'ready') {
        if (entry.state !== r.state || entry.reason !== r.reason) {
          await this.halt(entry);
          Object.assign(entry, { state: r.state, reason: r.reason, fingerprint: null });
          const log = this.deps.logger(compiled.name);
          if (r.state === 'off') log.info(`channel ${compiled.name}: ${r.reason}`);
          else log.error(`channel ${compiled.name} does not resolve on node ${this.deps.nodeId} (release ${active.version}); nothing is consumed until it does: ${r.reason}`);
        }
        continue;
      }
      if (entry.fingerprint === r.fingerprint && entry.state === 'running') continue;
      await this.halt(entry);
      await this.launch(entry, r.channel, r.fingerprint, active.version);
    }
  }

  private entry(compiled: CompiledChannel): Entry {
    let e = this.entries.get(compiled.name);
    if (!e) {
      e = { name: compiled.name, service: compiled.service, state: 'off', reason: 'not started yet', fingerprint: null, running: null, stopMetrics: null };
      this.entries.set(compiled.name, e);
      const entry = e;
      this.deps.health.register(`channel ${compiled.name}`, () => this.healthOf(entry));
    }
    return e;
  }

  private build(channel: ResolvedChannel, bundle: CompiledBundle): RunningChannel {
    const kind = CHANNEL_KINDS.get(channel.kind)!;
    const { registry } = this.deps;
    // The layout or shape of the release active at each use; the one resolved against stays as a fallback during a switch.
    const layoutAtStart = bundle.fileLayouts.get(channel.reads);
    const shapeAtStart = bundle.topicShapes.get(channel.reads);
    const deps: ChannelDeps = {
      dataSource: this.deps.dataSource,
      logger: this.deps.logger(channel.name),
      layout: () => (registry.current().bundle.fileLayouts.get(channel.reads) ?? layoutAtStart) as CompiledFileLayout,
      shape: () => (registry.current().bundle.topicShapes.get(channel.reads) ?? shapeAtStart) as CompiledTopicShape,
    };
    return kind.create(channel, deps);
  }

  private async launch(entry: Entry, channel: ResolvedChannel, fingerprint: string, version: number | 'local'): Promise<void> {
    const log = this.deps.logger(channel.name);
    let running: RunningChannel;
    try {
      running = this.build(channel, this.deps.registry.current().bundle);
    } catch (err) {
      Object.assign(entry, { state: 'unresolved', reason: `options: ${(err as Error).message}`, fingerprint });
      log.error(`channel ${channel.name} does not resolve on node ${this.deps.nodeId}; nothing is consumed until it does: ${entry.reason}`);
      return;
    }
    Object.assign(entry, { running, fingerprint });
    try {
      await running.start();
      Object.assign(entry, { state: 'running', reason: '' });
      entry.stopMetrics = this.deps.exportMetrics?.(running.adapterId, () => running.metrics()) ?? null;
      log.info(`channel ${channel.name} (${channel.kind}, ${channel.kind === 'sftp' ? 'layout' : 'shape'} ${channel.reads} → ${channel.sink.name}) running on release ${version}`);
    } catch (err) {
      Object.assign(entry, { state: 'failed', reason: `could not start: ${(err as Error).message}`, running: null, fingerprint: null });
      await running.stop().catch(() => undefined);
      log.warn(`channel ${channel.name}: ${entry.reason}; trying again`);
      this.scheduleRetry();
    }
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.enqueue(this.deps.registry.current());
    }, this.deps.restartDelayMs ?? 5000);
    this.retryTimer.unref();
  }

  private async halt(entry: Entry): Promise<void> {
    entry.stopMetrics?.();
    entry.stopMetrics = null;
    const running = entry.running;
    entry.running = null;
    if (running) await running.stop().catch((err: Error) => this.deps.logger(entry.name).warn(`while stopping channel ${entry.name}: ${err.message}`));
  }

  private async healthOf(entry: Entry): Promise<DependencyHealth> {
    switch (entry.state) {
      case 'off':
        return { status: 'disabled', detail: entry.reason };
      case 'unresolved':
        return { status: 'degraded', detail: `does not resolve, nothing is consumed: ${entry.reason}` };
      case 'failed':
        return { status: 'down', detail: entry.reason };
      default:
        return entry.running ? entry.running.health() : { status: 'down', detail: 'stopped' };
    }
  }
}
