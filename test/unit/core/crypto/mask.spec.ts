import { expect } from 'chai';
import {
  DEFAULT_MASK_RULES, maskAccountNo, maskAddress, maskDeep, maskIdNumber, maskMobile, maskName,
} from '../../../../core/crypto';

describe('core/crypto - masking', () => {
  it('mask - ID numbers keep first 4 and last 4', () => {
    expect(maskIdNumber('110101199003071234')).to.equal('1101**********1234');
    expect(maskIdNumber('11010119900307123X')).to.equal('1101**********123X');
    expect(maskIdNumber('110101900307123')).to.equal('1101*******7123'); // old 15-digit
  });

  it('mask - mobiles keep 3 + 4', () => {
    expect(maskMobile('13812345678')).to.equal('138****5678');
    expect(maskMobile(' 13812345678 ')).to.equal('138****5678');
  });

  it('mask - names show the surname only', () => {
    expect(maskName('张三')).to.equal('张*');
    expect(maskName('李小龙')).to.equal('李**');
    expect(maskName('欧阳娜娜')).to.equal('欧***');
    expect(maskName('张')).to.equal('*');
    expect(maskName('𠀋三')).to.equal('𠀋*'); // a surrogate pair stays whole
  });

  it('mask - account numbers keep the last 4', () => {
    expect(maskAccountNo('6222021234567890123')).to.equal('***************0123');
    expect(maskAccountNo('3301234567')).to.equal('******4567');
  });

  it('mask - addresses keep the province/city prefix', () => {
    expect(maskAddress('浙江省杭州市西湖区文三路100号')).to.equal('浙江省杭州市****');
  });

  it('mask - empty and short values do not throw and reveal nothing', () => {
    for (const m of [maskIdNumber, maskMobile, maskName, maskAccountNo, maskAddress]) {
      expect(m('')).to.equal('');
      expect(m(undefined as unknown as string)).to.equal('');
    }
    expect(maskIdNumber('1234567')).to.equal('*******'); // too short to keep 4 + 4
    expect(maskMobile('123456')).to.equal('******');
    expect(maskAccountNo('1234')).to.equal('****');
    expect(maskAccountNo('12345678')).to.equal('****5678');
    expect(maskAddress('杭州')).to.equal('**');
  });

  it('maskDeep - masks values under personal-data keys at any depth', () => {
    const input = {
      action: 'billing.query',
      consNo: '3301000001',
      consName: '张三',
      customer: { cert_no: '110101199003071234', Mobile: '13812345678', user_name: '欧阳娜娜', address: '浙江省杭州市西湖区文三路100号' },
      payers: [{ holderName: '李四', accountNo: '6222021234567890123' }],
      phone: ['13812345678', 13900001111],
      serviceName: 'marketing',
      name: null,
    };
    const out = maskDeep(input);
    expect(out).to.deep.equal({
      action: 'billing.query',
      consNo: '3301000001',
      consName: '张*',
      customer: { cert_no: '1101**********1234', Mobile: '138****5678', user_name: '欧***', address: '浙江省杭州市****' },
      payers: [{ holderName: '李*', accountNo: '***************0123' }],
      phone: ['138****5678', '139****1111'],
      serviceName: 'marketing',
      name: null,
    });
    expect(input.consName).to.equal('张三'); // not mutated
  });

  it('maskDeep - masks the plates\' fields: a ticket\'s contact mobile, an ID number\'s tail, e-mail addresses', () => {
    const out = maskDeep({ contactMobile: '13812345678', certNoTail: '1234X', email: 'li.lei@example.com', mail: 'bad', serial: 'S1' });
    expect(out).to.deep.equal({ contactMobile: '138****5678', certNoTail: '*****', email: 'l***@example.com', mail: '***', serial: 'S1' });
  });

  it('maskDeep - leaves non-plain objects and primitives alone, survives cycles', () => {
    const when = new Date(0);
    const node: Record<string, unknown> = { mobile: '13812345678', when };
    node.self = node;
    const out = maskDeep(node) as Record<string, unknown>;
    expect(out.mobile).to.equal('138****5678');
    expect(out.when).to.equal(when);
    expect(out.self).to.equal('[Circular]');
    expect(maskDeep('13812345678')).to.equal('13812345678');
    expect(maskDeep(undefined)).to.equal(undefined);
  });

  it('maskDeep - custom rules replace or extend the defaults', () => {
    const openId = { openId: '2088123412341234', mobile: '13812345678' };
    expect(maskDeep(openId, { openId: maskAccountNo })).to.deep.equal({ openId: '************1234', mobile: '13812345678' });
    expect(maskDeep(openId, { ...DEFAULT_MASK_RULES, open_id: maskAccountNo }))
      .to.deep.equal({ openId: '************1234', mobile: '138****5678' });
  });
});
