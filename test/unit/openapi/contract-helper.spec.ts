import { expect } from 'chai';
import { expectContract } from '../../helpers/contract';

// operations in variables: the coverage check counts only literal operations in expectContract calls, and fake answers must not count
const LIST = 'GET /api/v1/bindings';
const ARREARS = 'GET /api/v1/accounts/{accountNo}/arrears';

const answer = (status: number, json: unknown, headers: Record<string, string> = {}) => ({ status, json, text: JSON.stringify(json), headers: new Headers(headers) });
const binding = { accountNo: '3301000001', holderName: '张*', boundAt: '2026-12-05T06:49:27.529Z', kind: 'IDENTITY', label: null, isDefault: true };
const unauthorized = { code: 'UNAUTHORIZED', message: 'Authentication required', requestId: 'r1', details: { reason: 'token missing' } };

describe('openapi - expectContract checks an answer against the contract', () => {
  it('openapi - a body that fits its documented status passes', () => {
    expect(() => expectContract(answer(200, { bindings: [binding] }), LIST)).to.not.throw();
  });

  it('openapi - an undocumented status fails, naming the documented ones', () => {
    expect(() => expectContract(answer(418, { code: 'X', message: 'x', requestId: 'r' }), LIST)).to.throw(/does not document status 418 \(documented: 200, 401/);
  });

  it('openapi - a field the spec does not know, or a wrong type, fails with the body', () => {
    expect(() => expectContract(answer(200, { bindings: [{ ...binding, certNo: '330106199001010011' }] }), LIST)).to.throw(/must NOT have additional properties[\s\S]*certNo/);
    expect(() => expectContract(answer(200, { accountNo: '3301000001', items: [], totalFen: '12.5' }), ARREARS)).to.throw(/totalFen must be integer/);
  });

  it('openapi - an error body is held to the codes its status documents, through a $ref response', () => {
    expect(() => expectContract(answer(404, { code: 'ACCOUNT_NOT_FOUND', message: 'No electricity account with this number', requestId: 'r' }), ARREARS)).to.not.throw();
    expect(() => expectContract(answer(404, { code: 'ORDER_NOT_FOUND', message: 'No payment order 1', requestId: 'r' }), ARREARS)).to.throw(/code must be equal to constant/);
  });

  it('openapi - a header the response requires (WWW-Authenticate on 401) must be there and fit', () => {
    expect(() => expectContract(answer(401, unauthorized, { 'WWW-Authenticate': 'Bearer' }), LIST)).to.not.throw();
    expect(() => expectContract(answer(401, unauthorized), LIST)).to.throw(/lacks the header WWW-Authenticate/);
    expect(() => expectContract(answer(401, unauthorized, { 'WWW-Authenticate': 'Basic' }), LIST)).to.throw(/header WWW-Authenticate: Basic does not match/);
  });

  it('openapi - an operation the spec does not have fails', () => {
    const op = 'GET /api/v1/nowhere';
    expect(() => expectContract(answer(200, {}), op)).to.throw('contract: GET /api/v1/nowhere is not in openapi/life-number.yaml');
  });
});
