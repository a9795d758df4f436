import type { Readable } from 'stream';
import type { DataSource } from 'typeorm';
import type { DependencyHealth } from '../health';
import type { CompiledFileLayout } from '../mapping/files';
import type { CompiledTopicShape } from '../mapping/topics';

/** Moleculer's logger fits this. */
export interface ChannelLogger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

/** What a running channel offers the runtime: one contract for every kind. */
export interface RunningChannel {
  /** The adapter's id (metrics label). */
  readonly adapterId: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  health(): Promise<DependencyHealth>;
  metrics(): object;
  /** Looks for input now instead of waiting for the timer (file drops). */
  poll?(): Promise<unknown>;
}

/** A file as a file sink receives it. */
export interface ReceivedFile {
  name: string;
  size: number;
  mtime: Date;
}

/** A message as a record sink receives it, decoded by the channel's topic shape. */
export interface ReceivedRecord {
  record: Record<string, unknown>;
  topic: string;
  partition: number;
  offset: number;
}

interface SinkBase {
  /** The name a definition's `sink:` uses. */
  name: string;
  /** The service whose nodes run the channels feeding this sink. */
  service: string;
  /** One line for the docs and validation messages. */
  description: string;
}

/** Takes whole files, read with a file layout (`kind: sftp`). */
export interface FileSink extends SinkBase {
  input: 'file';
  /** Loads one file; resolves with a line for the log. Rejecting moves the file to moveFailed. */
  write(ds: DataSource, layout: CompiledFileLayout, body: Readable, file: ReceivedFile): Promise<string>;
}

/** Takes batches of canonical records decoded with a topic shape (`kind: kafka`). */
export interface RecordSink extends SinkBase {
  input: 'records';
  write(ds: DataSource, records: ReceivedRecord[]): Promise<void>;
}

export type ChannelSink = FileSink | RecordSink;

/** What a kind needs to build a channel; the layout or shape is read from the active release at each use. */
export interface ChannelDeps {
  dataSource: DataSource;
  logger: ChannelLogger;
  /** The layout (sftp) or shape (kafka) the channel names, from the release active now. */
  layout(): CompiledFileLayout;
  shape(): CompiledTopicShape;
}

/** A channel whose ${VARIABLES} are resolved with this node's values. */
export interface ResolvedChannel {
  name: string;
  kind: 'sftp' | 'kafka';
  sink: ChannelSink;
  /** The layout or shape name, resolved. */
  reads: string;
  endpoint: Record<string, unknown>;
  options: Record<string, unknown>;
}

/** One kind of channel (an SFTP drop, a Kafka topic). Adding a kind is one file and a line in kinds/index.ts. */
export interface ChannelKind {
  kind: 'sftp' | 'kafka';
  /** The input a sink must take for this kind. */
  sinkInput: 'file' | 'records';
  /** Which compiled definition the channel reads with. */
  reads: 'layout' | 'shape';
  /**
   * Builds the adapter without starting it. Bad options (an unknown Camel
   * name, a bad value) throw CONFIG_INVALID: the channel is then unresolved.
   */
  create(channel: ResolvedChannel, deps: ChannelDeps): RunningChannel;
}
