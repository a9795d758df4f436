import { expect } from 'chai';
import { createPublicKey, generateKeyPairSync } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigError, loadConfig } from '../../../config';

const CWD = path.resolve(os.tmpdir(), 'gridbus-cfg-cwd');

function refused(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env, CWD);
  } catch (err) {
    expect(err, String(err)).to.be.instanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`loadConfig(${Object.keys(env).join(',')}) did not throw`);
}

function pair(bits = 2048) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return {
    pkcs8Pem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    pkcs1Pem: privateKey.export({ type: 'pkcs1', format: 'pem' }) as string,
    pkcs8Base64: (privateKey.export({ type: 'pkcs8', format: 'der' }) as Buffer).toString('base64'),
    pkcs1Base64: (privateKey.export({ type: 'pkcs1', format: 'der' }) as Buffer).toString('base64'),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
    publicBase64: (publicKey.export({ type: 'spki', format: 'der' }) as Buffer).toString('base64'),
  };
}

describe('config - Alipay keys and the /alipay allow-list', () => {
  const app = pair();
  const alipay = pair();
  let tmp: string;

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-alipay-cfg-'));
  });

  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('has nothing configured by default and allows loopback only', () => {
    expect(loadConfig({}, CWD).alipay).to.deep.equal({
      gatewayUrl: null,
      appId: null,
      appPrivateKey: null,
      appPublicKey: null,
      alipayPublicKey: null,
      allow: ['127.0.0.1/32', '::1/128'],
    });
  });

  for (const form of ['pkcs8Pem', 'pkcs1Pem', 'pkcs8Base64', 'pkcs1Base64'] as const) {
    it(`reads the app private key given as ${form} and derives the app public key`, () => {
      const c = loadConfig({ ALIPAY_APP_PRIVATE_KEY: app[form], ALIPAY_APP_ID: '2021000000000001' }, CWD).alipay;
      expect(c.appPrivateKey).to.equal(app.pkcs8Pem);
      expect(c.appPublicKey).to.equal(app.publicPem);
      expect(c.appId).to.equal('2021000000000001');
    });
  }

  it('reads keys from files (*_FILE), the Alipay key as the console base64 text', () => {
    fs.writeFileSync(path.join(tmp, 'app.pem'), app.pkcs1Pem);
    fs.writeFileSync(path.join(tmp, 'alipay.txt'), `${alipay.publicBase64}\n`);
    const c = loadConfig({ ALIPAY_APP_PRIVATE_KEY_FILE: path.join(tmp, 'app.pem'), ALIPAY_PUBLIC_KEY_FILE: path.join(tmp, 'alipay.txt') }, CWD).alipay;
    expect(c.appPrivateKey).to.equal(app.pkcs8Pem);
    expect(c.alipayPublicKey).to.equal(alipay.publicPem);
    expect(createPublicKey(c.alipayPublicKey!).asymmetricKeyType).to.equal('rsa');
  });

  it('refuses a key given both inline and as a file, and an unreadable file, naming the key', () => {
    expect(refused({ ALIPAY_PUBLIC_KEY: alipay.publicBase64, ALIPAY_PUBLIC_KEY_FILE: '/x' }).key).to.equal('ALIPAY_PUBLIC_KEY');
    const err = refused({ ALIPAY_APP_PRIVATE_KEY_FILE: path.join(tmp, 'missing.pem') });
    expect(err.key).to.equal('ALIPAY_APP_PRIVATE_KEY_FILE');
    expect(err.message).to.contain('ENOENT');
  });

  it('refuses a value that is not an RSA key without echoing it', () => {
    const almost = app.pkcs8Base64.slice(0, -100);
    for (const key of ['ALIPAY_APP_PRIVATE_KEY', 'ALIPAY_PUBLIC_KEY', 'ALIPAY_APP_PUBLIC_KEY']) {
      const err = refused({ [key]: almost });
      expect(err.key).to.equal(key);
      expect(err.message).to.contain(key);
      expect(err.message).to.contain('not shown');
      expect(err.message).to.not.contain(almost.slice(0, 40));
    }
    // a private key damaged where its structure still parses (a byte of the modulus)
    const der = Buffer.from(app.pkcs1Base64, 'base64');
    der[40] ^= 0xff;
    const damaged = refused({ ALIPAY_APP_PRIVATE_KEY: der.toString('base64') });
    expect(damaged.message).to.contain('damaged');
    expect(damaged.message).to.not.contain(der.toString('base64').slice(0, 40));
    const short = refused({ ALIPAY_APP_PRIVATE_KEY: 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ' });
    expect(short.message).to.not.contain('MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ');
  });

  it('refuses a key shorter than 2048 bits (RSA2) and an app public key that does not belong to the private key', () => {
    expect(refused({ ALIPAY_PUBLIC_KEY: pair(1024).publicPem }).message).to.contain('at least 2048 bits');
    const err = refused({ ALIPAY_APP_PRIVATE_KEY: app.pkcs8Pem, ALIPAY_APP_PUBLIC_KEY: alipay.publicPem });
    expect(err.key).to.equal('ALIPAY_APP_PUBLIC_KEY');
    expect(err.message).to.contain('does not belong');
  });

  it('reads GATEWAY_ALIPAY_ALLOW: a list, any, none; refuses a bad entry naming the key', () => {
    expect(loadConfig({ GATEWAY_ALIPAY_ALLOW: '110.75.0.0/16, 127.0.0.1,::1' }, CWD).alipay.allow).to.deep.equal(['110.75.0.0/16', '127.0.0.1', '::1']);
    expect(loadConfig({ GATEWAY_ALIPAY_ALLOW: 'any' }, CWD).alipay.allow).to.deep.equal(['0.0.0.0/0', '::/0']);
    expect(loadConfig({ GATEWAY_ALIPAY_ALLOW: 'none' }, CWD).alipay.allow).to.deep.equal([]);
    for (const bad of ['10.0.0.0/33', '10.0.0', 'localhost']) expect(refused({ GATEWAY_ALIPAY_ALLOW: bad }).key).to.equal('GATEWAY_ALIPAY_ALLOW');
  });

  it('checks ALIPAY_APP_ID and ALIPAY_GATEWAY_URL', () => {
    expect(refused({ ALIPAY_APP_ID: 'abc' }).key).to.equal('ALIPAY_APP_ID');
    expect(refused({ ALIPAY_GATEWAY_URL: 'ftp://x' }).key).to.equal('ALIPAY_GATEWAY_URL');
  });
});
