import { expect } from 'chai';
import * as fs from 'fs';
import * as path from 'path';
import { compileOperation, OperationDefinition } from '../../../core/mapping';

// docs/binding-a-new-system.md (faults) says a faultcode is compared without its prefix: this holds it to that.
describe('docs - SOAP fault codes are compared without their prefix, as binding-a-new-system.md says', () => {
  const def: OperationDefinition = {
    operation: 'crm.lookup',
    version: 1,
    endpoint: { adapter: 'soap', wsdl: 'http://w', operation: 'Lookup' },
    request: {},
    response: { map: { ok: { const: true } } },
    faults: [{ match: { faultcode: 'soap:Server' }, raise: 'BACKEND_UNAVAILABLE', message: 'down' }],
  };
  const op = compileOperation(def, 'crm.yaml');

  it('a rule written soap:Server matches soapenv:Server, soap:Server and Server', () => {
    for (const faultcode of ['soapenv:Server', 'soap:Server', 'Server', 'SOAP-ENV:Server']) {
      expect(op.translateFault({ faultcode, faultstring: 'x' })?.errorCode, faultcode).to.equal('BACKEND_UNAVAILABLE');
    }
  });

  it('the part after the colon must match exactly', () => {
    expect(op.translateFault({ faultcode: 'soapenv:server', faultstring: 'x' })).to.equal(undefined);
    expect(op.translateFault({ faultcode: 'soapenv:Client', faultstring: 'x' })).to.equal(undefined);
  });

  it('the doc says so (and no longer the opposite)', () => {
    const doc = fs.readFileSync(path.resolve(__dirname, '../../../docs/binding-a-new-system.md'), 'utf8');
    expect(doc).to.contain('The faultcode is compared without\nits prefix');
    expect(doc).to.not.contain('prefix included');
  });
});
