import { expect } from 'chai';
import { generateKeyPairSync } from 'crypto';
import { AlipaySdk } from 'alipay-sdk';
import { contentToSign, NOTIFY_OMIT, rawMember, responseKeyOf, rsa2Sign, rsa2Verify, signParams, verifyParams } from '../../../../adapters/alipay/signature';
import { alipayTimestamp } from '../../../../adapters/alipay';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const publicPem = publicKey.export({ type: 'spki', format: 'pem' }) as string;

describe('adapters/alipay - signature', () => {
  describe('contentToSign', () => {
    it('sorts keys by ASCII, joins k=v with &, leaves values unencoded and drops empty ones and sign', () => {
      const text = contentToSign({ method: 'alipay.trade.query', app_id: '2021', biz_content: '{"a":"x&y=z"}', sign: 'S', empty: '', none: undefined, Zeta: '1', subject: '电费 缴纳+1' });
      expect(text).to.equal('Zeta=1&app_id=2021&biz_content={"a":"x&y=z"}&method=alipay.trade.query&subject=电费 缴纳+1');
    });

    it('leaves sign and sign_type out for notifications', () => {
      expect(contentToSign({ b: '2', a: '1', sign: 's', sign_type: 'RSA2' }, NOTIFY_OMIT)).to.equal('a=1&b=2');
      expect(contentToSign({ b: '2', a: '1', sign: 's', sign_type: 'RSA2' })).to.equal('a=1&b=2&sign_type=RSA2');
    });
  });

  describe('rsa2Sign / rsa2Verify', () => {
    it('round-trips and refuses a changed text, a changed or malformed signature, and another key', () => {
      const sig = rsa2Sign('a=1&b=2', privatePem);
      expect(rsa2Verify('a=1&b=2', sig, publicPem)).to.equal(true);
      expect(rsa2Verify('a=1&b=3', sig, publicPem)).to.equal(false);
      expect(rsa2Verify('a=1&b=2', `${sig.slice(0, 20)}${sig[20] === 'A' ? 'B' : 'A'}${sig.slice(21)}`, publicPem)).to.equal(false);
      expect(rsa2Verify('a=1&b=2', 'not base64!', publicPem)).to.equal(false);
      expect(rsa2Verify('a=1&b=2', undefined, publicPem)).to.equal(false);
      const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
      expect(rsa2Verify('a=1&b=2', sig, other)).to.equal(false);
    });

    it('agrees with the official SDK on notifications (checkNotifySignV2)', () => {
      const sdk = new AlipaySdk({ appId: '2021', privateKey: privatePem, keyType: 'PKCS8', alipayPublicKey: publicPem });
      const fields = { notify_id: 'n1', app_id: '2021', total_amount: '1.00', subject: '电费 & 违约金', notify_time: '2025-01-01 12:00:00' };
      const signed = { ...fields, sign_type: 'RSA2', sign: signParams(fields, privatePem, NOTIFY_OMIT) };
      expect(sdk.checkNotifySignV2(signed)).to.equal(true);
      expect(verifyParams(signed, publicPem, NOTIFY_OMIT)).to.equal(true);
      expect(verifyParams({ ...signed, total_amount: '2.00' }, publicPem, NOTIFY_OMIT)).to.equal(false);
    });
  });

  describe('rawMember (the signed text of a response)', () => {
    it('returns the exact raw object, whitespace and escapes included, whatever the member order', () => {
      const obj = '{ "code" : "10000", "msg":"Success", "note":"a \\"sign\\" } { inside", "list":[1,{"x":"}"}] }';
      const body = `{"sign":"abc","alipay_trade_query_response":${obj}, "other": 1}`;
      expect(rawMember(body, 'alipay_trade_query_response')).to.equal(obj);
      expect(rawMember(body, 'sign')).to.equal('"abc"');
      expect(rawMember(body, 'error_response')).to.equal(null);
      expect(rawMember('not json', 'x')).to.equal(null);
      expect(rawMember('{"x":{"a":1}', 'x')).to.equal('{"a":1}');
    });

    it('finds what the official SDK finds for a usual response (getSignStr)', () => {
      const sdk = new AlipaySdk({ appId: '2021', privateKey: privatePem, keyType: 'PKCS8', alipayPublicKey: publicPem });
      const key = responseKeyOf('alipay.system.oauth.token');
      expect(key).to.equal('alipay_system_oauth_token_response');
      // A real-length sign: the SDK's offsets go wrong when the sign is shorter than the response key.
      const sign = rsa2Sign('x', privatePem);
      const body = `{"${key}":{"code":"10000","msg":"Success","user_id":"2088100000000001","access_token":"t\\/1"},"sign":"${sign}"}`;
      expect(rawMember(body, key)).to.equal(sdk.getSignStr(body, key));
    });
  });

  it('puts the request timestamp in China Standard Time whatever the host zone', () => {
    expect(alipayTimestamp(new Date('2025-03-01T17:30:05Z'))).to.equal('2025-03-02 01:30:05');
  });
});
