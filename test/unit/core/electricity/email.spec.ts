import { expect } from 'chai';
import { isEmail, maskEmail, MAX_EMAIL_LENGTH } from '../../../../core/electricity/email';

describe('electricity e-mail - checked, and shown only masked', () => {
  it('email - an address with a mailbox and a dotted domain, at most 128 characters', () => {
    expect(isEmail('zhangsan@example.com')).to.equal(true);
    expect(isEmail('zhang.san+bills@mail.example.com.cn')).to.equal(true);
    for (const bad of ['zhangsan', 'a@b', '@example.com', 'a b@example.com', 'a@exa mple.com', 'a@-example.com', `${'x'.repeat(60)}@${'d'.repeat(MAX_EMAIL_LENGTH - 72)}.example.com`]) expect(isEmail(bad), bad).to.equal(false);
    expect(isEmail(`${'x'.repeat(60)}@${'d'.repeat(MAX_EMAIL_LENGTH - 73)}.example.com`), 'exactly 128').to.equal(true);
  });

  it('email - masked to the first character of the mailbox and the domain', () => {
    expect(maskEmail('zhangsan@example.com')).to.equal('z***@example.com');
    expect(maskEmail('张三@example.cn')).to.equal('张***@example.cn');
    expect(maskEmail('no-at-sign')).to.equal('********');
  });
});
