import Ajv from 'ajv';
import { SINKS } from '../../channels/sinks';
import { definitionInvalid, DefinitionProblem, didYouMean } from '../definition-errors';
import { parseYaml } from '../files/layout-loader';
import { shapeSchemaErrors } from '../schema-messages';
import { ChannelDefinition, CompiledChannel, KIND_INPUT } from './channel-definition';
import { CHANNEL_SCHEMAS } from './channel-schema';

const ajv = new Ajv({ allErrors: true, strict: false });
const validators = { sftp: ajv.compile(CHANNEL_SCHEMAS.sftp), kafka: ajv.compile(CHANNEL_SCHEMAS.kafka) };

/**
 * Parses and validates one channel definition, reporting every problem of
 * the file at once (MAPPING_INVALID, `details.problems`). Whether its layout
 * or shape exists is checked by the bundle (it knows the other files);
 * whether its ${VARIABLES} are set, by each node that runs it.
 */
export function loadChannelText(text: string, file: string): CompiledChannel {
  const raw = parseYaml(text, file) as Record<string, unknown> | null;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw definitionInvalid(file, '(top level)', 'must be a mapping with channel, kind, sink, endpoint');
  const kind = raw.kind as string;
  if (kind !== 'sftp' && kind !== 'kafka') throw definitionInvalid(file, 'kind', `must be sftp or kafka, got ${JSON.stringify(raw.kind)}`);
  const problems: DefinitionProblem[] = [];
  const validate = validators[kind];
  if (!validate(raw)) {
    problems.push(...shapeSchemaErrors(validate.errors!));
  }
  const def = raw as unknown as ChannelDefinition;
  const sink = typeof def.sink === 'string' ? SINKS.get(def.sink) : undefined;
  if (typeof def.sink === 'string' && !sink) {
    problems.push({ path: 'sink', message: `unknown sink '${def.sink}'${didYouMean(def.sink, SINKS.keys())}; known: ${[...SINKS.keys()].join(', ')}` });
  } else if (sink && sink.input !== KIND_INPUT[kind]) {
    const fits = [...SINKS.values()].filter((s) => s.input === KIND_INPUT[kind]).map((s) => s.name);
    problems.push({ path: 'sink', message: `sink '${sink.name}' takes ${sink.input === 'file' ? 'files' : 'records'}, a ${kind} channel delivers ${KIND_INPUT[kind] === 'file' ? 'files' : 'records'}; use ${fits.join(' or ')}` });
  }
  const endpoint = (def.endpoint ?? {}) as Record<string, unknown>;
  if (kind === 'sftp' && def.endpoint) {
    const parts = ['host', 'port', 'username', 'directory'].filter((k) => endpoint[k] !== undefined);
    if (endpoint.url !== undefined && parts.length) problems.push({ path: 'endpoint', message: `give url or ${parts.join('/')}, not both` });
    if (endpoint.url === undefined) {
      for (const k of ['host', 'username']) if (endpoint[k] === undefined) problems.push({ path: 'endpoint', message: `needs url (sftp://user@host[:port]/directory) or ${k}` });
    }
  }
  if (problems.length) throw definitionInvalid(file, problems);
  return { name: def.channel, file, definition: def, service: sink!.service };
}
