import { VARIABLE_PREFIX } from '../core/mapping/variables';

/**
 * Settings that definitions read as ${NAME} under their own name. MARKETING_WSDL_URL,
 * SMS_URL and USERCENTER_URL also decide whether a simulator runs (bin/bootstrap.ts fills them with the
 * simulator's URL); the RECON_* / COLLECTION_* / KAFKA_BROKERS keys of earlier versions
 * feed the shipped channel definitions (mappings/channels), with their old defaults.
 * Any other name is GRIDBUS_VAR_<NAME>; a GRIDBUS_VAR_ of one of these is refused (two
 * places for one value).
 */
export const SETTING_VARIABLES = [
  'MARKETING_WSDL_URL',
  'SMS_URL',
  'USERCENTER_URL',
  'KAFKA_BROKERS',
  'RECON_SFTP_URL',
  'RECON_SFTP_KEY_FILE',
  'RECON_SFTP_KNOWN_HOSTS',
  'RECON_FILE_LAYOUT',
  'RECON_POLL_MS',
  'COLLECTION_TOPIC',
  'COLLECTION_SHAPE',
  'COLLECTION_GROUP',
] as const;

/** Defaults of the settings above that have one (the channel definitions rely on them). */
const SETTING_DEFAULTS: Record<string, string> = {
  RECON_FILE_LAYOUT: 'marketing.reconciliation-fixed',
  RECON_POLL_MS: '5000',
  COLLECTION_TOPIC: 'e_mp_day_read',
  COLLECTION_SHAPE: 'collection.day-read-flat',
  COLLECTION_GROUP: 'gridbus-collection',
};

export const VARIABLE_KEY = new RegExp(`^${VARIABLE_PREFIX}[A-Z][A-Z0-9_]*$`);

/** `GRIDBUS_VAR_*` keys of the environment (empty counts as unset). */
export function variablesFromEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (key.startsWith(VARIABLE_PREFIX) && value !== undefined && value !== '') out[key] = value;
  }
  return out;
}

/**
 * This node's variables: the settings above (set or defaulted) and every
 * GRIDBUS_VAR_<NAME> as NAME. `fail(key, message)` reports a bad key.
 */
export function readVariables(raw: Record<string, unknown>, fail: (key: string, message: string) => never): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of SETTING_VARIABLES) {
    const v = raw[name] ?? SETTING_DEFAULTS[name];
    if (v !== undefined && v !== null && v !== '') out[name] = String(v);
  }
  for (const [key, value] of Object.entries(raw)) {
    if (!key.startsWith(VARIABLE_PREFIX)) continue;
    if (!VARIABLE_KEY.test(key)) fail(key, `Invalid configuration: ${key} is not a variable name: write ${VARIABLE_PREFIX} then upper-case letters, digits and underscores, such as ${VARIABLE_PREFIX}SFTP_PARTNER_HOST`);
    const name = key.slice(VARIABLE_PREFIX.length);
    if ((SETTING_VARIABLES as readonly string[]).includes(name)) fail(key, `Invalid configuration: ${key}: ${name} is a setting of its own: set ${name} instead`);
    if (value !== undefined && value !== null && value !== '') out[name] = String(value);
  }
  return out;
}
