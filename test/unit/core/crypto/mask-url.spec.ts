import { expect } from 'chai';
import { maskUrlSecrets, maskUrlSecretsDeep } from '../../../../core/crypto/mask-url';

describe('crypto/mask-url - secrets in URLs, wherever they are printed', () => {
  it('maskUrlSecrets - keeps the user, hides the password: scheme://user:***@host', () => {
    expect(maskUrlSecrets('http://svc:pw@10.0.0.5:8080/marketing?wsdl')).to.equal('http://svc:***@10.0.0.5:8080/marketing?wsdl');
    expect(maskUrlSecrets('postgres://gridbus:s3cret@db:5432/gridbus')).to.equal('postgres://gridbus:***@db:5432/gridbus');
    expect(maskUrlSecrets('redis://:only-a-password@cache:6379')).to.equal('redis://:***@cache:6379');
  });

  it('maskUrlSecrets - a user-info part without a colon is a token: hidden whole', () => {
    expect(maskUrlSecrets('nats://gw:s3cret@10.0.0.1:4222,nats://tok3n@10.0.0.2:4222,nats://10.0.0.3:4222')).to.equal(
      'nats://gw:***@10.0.0.1:4222,nats://***@10.0.0.2:4222,nats://10.0.0.3:4222',
    );
  });

  it('maskUrlSecrets - an unencoded @ in the password does not leave its tail visible', () => {
    expect(maskUrlSecrets('postgres://u:p@ss@w0rd@db/x')).to.equal('postgres://u:***@db/x');
  });

  it('maskUrlSecrets - every URL inside a longer text (log lines, error messages, JSON)', () => {
    const line = 'node n1 running over nats://a:b@h1:4222; WSDL "http://svc:pw@h2/x?wsdl" failed: connect ECONNREFUSED';
    expect(maskUrlSecrets(line)).to.equal('node n1 running over nats://a:***@h1:4222; WSDL "http://svc:***@h2/x?wsdl" failed: connect ECONNREFUSED');
    expect(maskUrlSecrets('{"detail":"http://u:p@h/","other":"x@y"}')).to.equal('{"detail":"http://u:***@h/","other":"x@y"}');
  });

  it('maskUrlSecrets - secret query parameters: password, token, keys, signatures', () => {
    expect(maskUrlSecrets('https://h/p?user=bob&password=pw1&x=1')).to.equal('https://h/p?user=bob&password=***&x=1');
    expect(maskUrlSecrets('https://h/p?access_token=abc#frag')).to.equal('https://h/p?access_token=***#frag');
    expect(maskUrlSecrets('https://h/p?API_KEY=k&client_secret=s;pwd=x')).to.equal('https://h/p?API_KEY=***&client_secret=***;pwd=***');
    expect(maskUrlSecrets('https://h/p?sign=abc&signature=def')).to.equal('https://h/p?sign=abc&signature=***');
  });

  it('maskUrlSecrets - leaves everything else as it was, and is idempotent', () => {
    for (const text of ['http://127.0.0.1:8080/health', 'mail bob@example.com', 'a=b', '', 'https://h/p?user=bob&page=2']) {
      expect(maskUrlSecrets(text)).to.equal(text);
    }
    const once = maskUrlSecrets('http://svc:pw@h/?token=t');
    expect(maskUrlSecrets(once)).to.equal(once);
  });

  it('maskUrlSecretsDeep - masks strings and keys of plain objects and arrays, leaves other values', () => {
    const date = new Date(0);
    const masked = maskUrlSecretsDeep({
      'adapter soap:http://u:p@h/x?wsdl': { status: 'up', detail: 'http://u:p@h/x?wsdl' },
      list: ['nats://t@h', 1, true, null],
      date,
    });
    expect(masked).to.deep.equal({
      'adapter soap:http://u:***@h/x?wsdl': { status: 'up', detail: 'http://u:***@h/x?wsdl' },
      list: ['nats://***@h', 1, true, null],
      date,
    });
    expect(masked.date).to.equal(date);
  });
});
