import { expect } from 'chai';
import { EARN_RULES } from '../../../../core/power/earn-rules';
import { reportSerial } from '../../../../core/power/report-store';

describe('power - earning rules and report serials', () => {
  it('power - a payment earns one point per full yuan, at least one, in integers', () => {
    expect(EARN_RULES.paymentWrittenOff(32955)).to.equal(329);
    expect(EARN_RULES.paymentWrittenOff(100)).to.equal(1);
    expect(EARN_RULES.paymentWrittenOff(99)).to.equal(1);
    expect(EARN_RULES.paymentWrittenOff(1)).to.equal(1);
  });
  it('power - a report serial is stable and unique per report id', () => {
    expect(reportSerial('12')).to.equal('RPT0000000012');
    expect(reportSerial('12')).to.equal(reportSerial('12'));
    expect(reportSerial('120')).to.not.equal(reportSerial('12'));
  });
});
