import { expect } from 'chai';
import { EARN_RULES } from '../../../../core/power/earn-rules';

describe('power - earning rules', () => {
  it('power - a payment earns one point per full yuan, at least one, in integers', () => {
    expect(EARN_RULES.paymentWrittenOff(32955)).to.equal(329);
    expect(EARN_RULES.paymentWrittenOff(100)).to.equal(1);
    expect(EARN_RULES.paymentWrittenOff(99)).to.equal(1);
    expect(EARN_RULES.paymentWrittenOff(1)).to.equal(1);
  });
});
