import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigError, GridbusConfig, isEmbeddedDefault, loadConfig } from '../../../config';
import { CONFIG_SCHEMA } from '../../../config/schema';

const CWD = path.resolve(os.tmpdir(), 'gridbus-cfg-cwd');
const GOOD_SECRET = 'x'.repeat(32);
const HEX64 = 'ab'.repeat(32);

/** Runs loadConfig expecting a ConfigError and returns it. */
function refused(env: NodeJS.ProcessEnv, cwd = CWD): ConfigError {
  try {
    loadConfig(env, cwd);
  } catch (err) {
    expect(err, `expected a ConfigError, got ${String(err)}`).to.be.instanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`loadConfig(${JSON.stringify(env)}) did not throw`);
}

describe('config - loadConfig', () => {
  let tmp: string;

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-cfg-'));
  });

  after(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  function writeFile(name: string, text: string): string {
    const file = path.join(tmp, name);
    fs.writeFileSync(file, text);
    return file;
  }

  describe('defaults', () => {
    it('returns every documented default when the environment is empty', () => {
      const c: GridbusConfig = loadConfig({}, CWD);
      expect(c.nodeId).to.equal(`gridbus-${process.pid}`);
      expect(c.services).to.equal(null);
      expect(c.natsUrl).to.equal(null);
      expect(c.database).to.deep.equal({
        url: null,
        embeddedDir: path.join(CWD, 'var', 'pg'),
        embeddedPort: 54329,
      });
      expect(c.http).to.deep.equal({ host: '127.0.0.1', port: 8080 });
      expect(c.auth.issuer).to.equal('gridbus');
      expect(c.auth.audience).to.equal('gridbus-life-number');
      // no built-in key: the embedded default's ring is made by bin/bootstrap.ts (services/auth/jwt-keys.ts)
      expect(c.auth.jwtSecret).to.equal(undefined);
      expect(c.auth.keys).to.equal(undefined);
      expect(c.pii).to.deep.equal({ encKey: null, hashKey: null });
      expect(c.marketing).to.deep.equal({ wsdlUrl: null });
      expect(c.simulators).to.deep.equal({ mode: 'auto', port: 0 });
      expect(c.kafka).to.deep.equal({ brokers: [] });
      expect(c.mappingsDir).to.equal(path.join(CWD, 'mappings'));
      expect(c.logLevel).to.equal('info');
      expect(c.requestTimeoutMs).to.equal(10000);
      expect(c.statistics).to.deep.equal({ retentionDays: 90 });
      expect(c.varDir).to.equal(path.join(CWD, 'var'));
      expect(isEmbeddedDefault(c)).to.equal(true);
    });

    it('treats empty-string environment values as unset', () => {
      const c = loadConfig({ HTTP_PORT: '', NATS_URL: '', LOG_LEVEL: '', JWT_SECRET: '' }, CWD);
      expect(c.http.port).to.equal(8080);
      expect(c.natsUrl).to.equal(null);
      expect(c.logLevel).to.equal('info');
      expect(c.auth.jwtSecret).to.equal(undefined);
    });

    it('ignores environment variables that are not settings', () => {
      const c = loadConfig({ PATH: '/usr/bin', HOME: '/root', SOMETHING_ELSE: 'x' }, CWD);
      expect(c.http.port).to.equal(8080);
    });
  });

  describe('typed values from the environment', () => {
    it('turns integer settings into numbers', () => {
      const c = loadConfig(
        { HTTP_PORT: '8081', EMBEDDED_PG_PORT: '5433', SIMULATOR_PORT: ' 9000 ', REQUEST_TIMEOUT_MS: '2500' },
        CWD,
      );
      expect(c.http.port).to.equal(8081).and.to.be.a('number');
      expect(c.database.embeddedPort).to.equal(5433);
      expect(c.simulators.port).to.equal(9000);
      expect(c.requestTimeoutMs).to.equal(2500);
      expect(loadConfig({ STATISTICS_RETENTION_DAYS: '30' }, CWD).statistics.retentionDays).to.equal(30);
    });

    it('splits SERVICES and KAFKA_BROKERS into lists', () => {
      const c = loadConfig({ SERVICES: 'gateway,billing,marketing', KAFKA_BROKERS: 'k1:9092,k2:9093' }, CWD);
      expect(c.services).to.deep.equal(['gateway', 'billing', 'marketing']);
      expect(c.kafka.brokers).to.deep.equal(['k1:9092', 'k2:9093']);
    });

    it("maps SERVICES='all' to null (every service in this process)", () => {
      expect(loadConfig({ SERVICES: 'all' }, CWD).services).to.equal(null);
    });

    it('passes string settings through', () => {
      const c = loadConfig(
        {
          NODE_ID: 'node-1.a_b',
          NATS_URL: 'nats://127.0.0.1:4222',
          DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/gridbus',
          JWT_SECRET: GOOD_SECRET,
          JWT_ISSUER: 'iss-x',
          JWT_AUDIENCE: 'aud-x',
          PII_ENC_KEY: HEX64,
          PII_HASH_KEY: HEX64.toUpperCase(),
          MARKETING_WSDL_URL: 'https://mk.example/ws?wsdl',
          SIMULATORS: 'off',
          LOG_LEVEL: 'debug',
          HTTP_HOST: '0.0.0.0',
        },
        CWD,
      );
      expect(c.nodeId).to.equal('node-1.a_b');
      expect(c.natsUrl).to.equal('nats://127.0.0.1:4222');
      expect(c.database.url).to.equal('postgres://u:p@127.0.0.1:5432/gridbus');
      expect(c.auth).to.deep.equal({ jwtSecret: GOOD_SECRET, issuer: 'iss-x', audience: 'aud-x', adminAudience: 'aud-x-admin' });
      expect(c.pii).to.deep.equal({ encKey: HEX64, hashKey: HEX64.toUpperCase() });
      expect(c.marketing.wsdlUrl).to.equal('https://mk.example/ws?wsdl');
      expect(c.simulators.mode).to.equal('off');
      expect(c.logLevel).to.equal('debug');
      expect(c.http.host).to.equal('0.0.0.0');
    });
  });

  describe('bad values', () => {
    const cases: Array<[string, string]> = [
      ['HTTP_PORT', 'abc'],
      ['HTTP_PORT', '65536'],
      ['HTTP_PORT', '80.5'],
      ['NATS_URL', 'http://x'],
      ['PII_ENC_KEY', 'abcd'],
      ['PII_HASH_KEY', 'zz'.repeat(32)],
      ['LOG_LEVEL', 'loud'],
      ['SERVICES', 'Gateway!'],
      ['SERVICES', 'gateway,'],
      ['JWT_SECRET', 'short'],
      ['DATABASE_URL', 'mysql://x'],
      ['KAFKA_BROKERS', 'k1'],
      ['REQUEST_TIMEOUT_MS', '50'],
      ['EMBEDDED_PG_PORT', '80'],
      ['SIMULATORS', 'maybe'],
      ['NODE_ID', 'has space'],
      ['STATISTICS_RETENTION_DAYS', '0'],
    ];
    for (const [key, value] of cases) {
      it(`refuses ${key}=${JSON.stringify(value)} with a ConfigError naming the key and the value expected`, () => {
        const err = refused({ [key]: value });
        const description = (CONFIG_SCHEMA.properties as Record<string, { description: string }>)[key].description;
        expect(err.key).to.equal(key);
        expect(err.code).to.equal('CONFIG_INVALID');
        expect(err.name).to.equal('ConfigError');
        expect(err.message).to.contain(key);
        expect(err.message).to.contain(description);
      });
    }

    it('says what value was given', () => {
      const err = refused({ LOG_LEVEL: 'loud' });
      expect(err.message).to.contain('"loud"');
      expect(err.message).to.contain('one of fatal, error, warn, info, debug, trace');
    });

    it('names the expected HTTP port range for HTTP_PORT=abc', () => {
      const err = refused({ HTTP_PORT: 'abc' });
      expect(err.message).to.match(/HTTP_PORT must be a TCP port 0-65535/);
    });

    it('names JWT_SECRET and the minimum length for a too-short secret', () => {
      const err = refused({ JWT_SECRET: 'short' });
      expect(err.key).to.equal('JWT_SECRET');
      expect(err.message).to.contain('at least 32 characters');
    });

    // The message goes to stderr / start-up logs: a nearly-right secret must not be printed.
    const secrets: Array<[string, string]> = [
      ['JWT_SECRET', 'Pr0duction-Secret-31-characters'],
      ['PII_ENC_KEY', 'c0ffee'.repeat(10) + '123'],
      ['PII_HASH_KEY', 'beef'.repeat(15) + 'bee'],
    ];
    for (const [key, value] of secrets) {
      it(`does not echo the rejected value of the secret ${key}`, () => {
        const err = refused({ [key]: value });
        expect(err.key).to.equal(key);
        expect(err.message).to.not.contain(value);
      });
    }
  });

  describe('config file (GRIDBUS_CONFIG)', () => {
    it('reads settings from a YAML file', () => {
      const file = writeFile('ok.yaml', 'HTTP_PORT: 9001\nLOG_LEVEL: warn\nSERVICES: gateway\n');
      const c = loadConfig({ GRIDBUS_CONFIG: file }, CWD);
      expect(c.http.port).to.equal(9001);
      expect(c.logLevel).to.equal('warn');
      expect(c.services).to.deep.equal(['gateway']);
    });

    it('reads settings from a JSON file, coercing integer strings', () => {
      const file = writeFile('ok.json', JSON.stringify({ HTTP_PORT: '9002', NATS_URL: 'nats://n:4222' }));
      const c = loadConfig({ GRIDBUS_CONFIG: file }, CWD);
      expect(c.http.port).to.equal(9002);
      expect(c.natsUrl).to.equal('nats://n:4222');
    });

    it('refuses an unknown key in a YAML file, naming the key', () => {
      const file = writeFile('unknown.yaml', 'HTTP_PORT: 9001\nHTTP_PROT: 9002\n');
      const err = refused({ GRIDBUS_CONFIG: file });
      expect(err.key).to.equal('HTTP_PROT');
      expect(err.message).to.contain('HTTP_PROT');
      expect(err.message).to.contain('not a known setting');
    });

    it('refuses an unknown key in a JSON file, naming the key', () => {
      const file = writeFile('unknown.json', JSON.stringify({ LOG_LEVEL: 'info', logLevel: 'debug' }));
      const err = refused({ GRIDBUS_CONFIG: file });
      expect(err.key).to.equal('logLevel');
      expect(err.message).to.contain('logLevel');
    });

    it('validates values read from the file too', () => {
      const file = writeFile('bad-value.yaml', 'NATS_URL: http://x\n');
      const err = refused({ GRIDBUS_CONFIG: file });
      expect(err.key).to.equal('NATS_URL');
      expect(err.message).to.contain('NATS_URL');
    });

    it('lets the environment override the file', () => {
      const file = writeFile('override.yaml', 'HTTP_PORT: 9001\nLOG_LEVEL: warn\nJWT_ISSUER: from-file\n');
      const c = loadConfig({ GRIDBUS_CONFIG: file, HTTP_PORT: '9100', LOG_LEVEL: 'error' }, CWD);
      expect(c.http.port).to.equal(9100);
      expect(c.logLevel).to.equal('error');
      expect(c.auth.issuer).to.equal('from-file');
    });

    it('lets a valid environment value override an invalid file value', () => {
      const file = writeFile('override-bad.yaml', 'HTTP_PORT: abc\n');
      expect(loadConfig({ GRIDBUS_CONFIG: file, HTTP_PORT: '9100' }, CWD).http.port).to.equal(9100);
    });

    it('resolves a relative GRIDBUS_CONFIG against the cwd argument', () => {
      writeFile('relative.yaml', 'HTTP_PORT: 9003\n');
      expect(loadConfig({ GRIDBUS_CONFIG: 'relative.yaml' }, tmp).http.port).to.equal(9003);
    });

    it('refuses a missing file with a ConfigError on GRIDBUS_CONFIG', () => {
      const err = refused({ GRIDBUS_CONFIG: path.join(tmp, 'nope.yaml') });
      expect(err.key).to.equal('GRIDBUS_CONFIG');
      expect(err.message).to.contain('nope.yaml');
    });

    it('refuses a file that is not a mapping (a list)', () => {
      const file = writeFile('list.yaml', '- HTTP_PORT\n- 9001\n');
      const err = refused({ GRIDBUS_CONFIG: file });
      expect(err.key).to.equal('GRIDBUS_CONFIG');
      expect(err.message).to.contain('list.yaml');
    });

    it('refuses an unparsable JSON file with a ConfigError on GRIDBUS_CONFIG naming the file', () => {
      const file = writeFile('broken.json', '{ "HTTP_PORT": 9001, }');
      const err = refused({ GRIDBUS_CONFIG: file });
      expect(err.key).to.equal('GRIDBUS_CONFIG');
      expect(err.message).to.contain('broken.json');
    });

    it('refuses an unparsable YAML file with a ConfigError on GRIDBUS_CONFIG naming the file', () => {
      const file = writeFile('broken.yaml', 'HTTP_PORT: [9001\n');
      const err = refused({ GRIDBUS_CONFIG: file });
      expect(err.key).to.equal('GRIDBUS_CONFIG');
      expect(err.message).to.contain('broken.yaml');
    });
  });

  describe('JWT keys', () => {
    it('takes JWT_SECRET from the environment or the config file, and has no key of its own', () => {
      expect(loadConfig({ JWT_SECRET: GOOD_SECRET }, CWD).auth.jwtSecret).to.equal(GOOD_SECRET);
      const file = writeFile('secret.yaml', `JWT_SECRET: "${GOOD_SECRET}"\n`);
      expect(loadConfig({ GRIDBUS_CONFIG: file }, CWD).auth.jwtSecret).to.equal(GOOD_SECRET);
      expect(loadConfig({}, CWD).auth).to.not.have.any.keys('jwtSecret', 'keys');
    });

    it('never echoes a bad JWT_KEYS value', () => {
      const err = refused({ JWT_KEYS: 'k1:short-secret-in-the-clear' });
      expect(err.key).to.equal('JWT_KEYS');
      expect(err.message).to.not.contain('short-secret-in-the-clear');
    });

    it('is the embedded default only without DATABASE_URL and NATS_URL', () => {
      expect(isEmbeddedDefault(loadConfig({}, CWD))).to.equal(true);
      expect(isEmbeddedDefault(loadConfig({ DATABASE_URL: 'postgres://u@127.0.0.1/db' }, CWD))).to.equal(false);
      expect(isEmbeddedDefault(loadConfig({ NATS_URL: 'nats://127.0.0.1:4222' }, CWD))).to.equal(false);
    });
  });

  describe('paths', () => {
    it('resolves VAR_DIR, MAPPINGS_DIR and EMBEDDED_PG_DIR relative to the cwd argument', () => {
      const c = loadConfig({ VAR_DIR: 'state', MAPPINGS_DIR: 'conf/mappings', EMBEDDED_PG_DIR: 'db' }, '/srv/app');
      expect(c.varDir).to.equal(path.resolve('/srv/app/state'));
      expect(c.mappingsDir).to.equal(path.resolve('/srv/app/conf/mappings'));
      expect(c.database.embeddedDir).to.equal(path.resolve('/srv/app/db'));
    });

    it('puts the embedded database under VAR_DIR by default', () => {
      const c = loadConfig({ VAR_DIR: 'state' }, '/srv/app');
      expect(c.database.embeddedDir).to.equal(path.resolve('/srv/app/state/pg'));
    });

    it('keeps absolute paths as they are', () => {
      const c = loadConfig({ VAR_DIR: '/data/gridbus', MAPPINGS_DIR: '/etc/gridbus/mappings' }, '/srv/app');
      expect(c.varDir).to.equal('/data/gridbus');
      expect(c.mappingsDir).to.equal('/etc/gridbus/mappings');
      expect(c.database.embeddedDir).to.equal('/data/gridbus/pg');
    });

    it('depends on the cwd argument, not on process.cwd()', () => {
      const a = loadConfig({}, '/one');
      const b = loadConfig({}, '/two');
      expect(a.varDir).to.equal(path.resolve('/one/var'));
      expect(b.varDir).to.equal(path.resolve('/two/var'));
    });
  });
});
