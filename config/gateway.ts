import * as net from 'net';
import Ajv from 'ajv';
import { policyLevelSchema } from '../services/gateway/policies/catalog';
import { ORIGIN_PATTERN } from '../services/gateway/policies/cors';

/**
 * Gateway security policies: the GATEWAY_* keys (schema in schema.ts) read
 * into one typed object. Option names follow Kong / APISIX where they have
 * one (`ip-restriction`: allow, deny, status, message; `rate-limiting`:
 * second, minute, hour, day, limitBy, hideClientHeaders). docs/security.md
 * describes each policy.
 */

/** Kong `ip-restriction`. No `allow` lets everyone in (but `deny`); `allow: []` lets nobody in. */
export interface IpRestrictionOptions {
  allow?: string[];
  deny?: string[];
  /** Status of the refusal. Default 403. */
  status?: number;
  message?: string;
}

/** IP high-frequency control: over `threshold` requests in `window` seconds → banned. */
export interface IpLimitOptions {
  threshold: number;
  /** Sliding window, seconds. */
  window: number;
  /** First ban, seconds; doubled on each repeat offence. */
  banSeconds: number;
  maxBanSeconds: number;
  /** Offences are remembered this long (seconds) after the last one. */
  forgetAfter: number;
  /** What is counted: every request (default), or only requests refused before their body (operator routes). */
  count?: 'requests' | 'refusals';
}

/** Kong `rate-limiting`: requests allowed per fixed window, by consumer (JWT sub) or IP. */
export interface RateLimitingOptions {
  second?: number;
  minute?: number;
  hour?: number;
  day?: number;
  /** `consumer` (the token's subject; anonymous callers fall back to IP) or `ip`. Default consumer. */
  limitBy?: 'consumer' | 'ip';
  /** Leave out the RateLimit-* headers. Default false. */
  hideClientHeaders?: boolean;
}

export interface HygieneOptions {
  /** Largest request body, body-parser syntax (`64kb`, `2mb`). */
  bodyLimit?: string;
  /** Media types a request body may have. Default `application/json`. */
  allowedContentTypes?: string[];
  /** Deepest JSON nesting of a body. */
  maxJsonDepth?: number;
}

/** CORS: the origins whose browsers may call (none by default), and how long a preflight answer is kept. */
export interface CorsOptions {
  origins: string[];
  /** Seconds (Access-Control-Max-Age). */
  maxAge: number;
}

/** What GATEWAY_POLICIES may say for a route group or one route; `false` switches a limit off. */
export interface PolicyOverrides {
  ipRestriction?: IpRestrictionOptions;
  ipLimit?: Partial<IpLimitOptions> | false;
  rateLimiting?: RateLimitingOptions | false;
  hygiene?: HygieneOptions;
  cors?: Partial<CorsOptions> | false;
}

export interface GroupPolicyOverrides extends PolicyOverrides {
  /** Per route, keyed like the route's alias: `GET accounts/:accountNo/arrears`. */
  routes?: Record<string, PolicyOverrides>;
}

export interface GatewayPolicyConfig {
  /** Proxies whose X-Forwarded-For is believed. Default none. */
  trustedProxies: string[];
  /** Who may read /health and /metrics. Default loopback only. */
  opsAllow: string[];
  /** Who may call /admin. Default loopback only. */
  adminAllow: string[];
  /** Who may call /api. Default everyone. */
  apiAllow: string[];
  apiDeny: string[];
  ipLimit: IpLimitOptions | false;
  /** Per user on /api. */
  rateLimitUser: RateLimitingOptions | false;
  store: {
    /** auto = NATS KV when a NATS URL is known, else local. */
    kind: 'auto' | 'local' | 'nats';
    /** Defaults to NATS_URL. */
    natsUrl: string | null;
    timeoutMs: number;
    /**
     * Kong's `sync_rate`: counters are kept in memory and sent to the shared
     * store this often (ms); 0 = every hit waits for the store (exact limits,
     * a store round trip per request and limit).
     */
    syncMs: number;
  };
  maxHeaders: number;
  maxHeaderBytes: number;
  maxJsonDepth: number;
  /** GATEWAY_CORS_ORIGINS: browsers of these origins may call cross-origin. Default none. */
  cors: CorsOptions;
  /** GATEWAY_POLICIES: per route group and per route overrides. */
  policies: Record<string, GroupPolicyOverrides>;
}

/**
 * Default of GATEWAY_OPS_ALLOW and GATEWAY_ADMIN_ALLOW: this machine only. A private range is
 * not a trusted one (every container, VPN user and neighbour host is in it); which network may
 * read health and metrics or reach the operators' API is the operator's decision.
 */
export const LOOPBACK = ['127.0.0.0/8', '::1/128'];

export const EVERYONE = ['0.0.0.0/0', '::/0'];

type Fail = (key: string, message: string) => never;

/** An IP address or a CIDR block, IPv4 or IPv6. */
export function isCidr(entry: string): boolean {
  const [ip, bits, extra] = entry.split('/');
  const family = net.isIP(ip);
  if (!family || extra !== undefined) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32));
}

/** `any` = everyone, `none` = nobody listed, else comma-separated addresses / CIDR blocks. */
function cidrList(raw: Record<string, unknown>, key: string, fallback: string[], fail: Fail): string[] {
  const text = raw[key] as string | undefined;
  if (text === undefined) return [...fallback];
  const value = text.trim();
  if (value === 'none') return [];
  if (value === 'any') return [...EVERYONE];
  const entries = value.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = entries.find((e) => !isCidr(e));
  if (bad !== undefined) {
    fail(key, `Invalid configuration: ${key} must be any, none, or comma-separated IP addresses or CIDR blocks such as 10.0.0.0/8,::1 (got ${JSON.stringify(bad)})`);
  }
  return entries;
}

/** `none` (default) or comma-separated origins such as https://pay.example.com,http://localhost:3000. */
function corsOrigins(raw: Record<string, unknown>, fail: Fail): string[] {
  const value = ((raw.GATEWAY_CORS_ORIGINS as string | undefined) ?? 'none').trim();
  if (value === 'none') return [];
  const entries = value.split(',').map((s) => s.trim()).filter(Boolean);
  const origin = new RegExp(ORIGIN_PATTERN);
  const bad = entries.find((e) => !origin.test(e));
  if (bad !== undefined) {
    fail('GATEWAY_CORS_ORIGINS', `Invalid configuration: GATEWAY_CORS_ORIGINS must be none or comma-separated origins such as https://pay.example.com (scheme, host and port only; got ${JSON.stringify(bad)})`);
  }
  return entries;
}

const UNIT_SECONDS: Record<string, number> = { second: 1, minute: 60, hour: 3600, day: 86400 };

/** `1200/minute` or `100/10s` → threshold and window (seconds). */
function ipLimit(raw: Record<string, unknown>): IpLimitOptions | false {
  const text = (raw.GATEWAY_IP_LIMIT as string | undefined) ?? '1200/minute';
  if (text === 'off') return false;
  const [count, per] = text.split('/');
  const m = /^(\d+)([smh])$/.exec(per);
  const window = m ? Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] as 's' | 'm' | 'h'] : UNIT_SECONDS[per];
  return {
    threshold: Number(count),
    window,
    banSeconds: (raw.GATEWAY_IP_BAN_SECONDS as number | undefined) ?? 60,
    maxBanSeconds: (raw.GATEWAY_IP_BAN_MAX_SECONDS as number | undefined) ?? 3600,
    forgetAfter: (raw.GATEWAY_IP_FORGET_AFTER_SECONDS as number | undefined) ?? 86400,
  };
}

/** `300/minute` or `10/second,300/minute` → { second: 10, minute: 300 }. */
function rates(text: string): RateLimitingOptions | false {
  if (text === 'off') return false;
  const out: RateLimitingOptions = {};
  for (const part of text.split(',')) {
    const [count, unit] = part.trim().split('/');
    out[unit as 'second' | 'minute' | 'hour' | 'day'] = Number(count);
  }
  return out;
}

/** Built from the policies' own option schemas (services/gateway/policies/catalog.ts). */
const OVERRIDES = policyLevelSchema();
const POLICIES_SCHEMA = {
  type: 'object',
  propertyNames: { pattern: '^[a-z][a-z0-9-]*$' },
  additionalProperties: {
    ...OVERRIDES,
    properties: {
      ...OVERRIDES.properties,
      routes: {
        type: 'object',
        propertyNames: { pattern: '^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|\\*) \\S*$' },
        additionalProperties: OVERRIDES,
      },
    },
  },
};

const ajv = new Ajv({ allErrors: false, strict: false });
ajv.addFormat('cidr', isCidr);
const validatePolicies = ajv.compile(POLICIES_SCHEMA);

function policies(raw: Record<string, unknown>, fail: Fail): Record<string, GroupPolicyOverrides> {
  let value = raw.GATEWAY_POLICIES;
  if (value === undefined) return {};
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch (err) {
      fail('GATEWAY_POLICIES', `Invalid configuration: GATEWAY_POLICIES must be JSON (or a mapping in the config file): ${(err as Error).message}`);
    }
  }
  if (!validatePolicies(value)) {
    const e = validatePolicies.errors![0];
    const where = `GATEWAY_POLICIES${e.instancePath}`;
    const what =
      e.keyword === 'additionalProperties'
        ? `has no option ${JSON.stringify(e.params.additionalProperty)}`
        : e.keyword === 'propertyNames' || (e as { propertyName?: string }).propertyName !== undefined
          ? `has a bad name ${JSON.stringify((e as { propertyName?: string }).propertyName ?? e.params.propertyName)} (route groups: lower-case names; routes: "METHOD path" as in the route's aliases)`
          : e.keyword === 'format'
            ? 'must be an IP address or CIDR block such as 10.0.0.0/8'
            : e.keyword === 'type' && e.params.type === 'object'
              ? 'must be false or an object of options'
              : (e.message ?? 'is invalid');
    fail('GATEWAY_POLICIES', `Invalid configuration: ${where} ${what}`);
  }
  return value as Record<string, GroupPolicyOverrides>;
}

/** The GATEWAY_* keys, already schema-checked one by one. */
export function readGatewayPolicyConfig(raw: Record<string, unknown>, natsUrl: string | null, fail: Fail): GatewayPolicyConfig {
  const ban = (raw.GATEWAY_IP_BAN_SECONDS as number | undefined) ?? 60;
  const maxBan = (raw.GATEWAY_IP_BAN_MAX_SECONDS as number | undefined) ?? 3600;
  if (maxBan < ban) fail('GATEWAY_IP_BAN_MAX_SECONDS', `Invalid configuration: GATEWAY_IP_BAN_MAX_SECONDS must be at least GATEWAY_IP_BAN_SECONDS (${ban}) (got ${maxBan})`);
  const kind = (raw.GATEWAY_SHARED_STORE as GatewayPolicyConfig['store']['kind'] | undefined) ?? 'auto';
  const storeUrl = (raw.GATEWAY_SHARED_STORE_URL as string | undefined) ?? natsUrl;
  if (kind === 'nats' && !storeUrl) fail('GATEWAY_SHARED_STORE', 'Invalid configuration: GATEWAY_SHARED_STORE=nats needs GATEWAY_SHARED_STORE_URL or NATS_URL');
  return {
    trustedProxies: cidrList(raw, 'GATEWAY_TRUSTED_PROXIES', [], fail),
    opsAllow: cidrList(raw, 'GATEWAY_OPS_ALLOW', LOOPBACK, fail),
    adminAllow: cidrList(raw, 'GATEWAY_ADMIN_ALLOW', LOOPBACK, fail),
    apiAllow: cidrList(raw, 'GATEWAY_API_ALLOW', EVERYONE, fail),
    apiDeny: cidrList(raw, 'GATEWAY_API_DENY', [], fail),
    ipLimit: ipLimit(raw),
    rateLimitUser: rates((raw.GATEWAY_RATE_LIMIT_USER as string | undefined) ?? '300/minute'),
    store: { kind, natsUrl: kind === 'local' ? null : storeUrl, timeoutMs: (raw.GATEWAY_SHARED_STORE_TIMEOUT_MS as number | undefined) ?? 50,
      syncMs: (raw.GATEWAY_SHARED_STORE_SYNC_MS as number | undefined) ?? 100,
    },
    maxHeaders: (raw.GATEWAY_MAX_HEADERS as number | undefined) ?? 100,
    maxHeaderBytes: (raw.GATEWAY_MAX_HEADER_BYTES as number | undefined) ?? 16384,
    maxJsonDepth: (raw.GATEWAY_MAX_JSON_DEPTH as number | undefined) ?? 32,
    cors: { origins: corsOrigins(raw, fail), maxAge: 600 },
    policies: policies(raw, fail),
  };
}
