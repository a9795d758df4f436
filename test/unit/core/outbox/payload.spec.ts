import { expect } from 'chai';
import { PiiCipher } from '../../../../core/crypto';
import { openPayload, sealPayload } from '../../../../core/outbox';

describe('outbox payload - personal data sealed at rest', () => {
  const cipher = new PiiCipher('11'.repeat(32));
  const payload = { accountNo: '3301000001', certNo: '330106198503124520', mobile: '13800000001', name: '张伟' };

  it('keeps the listed fields only as one token, the others in clear, and opens to the same payload', () => {
    const stored = sealPayload(cipher, payload, ['certNo', 'mobile', 'name']);
    expect(stored.data).to.deep.equal({ accountNo: '3301000001' });
    for (const secret of ['330106198503124520', '13800000001', '张伟']) expect(JSON.stringify(stored)).to.not.include(secret);
    expect(openPayload(cipher, stored)).to.deep.equal(payload);
  });

  it('refuses to open with another key', () => {
    const stored = sealPayload(cipher, payload, ['certNo']);
    expect(() => openPayload(new PiiCipher('22'.repeat(32)), stored)).to.throw();
  });
});
