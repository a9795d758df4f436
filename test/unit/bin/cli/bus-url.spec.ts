import { expect } from 'chai';
import { UsageError } from '../../../../bin/cli/cli-error';
import { busUrl, sendsInClear } from '../../../../bin/cli/bus-url';

describe('bin/cli/bus-url - the bus a command talks to', () => {
  it('busUrl - one spelling per bus: lower-case host, no trailing slash', () => {
    expect(busUrl('http://LOCALHOST:8080/')).to.equal('http://localhost:8080');
    expect(busUrl('https://bus.example/gridbus/')).to.equal('https://bus.example/gridbus');
  });

  it('busUrl - refuses other schemes, credentials in the URL, queries and non-URLs', () => {
    for (const bad of ['ftp://bus', 'http://admin:pw@bus:8080', 'http://bus/?x=1', 'bus:8080x', '127.0.0.1:8080']) {
      expect(() => busUrl(bad), bad).to.throw(UsageError);
    }
  });

  it('sendsInClear - plain http beyond loopback only', () => {
    expect(sendsInClear('http://10.1.2.3:8080')).to.equal(true);
    expect(sendsInClear('http://127.0.0.1:8080')).to.equal(false);
    expect(sendsInClear('http://localhost:8080')).to.equal(false);
    expect(sendsInClear('https://bus.example')).to.equal(false);
  });
});
