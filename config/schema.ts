/**
 * Every setting the bus reads, as environment variable names. A config file
 * (GRIDBUS_CONFIG, JSON or YAML) may hold the same keys; the environment wins.
 * `description` doubles as the "value expected" in start-up errors.
 */
export const CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  // GRIDBUS_VAR_<NAME>: a value for ${NAME} in mapping definitions (config/variables.ts)
  patternProperties: { '^GRIDBUS_VAR_[A-Z][A-Z0-9_]*$': { type: ['string', 'number', 'boolean'] } },
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
    JWT_SECRET: { type: 'string', minLength: 32, description: 'a secret of at least 32 characters that signs and checks tokens (JWT_SECRET or JWT_KEYS is required unless the embedded default, which generates a ring in VAR_DIR/jwt/keys.json)' },
    JWT_KEYS: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,32}:[^,\\s]{32,}(,[A-Za-z0-9_-]{1,32}:[^,\\s]{32,})*$', description: 'kid:secret[,kid:secret...] with secrets of at least 32 characters (the key ring; used instead of JWT_SECRET when set)' },
    JWT_ACTIVE_KID: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,32}$', description: 'the key id of JWT_KEYS that signs new tokens' },
    ADMIN_BOOTSTRAP_USER: { type: 'string', pattern: '^[a-z][a-z0-9._-]{2,31}$', description: 'the user name of the first operator, created when none exists' },
    ADMIN_BOOTSTRAP_PASSWORD: { type: 'string', minLength: 12, description: 'the password of the first operator (at least 12 characters)' },
    JWT_ISSUER: { type: 'string', minLength: 1, description: 'the issuer (iss) put in and required of tokens' },
    JWT_AUDIENCE: { type: 'string', minLength: 1, description: 'the audience (aud) put in and required of tokens' },
    PII_ENC_KEY: { type: 'string', pattern: '^[0-9a-fA-F]{64}$', description: '32 bytes as 64 hex characters (AES-256-GCM key)' },
    PII_HASH_KEY: { type: 'string', pattern: '^[0-9a-fA-F]{64}$', description: '32 bytes as 64 hex characters (HMAC-SHA256 key)' },
    MARKETING_WSDL_URL: { type: 'string', pattern: '^https?://[^\\s]+$', description: 'the http(s) URL of the marketing system WSDL' },
    SMS_URL: { type: 'string', pattern: '^https?://[^\\s]+[^/]$', description: 'the base http(s) URL of the SMS platform, without a trailing slash' },
    RECON_SFTP_URL: { type: 'string', pattern: '^sftp://[^@\\s/]+@[^\\s/:]+(:\\d+)?/.*$', description: 'the SFTP drop of the marketing reconciliation files, as sftp://user@host[:port]/directory' },
    RECON_SFTP_KEY_FILE: { type: 'string', minLength: 1, description: 'the private key file for RECON_SFTP_URL' },
    RECON_SFTP_KNOWN_HOSTS: { type: 'string', minLength: 1, description: 'the known_hosts file holding the host key of RECON_SFTP_URL' },
    RECON_FILE_LAYOUT: { type: 'string', pattern: '^[a-z][a-zA-Z0-9._-]*$', description: 'the layout name (mappings/files) of the reconciliation files, such as marketing.reconciliation-fixed' },
    RECON_POLL_MS: { type: 'integer', minimum: 100, maximum: 3600000, description: 'milliseconds 100-3600000 between polls of the drop' },
    COLLECTION_TOPIC: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,249}$', description: 'the Kafka topic of daily meter readings, such as e_mp_day_read' },
    COLLECTION_SHAPE: { type: 'string', pattern: '^[a-z][a-zA-Z0-9._-]*$', description: 'the topic shape (mappings/topics) of its messages, such as collection.day-read-flat' },
    COLLECTION_GROUP: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,200}$', description: 'the Kafka consumer group of the bus for that topic' },
    SIMULATORS: { type: 'string', enum: ['auto', 'on', 'off'], description: "'auto' (in-process when no back-office URL is set), 'on' or 'off'" },
    SIMULATOR_PORT: { type: 'integer', minimum: 0, maximum: 65535, description: 'a TCP port 0-65535 for the in-process simulators (0 picks a free one)' },
    KAFKA_BROKERS: { type: 'string', pattern: '^[^\\s,]+:\\d+(,[^\\s,]+:\\d+)*$', description: 'host:port[,host:port...]' },
    MAPPINGS_DIR: { type: 'string', minLength: 1, description: 'the directory holding mapping definitions' },
    LOG_LEVEL: { type: 'string', enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace'], description: 'one of fatal, error, warn, info, debug, trace' },
    BINDING_CACHE_MS: { type: 'integer', minimum: 0, maximum: 3600000, description: 'milliseconds 0-3600000 a node may remember a binding it found active (0 = ask the database every time)' },
    MESSAGE_LOG_OK_PER_SECOND: { type: 'integer', minimum: 0, maximum: 100000, description: 'successful back-office exchanges 0-100000 of one operation a node records per second in the message log (default 10; 0 = none)' },
    MESSAGE_LOG_FAILED_PER_SECOND: { type: 'integer', minimum: 0, maximum: 100000, description: 'failed back-office exchanges 0-100000 of one operation a node records per second in the message log (default 100; 0 = none)' },
    STATISTICS_RETENTION_DAYS: { type: 'integer', minimum: 1, maximum: 3650, description: 'days 1-3650 that access events are kept for the statistics (default 90)' },
    REQUEST_TIMEOUT_MS: { type: 'integer', minimum: 100, maximum: 600000, description: 'milliseconds 100-600000' },
    VAR_DIR: { type: 'string', minLength: 1, description: 'a directory for local state (embedded database, keys)' },
    ALIPAY_GATEWAY_URL: { type: 'string', pattern: '^https?://[^\\s]+$', description: 'the http(s) URL of the Alipay OpenAPI gateway (ending in /gateway.do)' },
    ALIPAY_APP_ID: { type: 'string', pattern: '^[0-9]{8,32}$', description: 'the Alipay application id (digits, such as 2021000000000001)' },
    ALIPAY_APP_PRIVATE_KEY: { type: 'string', minLength: 64, description: 'our application RSA private key: PEM, or the base64 text of the Alipay console' },
    ALIPAY_APP_PRIVATE_KEY_FILE: { type: 'string', minLength: 1, description: 'a file holding our application RSA private key' },
    ALIPAY_APP_PUBLIC_KEY: { type: 'string', minLength: 64, description: 'our application RSA public key: PEM, or base64 (derived from the private key when not set)' },
    ALIPAY_APP_PUBLIC_KEY_FILE: { type: 'string', minLength: 1, description: 'a file holding our application RSA public key' },
    ALIPAY_PUBLIC_KEY: { type: 'string', minLength: 64, description: "Alipay's RSA public key: PEM, or the base64 text of the Alipay console" },
    ALIPAY_PUBLIC_KEY_FILE: { type: 'string', minLength: 1, description: "a file holding Alipay's RSA public key" },
    GATEWAY_ALIPAY_ALLOW: { type: 'string', pattern: '^(any|none|[0-9A-Fa-f:./,\\s]+)$', description: 'any, none, or comma-separated IP addresses or CIDR blocks allowed to call /alipay, such as 110.75.0.0/16,127.0.0.1' },
    // gateway security policies (config/gateway.ts, docs/security.md)
    GATEWAY_TRUSTED_PROXIES: { type: 'string', pattern: '^(none|[0-9A-Fa-f:./,\\s]+)$', description: 'none, or comma-separated IP addresses or CIDR blocks of the proxies whose X-Forwarded-For is believed' },
    GATEWAY_OPS_ALLOW: { type: 'string', pattern: '^(any|none|[0-9A-Fa-f:./,\\s]+)$', description: 'any, none, or comma-separated IP addresses or CIDR blocks allowed to read /health and /metrics (default loopback only: 127.0.0.0/8,::1/128)' },
    GATEWAY_ADMIN_ALLOW: { type: 'string', pattern: '^(any|none|[0-9A-Fa-f:./,\\s]+)$', description: 'any, none, or comma-separated IP addresses or CIDR blocks allowed to call /admin (default loopback only: 127.0.0.0/8,::1/128)' },
    GATEWAY_API_ALLOW: { type: 'string', pattern: '^(any|none|[0-9A-Fa-f:./,\\s]+)$', description: 'any, none, or comma-separated IP addresses or CIDR blocks allowed to call /api' },
    GATEWAY_API_DENY: { type: 'string', pattern: '^(none|[0-9A-Fa-f:./,\\s]+)$', description: 'none, or comma-separated IP addresses or CIDR blocks refused on /api' },
    GATEWAY_IP_LIMIT: { type: 'string', pattern: '^(off|[1-9][0-9]*/(second|minute|hour|day|[1-9][0-9]*[smh]))$', description: "off, or requests per client IP before a ban, such as 1200/minute or 100/10s" },
    GATEWAY_IP_BAN_SECONDS: { type: 'integer', minimum: 1, maximum: 604800, description: 'seconds 1-604800 (the first ban; doubled on each repeat)' },
    GATEWAY_IP_BAN_MAX_SECONDS: { type: 'integer', minimum: 1, maximum: 604800, description: 'seconds 1-604800 (the longest ban)' },
    GATEWAY_IP_FORGET_AFTER_SECONDS: { type: 'integer', minimum: 1, maximum: 604800, description: 'seconds 1-604800 (how long offences are remembered)' },
    GATEWAY_RATE_LIMIT_USER: { type: 'string', pattern: '^(off|[1-9][0-9]*/(second|minute|hour|day)(,[1-9][0-9]*/(second|minute|hour|day))*)$', description: 'off, or requests per user such as 300/minute or 10/second,300/minute' },
    GATEWAY_SHARED_STORE: { type: 'string', enum: ['auto', 'local', 'nats'], description: "'auto' (NATS KV when a NATS URL is known), 'local' or 'nats'" },
    GATEWAY_SHARED_STORE_URL: { type: 'string', pattern: '^nats://[^\\s]+$', description: 'a NATS URL (with JetStream) for the shared counters; default NATS_URL' },
    GATEWAY_SHARED_STORE_TIMEOUT_MS: { type: 'integer', minimum: 5, maximum: 5000, description: 'milliseconds 5-5000' },
    GATEWAY_SHARED_STORE_SYNC_MS: { type: 'integer', minimum: 0, maximum: 10000, description: 'milliseconds 0-10000 (0 = every hit waits for the store)' },
    GATEWAY_MAX_HEADERS: { type: 'integer', minimum: 10, maximum: 1000, description: 'a number of request headers 10-1000' },
    GATEWAY_MAX_HEADER_BYTES: { type: 'integer', minimum: 1024, maximum: 1048576, description: 'bytes 1024-1048576 (all request headers together)' },
    GATEWAY_MAX_JSON_DEPTH: { type: 'integer', minimum: 1, maximum: 1000, description: 'a JSON nesting depth 1-1000' },
    GATEWAY_CORS_ORIGINS: { type: 'string', pattern: '^(none|[^\\s,]+(\\s*,\\s*[^\\s,]+)*)$', description: 'none, or comma-separated origins (https://host:port) whose browsers may call the gateway cross-origin' },
    GATEWAY_POLICIES: { type: ['object', 'string'], description: 'per route group / per route policy overrides: a mapping in the config file, or JSON (see docs/security.md)' },
  },
} as const;

export type ConfigKey = keyof typeof CONFIG_SCHEMA.properties;

export const INTEGER_KEYS: ReadonlySet<string> = new Set(
  Object.entries(CONFIG_SCHEMA.properties)
    .filter(([, def]) => def.type === 'integer')
    .map(([key]) => key),
);
