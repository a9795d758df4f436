/**
 * The consumer's client settings under Kafka's own names (`session.timeout.ms`,
 * `fetch.min.bytes`…), as a channel definition writes them. One table gives
 * both the checks (every problem at once, each saying what to write instead)
 * and the JSON schema a channel definition embeds. Values may be text
 * (`"10000"`, from a `${VARIABLE}`): numbers are read from it.
 */
import type { RdkafkaValue } from './options';

interface IntSetting {
  kind: 'int';
  min: number;
  max: number;
  why: string;
  /** the reason for `min` when it is not librdkafka's own (e.g. the broker's) */
  minWhy?: string;
}
interface TextSetting {
  kind: 'text';
  why: string;
  pattern?: RegExp;
  patternHelp?: string;
  /** allowed values, compared case-insensitively, passed as written here */
  values?: readonly string[];
}
type SettingSpec = IntSetting | TextSetting;

export const KAFKA_CONSUMER_SETTINGS: Readonly<Record<string, SettingSpec>> = {
  'session.timeout.ms': {
    kind: 'int',
    min: 6000,
    max: 1800000,
    minWhy: "brokers refuse less than their group.min.session.timeout.ms (6000 by default)",
    why: 'how long the broker keeps a silent member (a crashed process) and its partitions before giving them to the others (default 10000)',
  },
  'heartbeat.interval.ms': { kind: 'int', min: 1, max: 3600000, why: 'how often the member tells the broker it is alive; about a third of session.timeout.ms (default 3000)' },
  'max.poll.interval.ms': { kind: 'int', min: 1, max: 86400000, why: 'longest time between two polls before the member is dropped; the adapter polls even while paused (default 300000)' },
  'fetch.min.bytes': { kind: 'int', min: 1, max: 100000000, why: 'the broker answers a fetch once it has this many bytes or fetch.wait.max.ms has passed (default 1)' },
  'fetch.max.bytes': { kind: 'int', min: 1000000, max: 2147483135, minWhy: "librdkafka needs at least message.max.bytes (1000000 by default)", why: 'most bytes of one fetch answer (default 52428800)' },
  'max.partition.fetch.bytes': { kind: 'int', min: 1, max: 1000000000, why: 'most bytes per partition in one fetch answer (default 1048576)' },
  'fetch.wait.max.ms': { kind: 'int', min: 0, max: 300000, why: 'longest wait of the broker for fetch.min.bytes (the adapter sets 25)' },
  'group.instance.id': {
    kind: 'text',
    pattern: /^[A-Za-z0-9._-]{1,249}$/,
    patternHelp: 'letters, digits, . _ - (at most 249), distinct for every process of the group, e.g. gridbus-${NODE_ID}',
    why: 'static membership: a process restarted with the same id within session.timeout.ms gets its partitions back at once, without a rebalance',
  },
  'auto.offset.reset': { kind: 'text', values: ['earliest', 'latest'], why: 'where a group without a committed offset starts (default earliest: nothing is skipped)' },
  'partition.assignment.strategy': { kind: 'text', values: ['range', 'roundrobin', 'cooperative-sticky', 'range,roundrobin'], why: 'how partitions are shared out (default range,roundrobin)' },
  'security.protocol': { kind: 'text', values: ['plaintext', 'ssl', 'sasl_plaintext', 'sasl_ssl'], why: 'how the brokers are reached' },
  'sasl.mechanisms': { kind: 'text', values: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'], why: 'SASL mechanism' },
  'sasl.username': { kind: 'text', why: 'SASL user' },
  'sasl.password': { kind: 'text', why: 'SASL password; write ${A_VARIABLE}, never the secret itself' },
  'ssl.ca.location': { kind: 'text', why: 'file of the CA certificate(s) the brokers are checked against' },
};

export type KafkaConsumerSettings = Partial<Record<keyof typeof KAFKA_CONSUMER_SETTINGS, string | number>>;

/** JSON schema of a settings object (for a channel definition); the checks below say the same in words. */
export const KAFKA_CONSUMER_SETTINGS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(
    Object.entries(KAFKA_CONSUMER_SETTINGS).map(([name, spec]) => [
      name,
      spec.kind === 'int'
        ? { anyOf: [{ type: 'integer', minimum: spec.min, maximum: spec.max }, { type: 'string', pattern: '^\\s*\\d+\\s*$' }], description: spec.why }
        : { type: 'string', minLength: 1, description: spec.values ? `${spec.why}: ${spec.values.join(' | ')}` : spec.why },
    ]),
  ),
} as const;

/**
 * Checks settings and returns them as librdkafka properties (numbers as
 * numbers), adding to `problems` what is wrong. Cross-checks: heartbeat
 * below session timeout, max.poll.interval.ms not below it.
 */
export function resolveConsumerSettings(settings: unknown, problems: string[]): Record<string, RdkafkaValue> {
  const out: Record<string, RdkafkaValue> = {};
  if (settings === undefined) return out;
  if (settings === null || typeof settings !== 'object' || Array.isArray(settings)) {
    problems.push("settings must be an object of Kafka settings, e.g. { 'session.timeout.ms': 10000 }");
    return out;
  }
  for (const [name, value] of Object.entries(settings as Record<string, unknown>)) {
    const spec = KAFKA_CONSUMER_SETTINGS[name];
    if (!spec) {
      const near = Object.keys(KAFKA_CONSUMER_SETTINGS).find((k) => k.replace(/[._]/g, '') === name.toLowerCase().replace(/[._]/g, ''));
      problems.push(`unknown Kafka setting '${name}'${near ? `: did you mean '${near}'?` : ''} (known: ${Object.keys(KAFKA_CONSUMER_SETTINGS).join(', ')})`);
      continue;
    }
    if (spec.kind === 'int') {
      const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
      if (!Number.isInteger(n)) {
        problems.push(`settings '${name}' must be a whole number of ${name.endsWith('.ms') ? 'milliseconds' : 'bytes'} (got ${JSON.stringify(value)})`);
      } else if (n < spec.min || n > spec.max) {
        const floor = n < spec.min && spec.minWhy ? `: ${spec.minWhy}` : '';
        problems.push(`settings '${name}' must be between ${spec.min} and ${spec.max} (got ${n})${floor}`);
      } else {
        out[name] = n;
      }
      continue;
    }
    if (typeof value !== 'string' || !value.trim()) {
      problems.push(`settings '${name}' must be non-empty text (got ${JSON.stringify(value)})`);
    } else if (spec.values) {
      const found = spec.values.find((v) => v.toLowerCase() === value.trim().toLowerCase());
      if (found) out[name] = found;
      else problems.push(`settings '${name}' must be one of ${spec.values.join(' | ')} (got '${value}')`);
    } else if (spec.pattern && !spec.pattern.test(value)) {
      problems.push(`settings '${name}' must be ${spec.patternHelp} (got '${value}')`);
    } else {
      out[name] = value;
    }
  }
  return out;
}

/** Cross-checks of the timing settings, once defaults are in. */
export function checkConsumerTimings(config: Record<string, RdkafkaValue>, problems: string[]): void {
  const session = Number(config['session.timeout.ms']);
  const heartbeat = config['heartbeat.interval.ms'] === undefined ? undefined : Number(config['heartbeat.interval.ms']);
  const maxPoll = Number(config['max.poll.interval.ms']);
  if (heartbeat !== undefined && heartbeat >= session) {
    problems.push(`heartbeat.interval.ms (${heartbeat}) must be below session.timeout.ms (${session}); write about a third of it, e.g. ${Math.max(1, Math.floor(session / 3))}`);
  }
  if (maxPoll < session) problems.push(`max.poll.interval.ms (${maxPoll}) must not be below session.timeout.ms (${session})`);
}
