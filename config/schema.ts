/**
 * Every setting the bus reads, as environment variable names. A config file
 * (GRIDBUS_CONFIG, JSON or YAML) may hold the same keys; the environment wins.
 * `description` doubles as the "value expected" in start-up errors.
 */
export const CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    NODE_ID: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$', description: 'a node name of letters, digits, dot, dash or underscore' },
    BUS_NAMESPACE: { type: 'string', pattern: '^[a-z0-9-]{1,32}$', description: 'lower-case letters, digits and dashes (nodes only see others in the same namespace)' },
    SERVICES: { type: 'string', pattern: '^(all|[a-z][a-z0-9-]*(,[a-z][a-z0-9-]*)*)$', description: "'all' or a comma-separated list of service names such as gateway,billing,marketing" },
    NATS_URL: { type: 'string', pattern: '^nats://[^\\s]+$', description: 'a NATS URL such as nats://127.0.0.1:4222 (comma-separated for a cluster)' },
    DATABASE_URL: { type: 'string', pattern: '^postgres(ql)?://[^\\s]+$', description: 'a PostgreSQL URL such as postgres://user:pass@127.0.0.1:5432/gridbus' },
    EMBEDDED_PG_DIR: { type: 'string', minLength: 1, description: 'a directory for the embedded PostgreSQL data' },
    EMBEDDED_PG_PORT: { type: 'integer', minimum: 1024, maximum: 65535, description: 'a TCP port 1024-65535' },
    HTTP_HOST: { type: 'string', minLength: 1, description: 'an address to listen on, such as 127.0.0.1' },
    HTTP_PORT: { type: 'integer', minimum: 0, maximum: 65535, description: 'a TCP port 0-65535 (0 picks a free one)' },
    JWT_SECRET: { type: 'string', minLength: 32, description: 'a secret of at least 32 characters' },
    JWT_ISSUER: { type: 'string', minLength: 1, description: 'the issuer (iss) put in and required of tokens' },
    JWT_AUDIENCE: { type: 'string', minLength: 1, description: 'the audience (aud) put in and required of tokens' },
    PII_ENC_KEY: { type: 'string', pattern: '^[0-9a-fA-F]{64}$', description: '32 bytes as 64 hex characters (AES-256-GCM key)' },
    PII_HASH_KEY: { type: 'string', pattern: '^[0-9a-fA-F]{64}$', description: '32 bytes as 64 hex characters (HMAC-SHA256 key)' },
    MARKETING_WSDL_URL: { type: 'string', pattern: '^https?://[^\\s]+$', description: 'the http(s) URL of the marketing system WSDL' },
    SMS_URL: { type: 'string', pattern: '^https?://[^\\s]+[^/]$', description: 'the base http(s) URL of the SMS platform, without a trailing slash' },
    SIMULATORS: { type: 'string', enum: ['auto', 'on', 'off'], description: "'auto' (in-process when no back-office URL is set), 'on' or 'off'" },
    SIMULATOR_PORT: { type: 'integer', minimum: 0, maximum: 65535, description: 'a TCP port 0-65535 for the in-process simulators (0 picks a free one)' },
    KAFKA_BROKERS: { type: 'string', pattern: '^[^\\s,]+:\\d+(,[^\\s,]+:\\d+)*$', description: 'host:port[,host:port...]' },
    MAPPINGS_DIR: { type: 'string', minLength: 1, description: 'the directory holding mapping definitions' },
    LOG_LEVEL: { type: 'string', enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace'], description: 'one of fatal, error, warn, info, debug, trace' },
    REQUEST_TIMEOUT_MS: { type: 'integer', minimum: 100, maximum: 600000, description: 'milliseconds 100-600000' },
    VAR_DIR: { type: 'string', minLength: 1, description: 'a directory for local state (embedded database, keys)' },
  },
} as const;

export type ConfigKey = keyof typeof CONFIG_SCHEMA.properties;

export const INTEGER_KEYS: ReadonlySet<string> = new Set(
  Object.entries(CONFIG_SCHEMA.properties)
    .filter(([, def]) => def.type === 'integer')
    .map(([key]) => key),
);
