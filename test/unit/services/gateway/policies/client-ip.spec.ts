import { expect } from 'chai';
import { clientIpOf, resolveClientIp } from '../../../../../services/gateway/policies/client-ip';
import { CidrSet, normalizeIp } from '../../../../../services/gateway/policies/ip-address';
import { fakeReq } from './fakes';

describe('gateway/policies - ip addresses', () => {
  const cases: Array<[string, string | null]> = [
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['::FFFF:CB00:7107', '203.0.113.7'],
    ['0:0:0:0:0:ffff:203.0.113.7', '203.0.113.7'],
    ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['[2001:db8::1]:443', '2001:db8::1'],
    ['203.0.113.7:51234', '203.0.113.7'],
    ['fe80::1%eth0', 'fe80::1'],
    ['::1', '::1'],
    [' 10.0.0.1 ', '10.0.0.1'],
    ['unknown', null],
    ['1.2.3', null],
    ['<script>', null],
    ['', null],
  ];
  for (const [given, expected] of cases) {
    it(`normalizeIp - ${JSON.stringify(given)} → ${JSON.stringify(expected)}`, () => {
      expect(normalizeIp(given)).to.equal(expected);
    });
  }

  it('CidrSet - matches IPv4 and IPv6 blocks, bare addresses, and IPv4-mapped blocks as IPv4', () => {
    const set = new CidrSet(['10.0.0.0/8', '192.0.2.10', '2001:db8::/32', '::ffff:198.51.100.0/120']);
    expect(set.has('10.200.1.1')).to.equal(true);
    expect(set.has('11.0.0.1')).to.equal(false);
    expect(set.has('192.0.2.10')).to.equal(true);
    expect(set.has('192.0.2.11')).to.equal(false);
    expect(set.has('2001:db8:1::5')).to.equal(true);
    expect(set.has('2001:db9::5')).to.equal(false);
    expect(set.has('198.51.100.77')).to.equal(true);
    expect(set.has(null)).to.equal(false);
    expect(set.has('garbage')).to.equal(false);
    expect(new CidrSet([]).has('10.0.0.1')).to.equal(false);
  });
});

describe('gateway/policies - client IP behind trusted proxies', () => {
  const trusted = new CidrSet(['10.0.0.0/8', '::1/128']);

  it('untrusted peer - its X-Forwarded-For is ignored (spoofing)', () => {
    const req = fakeReq({ peer: '203.0.113.50', headers: { 'X-Forwarded-For': '1.1.1.1' } });
    expect(resolveClientIp(req, trusted)).to.equal('203.0.113.50');
  });

  it('trusted peer - the rightmost untrusted hop is the client; what a client wrote left of it is never read', () => {
    const req = fakeReq({ peer: '10.0.0.5', headers: { 'X-Forwarded-For': '6.6.6.6, 198.51.100.9, 10.1.1.1' } });
    expect(resolveClientIp(req, trusted)).to.equal('198.51.100.9');
  });

  it('trusted peer on IPv4-mapped IPv6 - normalised before matching and reporting', () => {
    const req = fakeReq({ peer: '::ffff:10.0.0.5', headers: { 'X-Forwarded-For': '::ffff:198.51.100.9' } });
    expect(resolveClientIp(req, trusted)).to.equal('198.51.100.9');
  });

  it('trusted peer without the header, or a chain of only trusted hops', () => {
    expect(resolveClientIp(fakeReq({ peer: '10.0.0.5' }), trusted)).to.equal('10.0.0.5');
    expect(resolveClientIp(fakeReq({ peer: '10.0.0.5', headers: { 'X-Forwarded-For': '10.9.9.9' } }), trusted)).to.equal('10.9.9.9');
  });

  it('a malformed hop stops the walk at the last good one', () => {
    const req = fakeReq({ peer: '10.0.0.5', headers: { 'X-Forwarded-For': '198.51.100.9, not-an-ip, 10.1.1.1' } });
    expect(resolveClientIp(req, trusted)).to.equal('10.1.1.1');
  });

  it('no trusted proxies configured - the peer, always', () => {
    const req = fakeReq({ peer: '10.0.0.5', headers: { 'X-Forwarded-For': '198.51.100.9' } });
    expect(resolveClientIp(req, new CidrSet([]))).to.equal('10.0.0.5');
  });

  it('clientIpOf - resolves once and keeps it on the request', () => {
    const req = fakeReq({ peer: '::ffff:192.0.2.1' });
    expect(clientIpOf(req, trusted)).to.equal('192.0.2.1');
    expect(req.$clientIp).to.equal('192.0.2.1');
  });
});
