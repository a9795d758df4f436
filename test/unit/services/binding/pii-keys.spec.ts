import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadConfig } from '../../../../config';
import { LookupHasher, PiiCipher } from '../../../../core/crypto';
import { describePiiKeys, PII_KEY_FILE, resolvePiiKeys } from '../../../../services/binding/pii-keys';

const ENC = 'ab'.repeat(32);
const HASH = 'cd'.repeat(32);

describe('binding - PII keys: configured, generated once for the embedded default, refused on a configured database', () => {
  let varDir: string;

  beforeEach(() => {
    varDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-pii-'));
  });

  afterEach(() => fs.rmSync(varDir, { recursive: true, force: true }));

  it('uses the configured keys and says so without showing them', () => {
    const keys = resolvePiiKeys(loadConfig({ VAR_DIR: varDir, PII_ENC_KEY: ENC, PII_HASH_KEY: HASH }));
    expect(keys).to.deep.equal({ encKey: ENC, hashKey: HASH, source: 'config' });
    expect(describePiiKeys(keys)).to.not.contain(ENC);
    expect(fs.existsSync(path.join(varDir, PII_KEY_FILE))).to.equal(false);
  });

  it('embedded default (no DATABASE_URL): generates a pair once under VAR_DIR, mode 0600, and reuses it', () => {
    const first = resolvePiiKeys(loadConfig({ VAR_DIR: varDir }));
    const file = path.join(varDir, PII_KEY_FILE);
    expect(first).to.include({ source: 'generated', file });
    expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).to.equal(0o700);
    // usable keys, and distinct ones
    expect(new PiiCipher(first.encKey).decrypt(new PiiCipher(first.encKey).encrypt('x'))).to.equal('x');
    expect(new LookupHasher(first.hashKey).hash('idNumber', '1')).to.have.length(64);
    expect(first.encKey).to.not.equal(first.hashKey);
    const line = describePiiKeys(first);
    expect(line).to.match(/PII_ENC_KEY \/ PII_HASH_KEY not set: generated a development pair in .*keys\.json \(mode 0600/);
    expect(line).to.not.contain(first.encKey);

    const second = resolvePiiKeys(loadConfig({ VAR_DIR: varDir }));
    expect(second).to.deep.equal({ ...first, source: 'file' });
    expect(describePiiKeys(second)).to.match(/using the development pair/);
  });

  it('refuses a node with DATABASE_URL and no keys, naming both keys', () => {
    expect(() => resolvePiiKeys(loadConfig({ VAR_DIR: varDir, DATABASE_URL: 'postgres://x@127.0.0.1/db' })))
      .to.throw(/PII_ENC_KEY and PII_HASH_KEY/)
      .with.property('key', 'PII_ENC_KEY');
    expect(fs.existsSync(path.join(varDir, PII_KEY_FILE))).to.equal(false);
  });

  it('refuses one key without the other, naming the missing one', () => {
    expect(() => resolvePiiKeys(loadConfig({ VAR_DIR: varDir, PII_ENC_KEY: ENC }))).to.throw(/PII_HASH_KEY must be set too/);
    expect(() => resolvePiiKeys(loadConfig({ VAR_DIR: varDir, PII_HASH_KEY: HASH }))).to.throw(/PII_ENC_KEY must be set too/);
  });

  it('refuses a damaged key file instead of making a new pair over it', () => {
    const file = path.join(varDir, PII_KEY_FILE);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '{"encKey":"short"}');
    expect(() => resolvePiiKeys(loadConfig({ VAR_DIR: varDir }))).to.throw(/does not hold two 64-hex-character keys/);
  });
});
