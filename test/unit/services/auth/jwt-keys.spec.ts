import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadConfig } from '../../../../config';
import { signAccessToken, verifyAccessToken } from '../../../../core/auth';
import { describeJwtKeys, JWT_KEY_FILE, readJwtKeys, resolveJwtKeys } from '../../../../services/auth/jwt-keys';

const SECRET = 's'.repeat(40);

describe('auth - JWT keys: configured, generated once for the embedded default, refused anywhere else', () => {
  let varDir: string;

  beforeEach(() => {
    varDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-jwt-'));
  });

  afterEach(() => fs.rmSync(varDir, { recursive: true, force: true }));

  it('uses JWT_SECRET or JWT_KEYS as configured and writes nothing', () => {
    const keys = resolveJwtKeys(loadConfig({ VAR_DIR: varDir, JWT_SECRET: SECRET, DATABASE_URL: 'postgres://x@127.0.0.1/db' }));
    expect(keys.source).to.equal('config');
    expect(keys.auth.jwtSecret).to.equal(SECRET);
    expect(describeJwtKeys(keys)).to.equal('JWT keys: JWT_SECRET');
    const ring = resolveJwtKeys(loadConfig({ VAR_DIR: varDir, JWT_KEYS: `k1:${SECRET},k2:${SECRET}x`, JWT_ACTIVE_KID: 'k2', NATS_URL: 'nats://127.0.0.1:4222' }));
    expect(describeJwtKeys(ring)).to.equal('JWT keys: the JWT_KEYS ring, active key k2');
    expect(fs.existsSync(path.join(varDir, 'jwt'))).to.equal(false);
  });

  it('embedded default: generates a ring once under VAR_DIR (file 0600, directory 0700, VAR_DIR itself not private) and reuses it', () => {
    const first = resolveJwtKeys(loadConfig({ VAR_DIR: path.join(varDir, 'var') }));
    const file = path.join(varDir, 'var', JWT_KEY_FILE);
    expect(first).to.include({ source: 'generated', file });
    expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).to.equal(0o700);
    expect(fs.statSync(path.join(varDir, 'var')).mode & 0o077).to.not.equal(0);
    const { keys, activeKid } = first.auth;
    expect(Buffer.from(keys![activeKid!], 'base64url')).to.have.length(32);
    expect(describeJwtKeys(first)).to.match(/generated a ring in .*keys\.json \(mode 0600/).and.not.contain(keys![activeKid!]);

    const second = resolveJwtKeys(loadConfig({ VAR_DIR: path.join(varDir, 'var') }));
    expect(second.source).to.equal('file');
    expect(second.auth).to.deep.equal(first.auth);
    // what the bus signs, gridbus token's view of the same ring checks
    const token = signAccessToken(second.auth, { sub: 'demo-user' });
    expect(verifyAccessToken(readJwtKeys(loadConfig({ VAR_DIR: path.join(varDir, 'var') })).auth, token).sub).to.equal('demo-user');
  });

  it('refuses a start with DATABASE_URL or NATS_URL and no keys, naming the setting, and makes no file', () => {
    for (const env of [{ DATABASE_URL: 'postgres://x@127.0.0.1/db' }, { NATS_URL: 'nats://127.0.0.1:4222' }]) {
      expect(() => resolveJwtKeys(loadConfig({ VAR_DIR: varDir, ...env })))
        .to.throw(/JWT_SECRET \(or the key ring JWT_KEYS\) must be set/)
        .with.property('key', 'JWT_SECRET');
    }
    expect(fs.existsSync(path.join(varDir, 'jwt'))).to.equal(false);
  });

  it('gridbus token without keys or a generated ring says to start the bus once or set JWT_SECRET, and makes no ring', () => {
    expect(() => readJwtKeys(loadConfig({ VAR_DIR: varDir }))).to.throw(/Start the bus once.*or set JWT_SECRET/);
    expect(fs.existsSync(path.join(varDir, JWT_KEY_FILE))).to.equal(false);
  });

  it('refuses a damaged ring file instead of making a new one over it', () => {
    const file = path.join(varDir, JWT_KEY_FILE);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ activeKid: 'a', keys: { a: 'too-short' } }));
    expect(() => resolveJwtKeys(loadConfig({ VAR_DIR: varDir }))).to.throw(/does not hold a key ring/);
    fs.writeFileSync(file, '{ not json');
    expect(() => resolveJwtKeys(loadConfig({ VAR_DIR: varDir }))).to.throw(/cannot be read/);
  });
});
