/**
 * A channel as operators declare it (mappings/channels/*.yaml): where the
 * data comes from (`endpoint`, with ${VARIABLES} for hosts and secrets),
 * how it is read (a file `layout` or a topic `shape`), which canonical
 * `sink` it feeds, and the adapter's options under Camel's names.
 */
export interface ChannelDefinition {
  channel: string;
  version: number;
  description?: string;
  kind: 'sftp' | 'kafka';
  sink: string;
  /** sftp: the file layout (mappings/files) of the files. */
  layout?: string;
  /** kafka: the topic shape (mappings/topics) of the messages. */
  shape?: string;
  /** The channel runs only on nodes where all of these variables are set; elsewhere it is off (not an error). */
  activeWhenSet?: string[];
  endpoint: Record<string, unknown>;
  options?: Record<string, unknown>;
}

/** A validated definition; `${NAME}` references are still in it: each node resolves them with its own values. */
export interface CompiledChannel {
  name: string;
  file: string;
  definition: ChannelDefinition;
  /** The service whose nodes run this channel (the sink's). */
  service: string;
}

/** The input a sink must take for each kind: a drop delivers files, a topic records. */
export const KIND_INPUT = { sftp: 'file', kafka: 'records' } as const;
