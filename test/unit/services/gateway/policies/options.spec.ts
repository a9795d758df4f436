import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../../../../config';
import { LOOPBACK } from '../../../../../config/gateway';
import { RouteFacts } from '../../../../../services/gateway/policies/contract';
import { effectivePolicies, normalizeRouteKey } from '../../../../../services/gateway/policies/options';

function refused(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env, '/tmp');
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`loadConfig(${JSON.stringify(env)}) did not throw`);
}

describe('gateway/policies - configuration (GATEWAY_* keys)', () => {
  it('defaults - documented in docs/security.md; /health, /metrics and /admin loopback only', () => {
    const g = loadConfig({}, '/tmp').gateway;
    expect(LOOPBACK).to.deep.equal(['127.0.0.0/8', '::1/128']);
    expect(g).to.deep.equal({
      trustedProxies: [],
      opsAllow: LOOPBACK,
      adminAllow: LOOPBACK,
      apiAllow: ['0.0.0.0/0', '::/0'],
      apiDeny: [],
      ipLimit: { threshold: 1200, window: 60, banSeconds: 60, maxBanSeconds: 3600, forgetAfter: 86400 },
      rateLimitUser: { minute: 300 },
      store: { kind: 'auto', natsUrl: null, timeoutMs: 50, syncMs: 100 },
      maxHeaders: 100,
      maxHeaderBytes: 16384,
      maxJsonDepth: 32,
      cors: { origins: [], maxAge: 600 },
      policies: {},
    });
  });

  it('reads the flat keys (environment strings)', () => {
    const g = loadConfig(
      {
        NATS_URL: 'nats://127.0.0.1:4222',
        GATEWAY_TRUSTED_PROXIES: '10.0.0.0/8, ::1',
        GATEWAY_OPS_ALLOW: 'any',
        GATEWAY_ADMIN_ALLOW: 'none',
        GATEWAY_IP_LIMIT: '100/10s',
        GATEWAY_IP_BAN_SECONDS: '30',
        GATEWAY_IP_BAN_MAX_SECONDS: '600',
        GATEWAY_RATE_LIMIT_USER: '5/second,100/hour',
        GATEWAY_SHARED_STORE_TIMEOUT_MS: '80',
        GATEWAY_SHARED_STORE_SYNC_MS: '0',
      },
      '/tmp',
    ).gateway;
    expect(g.trustedProxies).to.deep.equal(['10.0.0.0/8', '::1']);
    expect(g.opsAllow).to.deep.equal(['0.0.0.0/0', '::/0']);
    expect(g.adminAllow).to.deep.equal([]);
    expect(g.ipLimit).to.deep.include({ threshold: 100, window: 10, banSeconds: 30, maxBanSeconds: 600 });
    expect(g.rateLimitUser).to.deep.equal({ second: 5, hour: 100 });
    expect(g.store).to.deep.equal({ kind: 'auto', natsUrl: 'nats://127.0.0.1:4222', timeoutMs: 80, syncMs: 0 });
    const off = loadConfig({ GATEWAY_IP_LIMIT: 'off', GATEWAY_RATE_LIMIT_USER: 'off', GATEWAY_SHARED_STORE: 'local', NATS_URL: 'nats://x:1' }, '/tmp').gateway;
    expect(off.ipLimit).to.equal(false);
    expect(off.rateLimitUser).to.equal(false);
    expect(off.store.natsUrl).to.equal(null);
  });

  it('GATEWAY_CORS_ORIGINS - none by default, else a list of origins', () => {
    expect(loadConfig({ GATEWAY_CORS_ORIGINS: 'https://pay.example.com, http://localhost:3000' }, '/tmp').gateway.cors).to.deep.equal({
      origins: ['https://pay.example.com', 'http://localhost:3000'],
      maxAge: 600,
    });
  });

  it('GATEWAY_POLICIES - the options schema is built from every policy of the catalog', () => {
    const g = loadConfig({ GATEWAY_POLICIES: '{"admin":{"ipLimit":{"count":"refusals"},"cors":false},"api":{"cors":{"origins":["https://pay.example.com"]}}}' }, '/tmp').gateway;
    expect(g.policies).to.deep.equal({ admin: { ipLimit: { count: 'refusals' }, cors: false }, api: { cors: { origins: ['https://pay.example.com'] } } });
  });

  it('GATEWAY_POLICIES - JSON in the environment or a mapping in the config file, validated', () => {
    const g = loadConfig({ GATEWAY_POLICIES: '{"api":{"rateLimiting":{"minute":60},"routes":{"POST arrears/query":{"ipLimit":false}}}}' }, '/tmp').gateway;
    expect(g.policies).to.deep.equal({ api: { rateLimiting: { minute: 60 }, routes: { 'POST arrears/query': { ipLimit: false } } } });
  });

  const bad: Array<[Record<string, string>, string, RegExp]> = [
    [{ GATEWAY_OPS_ALLOW: '10.0.0.0/33' }, 'GATEWAY_OPS_ALLOW', /got "10.0.0.0\/33"/],
    [{ GATEWAY_TRUSTED_PROXIES: 'proxy.example' }, 'GATEWAY_TRUSTED_PROXIES', /GATEWAY_TRUSTED_PROXIES must be/],
    [{ GATEWAY_IP_LIMIT: 'lots' }, 'GATEWAY_IP_LIMIT', /such as 1200\/minute/],
    [{ GATEWAY_RATE_LIMIT_USER: '10/fortnight' }, 'GATEWAY_RATE_LIMIT_USER', /300\/minute/],
    [{ GATEWAY_IP_BAN_SECONDS: '600', GATEWAY_IP_BAN_MAX_SECONDS: '60' }, 'GATEWAY_IP_BAN_MAX_SECONDS', /at least GATEWAY_IP_BAN_SECONDS/],
    [{ GATEWAY_MAX_HEADERS: '5' }, 'GATEWAY_MAX_HEADERS', /10-1000/],
    [{ GATEWAY_SHARED_STORE: 'nats' }, 'GATEWAY_SHARED_STORE', /needs GATEWAY_SHARED_STORE_URL or NATS_URL/],
    [{ GATEWAY_POLICIES: '{nope' }, 'GATEWAY_POLICIES', /must be JSON/],
    [{ GATEWAY_POLICIES: '{"api":{"rateLimiting":{"minutes":3}}}' }, 'GATEWAY_POLICIES', /GATEWAY_POLICIES\/api\/rateLimiting has no option "minutes"/],
    [{ GATEWAY_POLICIES: '{"api":{"rateLimiting":{"minute":0}}}' }, 'GATEWAY_POLICIES', /GATEWAY_POLICIES\/api\/rateLimiting\/minute must be >= 1/],
    [{ GATEWAY_POLICIES: '{"api":{"ipRestriction":{"allow":["10.0.0.0/40"]}}}' }, 'GATEWAY_POLICIES', /\/api\/ipRestriction\/allow\/0 must be an IP address or CIDR block/],
    [{ GATEWAY_POLICIES: '{"api":{"ipLimit":"yes"}}' }, 'GATEWAY_POLICIES', /\/api\/ipLimit must be false or an object of options/],
    [{ GATEWAY_POLICIES: '{"API":{}}' }, 'GATEWAY_POLICIES', /bad name "API"/],
    [{ GATEWAY_POLICIES: '{"api":{"ipLimit":{"count":"everything"}}}' }, 'GATEWAY_POLICIES', /\/api\/ipLimit\/count must be equal to one of the allowed values/],
    [{ GATEWAY_POLICIES: '{"api":{"cors":{"origins":["https://a.example/path"]}}}' }, 'GATEWAY_POLICIES', /\/api\/cors\/origins\/0 must match pattern/],
    [{ GATEWAY_POLICIES: '{"api":{"circuitGate":{}}}' }, 'GATEWAY_POLICIES', /has no option "circuitGate"/],
    [{ GATEWAY_CORS_ORIGINS: 'https://a.example/app' }, 'GATEWAY_CORS_ORIGINS', /scheme, host and port only; got "https:\/\/a.example\/app"/],
    [{ GATEWAY_POLICIES: '{"api":{"routes":{"accounts":{}}}}' }, 'GATEWAY_POLICIES', /bad name "accounts"/],
  ];
  for (const [env, key, message] of bad) {
    it(`refuses ${JSON.stringify(env)} naming ${key}`, () => {
      const err = refused(env);
      expect(err.key).to.equal(key);
      expect(err.message).to.match(message);
      expect(err.message).to.contain(key);
    });
  }
});

describe('gateway/policies - options per route group and per route', () => {
  const config = (env: Record<string, string> = {}) => loadConfig(env, '/tmp').gateway;
  /** An alias of a route parsing JSON up to `bodyLimit` (null key: the route's requests matching no alias). */
  const route = (key: string | null, bodyLimit: string | null = '64kb'): RouteFacts => ({
    group: 'api',
    key,
    action: null,
    authenticated: true,
    parsers: bodyLimit ? [['json', { limit: bodyLimit }]] : [],
    dependsOn: {},
  });

  it('route keys - "GET /a/b/" and "GET a/b" are the same route', () => {
    expect(normalizeRouteKey('get /accounts/:id/arrears/')).to.equal('GET accounts/:id/arrears');
    expect(normalizeRouteKey('POST /')).to.equal('POST ');
  });

  it('gateway defaults apply when nothing else is said', () => {
    const p = effectivePolicies(config(), { group: 'api' }, route(null));
    expect(p).to.deep.equal({
      ipRestriction: null,
      ipLimit: { options: { threshold: 1200, window: 60, banSeconds: 60, maxBanSeconds: 3600, forgetAfter: 86400 }, scope: 'gateway' },
      hygiene: { options: { bodyLimit: '64kb', allowedContentTypes: ['application/json'], maxJsonDepth: 32 }, scope: 'gateway' },
      cors: null,
      rateLimiting: null,
      circuitGate: null,
    });
  });

  it('levels - route file group → GATEWAY_POLICIES group → route file route → GATEWAY_POLICIES route, option by option', () => {
    const cfg = config({
      GATEWAY_POLICIES: JSON.stringify({
        api: {
          ipRestriction: { message: 'Not from there' },
          hygiene: { bodyLimit: '16kb' },
          routes: { 'POST /arrears/query': { rateLimiting: { second: 1 }, ipLimit: { threshold: 10 } } },
        },
      }),
    });
    const declaration = {
      group: 'api',
      ipRestriction: { allow: ['10.0.0.0/8'] },
      rateLimiting: { minute: 300, limitBy: 'consumer' as const },
      routes: { 'POST arrears/query': { hygiene: { maxJsonDepth: 4 } } },
    };
    const group = effectivePolicies(cfg, declaration, route('GET accounts/:accountNo/arrears'));
    expect(group.ipRestriction?.options).to.deep.equal({ allow: ['10.0.0.0/8'], message: 'Not from there' });
    expect(group.rateLimiting).to.deep.equal({ options: { minute: 300, limitBy: 'consumer' }, scope: 'api' });
    expect(group.hygiene?.options).to.include({ bodyLimit: '16kb' });
    const one = effectivePolicies(cfg, declaration, route('POST arrears/query'));
    expect(one.rateLimiting, 'the windows given replace the inherited ones; other options stay').to.deep.equal({
      options: { second: 1, limitBy: 'consumer' },
      scope: 'api:POST arrears/query',
    });
    expect(one.ipLimit).to.deep.equal({ options: { threshold: 10, window: 60, banSeconds: 60, maxBanSeconds: 3600, forgetAfter: 86400 }, scope: 'api:POST arrears/query' });
    expect(one.hygiene?.options).to.deep.equal({ bodyLimit: '16kb', allowedContentTypes: ['application/json'], maxJsonDepth: 4 });
  });

  it('false switches a limit off, and a later level may switch it on again', () => {
    const cfg = config({ GATEWAY_IP_LIMIT: 'off', GATEWAY_POLICIES: JSON.stringify({ api: { rateLimiting: false, routes: { 'GET x': { ipLimit: { threshold: 5 } } } } }) });
    const group = effectivePolicies(cfg, { group: 'api', rateLimiting: { minute: 1 } }, route(null, null));
    expect(group.ipLimit).to.equal(null);
    expect(group.rateLimiting).to.equal(null);
    expect(effectivePolicies(cfg, { group: 'api' }, route('GET x', null)).ipLimit?.options).to.deep.include({ threshold: 5, window: 60 });
  });
});
