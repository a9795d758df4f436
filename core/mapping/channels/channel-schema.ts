/** JSON Schema of a channel definition (mappings/channels/*.yaml). */
const name = { type: 'string', pattern: '^[a-z][a-zA-Z0-9-]*(\\.[a-z][a-zA-Z0-9-]*)+$' };
const nameOrVariable = { type: 'string', pattern: '^([a-z][a-zA-Z0-9-]*(\\.[a-z][a-zA-Z0-9-]*)+|.*\\$\\{[A-Z][A-Z0-9_]*(:-[^}]*)?\\}.*)$' };
const options = { type: 'object', propertyNames: { pattern: '^[a-zA-Z][a-zA-Z0-9.]*$' } };

const common = {
  channel: name,
  version: { type: 'integer', minimum: 1 },
  description: { type: 'string' },
  sink: { type: 'string', pattern: '^[a-z][a-z0-9-]*$' },
  activeWhenSet: { type: 'array', items: { type: 'string', pattern: '^[A-Z][A-Z0-9_]*$' }, minItems: 1, uniqueItems: true },
  options,
};

/** Where an SFTP drop is: a URL `sftp://user@host[:port]/directory`, or its parts, and the credentials. */
const SFTP_ENDPOINT = {
  type: 'object',
  additionalProperties: false,
  properties: {
    url: { type: 'string', minLength: 1 },
    host: { type: 'string', minLength: 1 },
    port: { type: ['integer', 'string'] },
    username: { type: 'string', minLength: 1 },
    directory: { type: 'string', minLength: 1 },
    password: { type: 'string' },
    privateKey: { type: 'string' },
    privateKeyFile: { type: 'string' },
    privateKeyPassphrase: { type: 'string' },
    knownHostsFile: { type: 'string' },
    knownHosts: { type: 'string' },
    strictHostKeyChecking: { type: ['boolean', 'string'] },
  },
};

/** Where a Kafka topic is (Camel's kafka: `brokers`, the `topic`, the consumer `groupId`). */
const KAFKA_ENDPOINT = {
  type: 'object',
  additionalProperties: false,
  required: ['brokers', 'groupId'],
  properties: {
    brokers: { type: 'string', minLength: 1 },
    topic: { type: 'string', minLength: 1 },
    groupId: { type: 'string', minLength: 1 },
  },
};

/** One schema per kind (chosen by `kind`), so a mistake is reported against the right keys. */
export const CHANNEL_SCHEMAS: Record<'sftp' | 'kafka', object> = {
  sftp: {
    type: 'object',
    additionalProperties: false,
    required: ['channel', 'version', 'kind', 'sink', 'layout', 'endpoint'],
    properties: { ...common, kind: { const: 'sftp' }, layout: nameOrVariable, endpoint: SFTP_ENDPOINT },
  },
  kafka: {
    type: 'object',
    additionalProperties: false,
    required: ['channel', 'version', 'kind', 'sink', 'shape', 'endpoint'],
    properties: { ...common, kind: { const: 'kafka' }, shape: nameOrVariable, endpoint: KAFKA_ENDPOINT },
  },
};
