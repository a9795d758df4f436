import { expect } from 'chai';
import { createIpRestriction } from '../../../../../services/gateway/policies/ip-restriction';

describe('gateway/policies - ip-restriction', () => {
  it('allow - only listed networks get in; others get 403 FORBIDDEN', () => {
    const check = createIpRestriction({ allow: ['10.0.0.0/8', '::1'] });
    expect(check('10.1.2.3')).to.equal(null);
    expect(check('::1')).to.equal(null);
    expect(check('203.0.113.9')).to.deep.equal({ code: 'FORBIDDEN', status: 403, message: 'Your IP address is not allowed' });
  });

  it('deny - wins over allow', () => {
    const check = createIpRestriction({ allow: ['10.0.0.0/8'], deny: ['10.6.6.0/24'] });
    expect(check('10.6.6.6')?.code).to.equal('FORBIDDEN');
    expect(check('10.7.7.7')).to.equal(null);
  });

  it('no allow list - everybody not denied', () => {
    const check = createIpRestriction({ deny: ['2001:db8::/32'] });
    expect(check('203.0.113.9')).to.equal(null);
    expect(check('2001:db8::5')?.code).to.equal('FORBIDDEN');
  });

  it('allow: [] - nobody', () => {
    expect(createIpRestriction({ allow: [] })('127.0.0.1')?.code).to.equal('FORBIDDEN');
  });

  it('status and message - as the operator configured them (Kong names)', () => {
    const r = createIpRestriction({ allow: ['10.0.0.0/8'], status: 404, message: 'Not here' })('1.2.3.4');
    expect(r).to.deep.equal({ code: 'FORBIDDEN', status: 404, message: 'Not here' });
  });
});
