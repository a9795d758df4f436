/** Writes docs/configuration.md from config/schema.ts (run: npx ts-node --transpile-only scripts/config-doc.ts). */
import * as fs from 'fs';
import * as path from 'path';
import { CONFIG_SCHEMA } from '../config/schema';

const rows = Object.entries(CONFIG_SCHEMA.properties).map(([key, def]) => `| \`${key}\` | ${(def as { description: string }).description.replace(/\|/g, '\\|')} |`);
const text = `# Configuration

One module reads configuration: \`config/index.ts\`, against the schema in \`config/schema.ts\`
(this page is generated from it: \`npx ts-node --transpile-only scripts/config-doc.ts\`). Values come
from the environment, and optionally from a file named by \`GRIDBUS_CONFIG\` (JSON or YAML holding the
same keys); the environment wins. A bad value stops the start with exit code 2 and a message naming
the key and what was expected, e.g.
\`Invalid configuration: NATS_URL must be a NATS URL such as nats://127.0.0.1:4222 (got "http://x")\`.
Secrets (JWT keys, PII keys, Alipay keys, the bootstrap password) are never echoed.

Nothing needs to be set for the embedded default (\`npm start\`): no \`NATS_URL\` means one process;
no \`DATABASE_URL\` means the embedded PostgreSQL under \`VAR_DIR/pg\`; no back-office URL means the
simulators run in-process (\`SIMULATORS=auto\`). Gateway policy settings are explained in
[security.md](security.md).

Keys: there is no built-in key. The embedded default (neither \`DATABASE_URL\` nor \`NATS_URL\`) makes
its own once, in \`VAR_DIR\` (mode 0600; back them up with the data): the JWT key ring
\`jwt/keys.json\` and the PII pair \`pii/keys.json\`. Any other start must be given \`JWT_SECRET\` (or
\`JWT_KEYS\`), and \`PII_ENC_KEY\`/\`PII_HASH_KEY\` where the binding service runs, the same on every
node, or it stops with exit code 2 naming the setting, e.g. \`JWT_SECRET=$(openssl rand -base64 48)\`.

\`/health\`, \`/metrics\` and \`/admin\` answer this machine only (loopback) until told otherwise; the
start log says so. To let a monitoring or operators' network in, list it, keeping loopback if
local tools use it: \`GATEWAY_OPS_ALLOW=127.0.0.1,::1,10.20.0.0/16\` (health and metrics),
\`GATEWAY_ADMIN_ALLOW=127.0.0.1,::1,10.30.1.0/24\` (operators' API). Behind a reverse proxy also set
\`GATEWAY_TRUSTED_PROXIES\` to the proxy's address, so the client's own address is checked.
Credentials written into URLs (\`DATABASE_URL\`, \`NATS_URL\`, back-office URLs) are shown as
\`user:***@\` in the log, \`/health\`, error messages and metric labels.

| key | expected value |
| --- | --- |
${rows.join('\n')}

## Mapping variables

Any \`\${NAME}\` in a mapping definition (an operation's endpoint, a channel's host, user, key
file, directory, topic...) is read from this node's configuration, as \`GRIDBUS_VAR_<NAME>\` in the
environment or the config file: \`GRIDBUS_VAR_SFTP_PARTNER_HOST=sftp.partner.example\` fills
\`\${SFTP_PARTNER_HOST}\`. NAME is upper-case letters, digits and underscores; another spelling
stops the start (exit code 2). A few names are settings of their own and are written without the
prefix (\`GRIDBUS_VAR_\` of them is refused, two places for one value): \`MARKETING_WSDL_URL\` and
\`SMS_URL\` (a simulator fills them in the embedded default), and the keys that feed the shipped
channels (mappings/channels): \`KAFKA_BROKERS\`, \`RECON_SFTP_URL\`, \`RECON_SFTP_KEY_FILE\`,
\`RECON_SFTP_KNOWN_HOSTS\`, \`RECON_FILE_LAYOUT\` (default marketing.reconciliation-fixed),
\`RECON_POLL_MS\` (default 5000), \`COLLECTION_TOPIC\` (default e_mp_day_read), \`COLLECTION_SHAPE\`
(default collection.day-read-flat), \`COLLECTION_GROUP\` (default gridbus-collection). These keep
working as before; a new drop or topic is declared in mappings/channels with its own
\`GRIDBUS_VAR_*\` names instead of new settings.

A variable that a definition needs and a node does not set is named at validate and publish
(\`variable SFTP_PARTNER_HOST is not set on node worker-2: set GRIDBUS_VAR_SFTP_PARTNER_HOST\`),
never replaced by an empty text; a channel that reaches a node without it is shown degraded in
/health and consumes nothing (docs/mappings-files-topics.md, Channels).
`;
fs.writeFileSync(path.resolve(__dirname, '../docs/configuration.md'), text);
process.stdout.write(`docs/configuration.md: ${rows.length} keys\n`);
