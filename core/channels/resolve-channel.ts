import type { CompiledBundle, MappingProblem } from '../mapping/bundle';
import type { CompiledChannel } from '../mapping/channels/channel-definition';
import { didYouMean } from '../mapping/definition-errors';
import { substituteVariables, unsetVariableMessage, Variables } from '../mapping/variables';
import { ResolvedChannel } from './contract';
import { SINKS } from './sinks';

export type ChannelResolution =
  /** activeWhenSet names a variable this node does not set: the channel does not run here, by design. */
  | { state: 'off'; reason: string }
  /** The definition does not resolve here: nothing is consumed until a release (or this node's settings) fix it. */
  | { state: 'unresolved'; reason: string; problems: MappingProblem[] }
  | { state: 'ready'; channel: ResolvedChannel; fingerprint: string };

/**
 * Resolves a channel on this node: its ${VARIABLES} with this node's values
 * and its layout or shape in `bundle`. Every problem is listed, each naming
 * the channel's file, the place and what to set.
 */
export function resolveChannel(compiled: CompiledChannel, bundle: CompiledBundle, variables: Variables): ChannelResolution {
  const def = compiled.definition;
  const missingSwitch = (def.activeWhenSet ?? []).filter((n) => variables[n] === undefined || variables[n] === '');
  if (missingSwitch.length) return { state: 'off', reason: `off on this node: ${missingSwitch.join(', ')} not set (activeWhenSet)` };
  const problems: MappingProblem[] = [];
  const resolve = (value: unknown, path: string) => {
    const r = substituteVariables(value, variables, path);
    for (const u of r.unset) problems.push({ file: compiled.file, path: u.path, message: `channel '${compiled.name}': ${unsetVariableMessage(variables, u.name)}` });
    return r.value;
  };
  const endpoint = resolve(def.endpoint, 'endpoint') as Record<string, unknown>;
  const options = (resolve(def.options ?? {}, 'options') ?? {}) as Record<string, unknown>;
  const key = def.kind === 'sftp' ? 'layout' : 'shape';
  const reads = String(resolve(def.kind === 'sftp' ? def.layout : def.shape, key));
  const known: Map<string, unknown> = def.kind === 'sftp' ? bundle.fileLayouts : bundle.topicShapes;
  if (reads && !problems.some((p) => p.path === key) && !known.has(reads)) {
    problems.push({ file: compiled.file, path: key, message: `channel '${compiled.name}': no ${key} '${reads}' in this release${didYouMean(reads, known.keys())}; known: ${[...known.keys()].join(', ') || '(none)'}` });
  }
  if (problems.length) return { state: 'unresolved', reason: problems.map((p) => `${p.path}: ${p.message}`).join('; '), problems };
  const channel: ResolvedChannel = { name: compiled.name, kind: def.kind, sink: SINKS.get(def.sink)!, reads, endpoint, options };
  return { state: 'ready', channel, fingerprint: JSON.stringify({ kind: def.kind, sink: def.sink, reads, endpoint, options }) };
}
