import { expect } from 'chai';
import * as fs from 'fs';
import * as path from 'path';
import { GridbusError } from '../../../../core/errors';
import { CompiledOperation, compileOperation } from '../../../../core/mapping/compile-operation';
import { OperationDefinition } from '../../../../core/mapping/operation-definition';
import { loadOperationText } from '../../../../core/mapping/operation-loader';

const REAL_FILE = path.resolve(__dirname, '../../../../mappings/operations/marketing.queryArrears.yaml');
const CTX = { requestId: 'req-7' };

function gridbusError(fn: () => unknown): GridbusError {
  try {
    fn();
  } catch (err) {
    expect(err, String(err)).to.be.instanceOf(GridbusError);
    return err as GridbusError;
  }
  throw new Error('expected a GridbusError');
}

/** Like gridbusError, for calls that may throw or return a rejected Promise (mappings with `expr` are async). */
async function rejected(fn: () => unknown): Promise<GridbusError> {
  try {
    await fn();
  } catch (err) {
    expect(err, String(err)).to.be.instanceOf(GridbusError);
    return err as GridbusError;
  }
  throw new Error('expected a GridbusError');
}

function goodBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    RetCode: '0000',
    RetMsg: 'OK',
    Customer: { ConsNo: '3301234567', ConsName: '张三丰' },
    ArrearsList: {
      Item: [
        { BillMonth: '202401', ArrearsFen: '12000', PenaltyFen: '60', Status: '01' },
        { BillMonth: '202402', ArrearsFen: '00300', Status: '02' },
      ],
    },
    TotalFen: '12360',
    ...overrides,
  };
}

describe('core/mapping - compileOperation', () => {
  let op: CompiledOperation;

  before(() => {
    op = loadOperationText(fs.readFileSync(REAL_FILE, 'utf8'), 'marketing.queryArrears.yaml', { MARKETING_WSDL_URL: 'http://x/wsdl' });
  });

  describe('validateInput', () => {
    it('accepts valid params', () => {
      expect(() => op.validateInput({ accountNo: '3301234567' })).to.not.throw();
    });

    const bad: Array<[string, unknown, string]> = [
      ['a too-short account number', { accountNo: '123' }, 'accountNo'],
      ['letters in the account number', { accountNo: '33012345ab' }, 'accountNo'],
      ['a number instead of a string', { accountNo: 3301234567 }, 'accountNo'],
      ['a missing account number', {}, 'request'],
      ['an unknown extra property', { accountNo: '3301234567', extra: 1 }, 'request'],
      ['a non-object', 'accountNo', 'request'],
      ['null', null, 'request'],
    ];
    for (const [label, params, field] of bad) {
      it(`refuses ${label} with VALIDATION_FAILED naming '${field}'`, () => {
        const err = gridbusError(() => op.validateInput(params));
        expect(err.errorCode).to.equal('VALIDATION_FAILED');
        expect(err.type).to.equal('VALIDATION_FAILED');
        expect(err.code).to.equal(422);
        expect(err.data.field).to.equal(field);
        expect(err.message).to.match(new RegExp(`^${field} `));
      });
    }

    it('does not coerce types (a number is not accepted for a string property)', () => {
      const params = { accountNo: 3301234567 };
      expect(() => op.validateInput(params)).to.throw(GridbusError);
      expect(params.accountNo).to.equal(3301234567);
    });
  });

  describe('buildRequest', () => {
    it('builds the back-office request from params and context', async () => {
      expect(await op.buildRequest({ accountNo: '3301234567' }, CTX)).to.deep.equal({
        ConsNo: '3301234567',
        Channel: 'ALIPAY',
        Serial: 'req-7',
      });
    });

    it('turns a mapping failure into VALIDATION_FAILED naming the field', async () => {
      const strict = compileOperation(
        {
          operation: 'billing.x',
          version: 1,
          endpoint: { adapter: 'soap', wsdl: 'http://w', operation: 'X' },
          request: { Amount: { from: 'amountYuan', money: { in: 'yuan' }, required: true } },
          response: { map: {} },
        },
        'x.yaml',
      );
      const err = await rejected(() => strict.buildRequest({ amountYuan: '1.234' }, CTX));
      expect(err.errorCode).to.equal('VALIDATION_FAILED');
      expect(err.data.field).to.equal('Amount');
      expect(err.message).to.contain('Amount');
    });
  });

  describe('interpretResponse', () => {
    it('maps a good body with a list of items to the canonical output', async () => {
      expect(await op.interpretResponse(goodBody(), CTX)).to.deep.equal({
        accountNo: '3301234567',
        holderName: '张**',
        items: [
          { billMonth: '202401', amountFen: 12000, lateFeeFen: 60, status: 'UNPAID' },
          { billMonth: '202402', amountFen: 300, lateFeeFen: 0, status: 'PARTLY_PAID' },
        ],
        totalFen: 12360,
      });
    });

    it('maps a single Item object (one arrears) as a one-element list', async () => {
      const out = await op.interpretResponse(
        goodBody({ ArrearsList: { Item: { BillMonth: '202403', ArrearsFen: '123', Status: '01' } }, TotalFen: '123' }),
        CTX,
      );
      expect(out.items).to.deep.equal([{ billMonth: '202403', amountFen: 123, lateFeeFen: 0, status: 'UNPAID' }]);
      expect(out.totalFen).to.equal(123);
    });

    it('maps an empty ArrearsList to no items', async () => {
      const out = await op.interpretResponse(goodBody({ ArrearsList: '', TotalFen: '0' }), CTX);
      expect(out.items).to.deep.equal([]);
      expect(out.totalFen).to.equal(0);
    });

    it('raises the typed error of a matching error rule', async () => {
      const err = await rejected(() => op.interpretResponse({ RetCode: '1001', RetMsg: 'no such account' }, CTX));
      expect(err.errorCode).to.equal('ACCOUNT_NOT_FOUND');
      expect(err.type).to.equal('ACCOUNT_NOT_FOUND');
      expect(err.code).to.equal(404);
      expect(err.status).to.equal(404);
      expect(err.message).to.equal('No electricity account with this number');
      expect(err.retryable).to.equal(false);
      expect(err.data.operation).to.equal('marketing.queryArrears');
    });

    it('refuses an unexpected result code with BACKEND_BAD_RESPONSE naming the code', async () => {
      const err = await rejected(() => op.interpretResponse(goodBody({ RetCode: '9999' }), CTX));
      expect(err.errorCode).to.equal('BACKEND_BAD_RESPONSE');
      expect(err.code).to.equal(502);
      expect(err.message).to.contain('9999');
      expect(err.data.resultCode).to.equal('9999');
    });

    it('refuses a body without a result code with BACKEND_BAD_RESPONSE', async () => {
      const body = goodBody();
      delete body.RetCode;
      expect((await rejected(() => op.interpretResponse(body, CTX))).errorCode).to.equal('BACKEND_BAD_RESPONSE');
      expect((await rejected(() => op.interpretResponse(undefined, CTX))).errorCode).to.equal('BACKEND_BAD_RESPONSE');
    });

    it('refuses a missing required field with BACKEND_BAD_RESPONSE naming the field', async () => {
      const err = await rejected(() => op.interpretResponse(goodBody({ Customer: { ConsName: '张三' } }), CTX));
      expect(err.errorCode).to.equal('BACKEND_BAD_RESPONSE');
      expect(err.data.field).to.equal('accountNo');
      expect(err.message).to.contain('accountNo');
    });

    it('names the item of a bad arrears line', async () => {
      const body = goodBody({
        ArrearsList: { Item: [{ BillMonth: '202401', ArrearsFen: '1', Status: '01' }, { BillMonth: '202402', Status: '01' }] },
      });
      const err = await rejected(() => op.interpretResponse(body, CTX));
      expect(err.errorCode).to.equal('BACKEND_BAD_RESPONSE');
      expect(err.data.field).to.equal('items[1].amountFen');
    });

    it('refuses an unknown status code with BACKEND_BAD_RESPONSE', async () => {
      const body = goodBody({ ArrearsList: { Item: { BillMonth: '202401', ArrearsFen: '1', Status: '99' } } });
      const err = await rejected(() => op.interpretResponse(body, CTX));
      expect(err.errorCode).to.equal('BACKEND_BAD_RESPONSE');
      expect(err.data.field).to.equal('items[0].status');
    });

    it('refuses a non-integer fen total with BACKEND_BAD_RESPONSE', async () => {
      const err = await rejected(() => op.interpretResponse(goodBody({ TotalFen: '123.5' }), CTX));
      expect(err.errorCode).to.equal('BACKEND_BAD_RESPONSE');
      expect(err.data.field).to.equal('totalFen');
    });
  });

  describe('response maps read the canonical request and the call', () => {
    const def: OperationDefinition = {
      operation: 'crm.lookupDebt',
      version: 1,
      endpoint: { adapter: 'http', url: 'http://crm/debts/{id}', method: 'GET' } as never,
      request: { 'path.id': 'account' },
      response: {
        success: { path: 'head.rc', equals: 'S' },
        map: {
          account: { from: '$request.account', required: true },
          owedFen: { from: 'data.owed', money: { in: 'yuan' } },
          trace: '$context.requestId',
          operation: '$context.operation',
        },
      },
    };

    it('fills what the back office does not echo from the request the call was made with', async () => {
      const op = compileOperation(def, 'crm.yaml');
      const out = await op.interpretResponse({ head: { rc: 'S' }, data: { owed: '3.07' } }, { requestId: 'r-1', request: { account: 'A-77' }, operation: 'crm.lookupDebt' });
      expect(out).to.deep.equal({ account: 'A-77', owedFen: 307, trace: 'r-1', operation: 'crm.lookupDebt' });
    });

    it('a response map without the request (no $request in the context) fails as a missing required field', async () => {
      const err = await rejected(() => compileOperation(def, 'crm.yaml').interpretResponse({ head: { rc: 'S' } }, { requestId: 'r-2' }));
      expect(err.errorCode).to.equal('BACKEND_BAD_RESPONSE');
      expect(err.message).to.match(/response field account: is required but missing/);
    });

    it('refuses an unknown $ root at compile time, at its place in the file', () => {
      const bad = { ...def, response: { ...def.response, map: { account: { from: '$req.account' } } } };
      expect(() => compileOperation(bad, 'crm.yaml')).to.throw(/response\.map\.account\.from: unknown root '\$req': write a path of the input, \$request\.<field>/);
    });
  });

  describe('rules', () => {
    const def: OperationDefinition = {
      operation: 'billing.pay',
      version: 2,
      endpoint: { adapter: 'soap', wsdl: 'http://w', operation: 'Pay' },
      request: {},
      response: {
        success: { path: 'Head.Code', in: ['0', '00'] },
        errors: [
          { when: { path: 'Head.Code', in: ['5001', 5002] }, raise: 'BACKEND_UNAVAILABLE' },
          { when: { path: 'Head.Code', equals: 7 }, raise: 'RATE_LIMITED', retryable: false, message: 'slow down' },
          { when: { path: 'Head.Code', equals: '0' }, raise: 'FORBIDDEN' },
        ],
        map: { ok: { const: true } },
      },
      faults: [
        { match: { faultcode: 'soap:Client', faultstring: 'account locked' }, raise: 'FORBIDDEN', message: 'Account locked' },
        { match: { faultstring: 'timeout' }, raise: 'BACKEND_TIMEOUT' },
        { match: { faultcode: 'soap:Server' }, raise: 'BACKEND_UNAVAILABLE', retryable: false },
      ],
    };
    let pay: CompiledOperation;

    before(() => {
      pay = compileOperation(def, 'pay.yaml');
    });

    it('accepts any success code in an `in` list', async () => {
      expect(await pay.interpretResponse({ Head: { Code: '00' } }, CTX)).to.deep.equal({ ok: true });
    });

    it('compares codes as text (number 5002 in the rule matches "5002")', async () => {
      expect((await rejected(() => pay.interpretResponse({ Head: { Code: '5002' } }, CTX))).errorCode).to.equal('BACKEND_UNAVAILABLE');
      expect((await rejected(() => pay.interpretResponse({ Head: { Code: 7 } }, CTX))).errorCode).to.equal('RATE_LIMITED');
    });

    it("uses the code's default retryable unless the rule overrides it", async () => {
      expect((await rejected(() => pay.interpretResponse({ Head: { Code: '5001' } }, CTX))).retryable).to.equal(true);
      const limited = await rejected(() => pay.interpretResponse({ Head: { Code: '7' } }, CTX));
      expect(limited.retryable).to.equal(false);
      expect(limited.message).to.equal('slow down');
    });

    it('gives a default message naming the operation and code', async () => {
      const err = await rejected(() => pay.interpretResponse({ Head: { Code: '5001' } }, CTX));
      expect(err.message).to.contain('billing.pay');
      expect(err.message).to.contain('BACKEND_UNAVAILABLE');
    });

    it('checks error rules before the success condition', async () => {
      expect((await rejected(() => pay.interpretResponse({ Head: { Code: '0' } }, CTX))).errorCode).to.equal('FORBIDDEN');
    });

    it('treats every body as success when there is no success condition', async () => {
      const loose = compileOperation({ ...def, response: { map: { v: 'V' } } }, 'loose.yaml');
      expect(await loose.interpretResponse({ V: 1 }, CTX)).to.deep.equal({ v: 1 });
    });

    it('reports the bad result code as "undefined" text when absent, not throwing a TypeError', async () => {
      const err = await rejected(() => pay.interpretResponse({ Head: {} }, CTX));
      expect(err.errorCode).to.equal('BACKEND_BAD_RESPONSE');
    });

    it('refuses an unknown error code at compile time, naming the rule', () => {
      const broken = { ...def, response: { ...def.response, errors: [{ when: { path: 'X', equals: 1 }, raise: 'NOPE' }] } };
      expect(() => compileOperation(broken, 'b.yaml')).to.throw(/response\.errors\[0\]\.raise: 'NOPE' is not a known error code/);
    });

    describe('translateFault', () => {
      it('matches faultcode and faultstring substring together', () => {
        const err = pay.translateFault({ faultcode: 'soap:Client', faultstring: 'Error: account locked by admin' })!;
        expect(err).to.be.instanceOf(GridbusError);
        expect(err.errorCode).to.equal('FORBIDDEN');
        expect(err.message).to.equal('Account locked');
        expect(err.data.faultcode).to.equal('soap:Client');
        expect(err.data.operation).to.equal('billing.pay');
      });

      it('does not match when only one of faultcode/faultstring matches', () => {
        const err = pay.translateFault({ faultcode: 'soap:Client', faultstring: 'bad input' });
        expect(err).to.equal(undefined);
      });

      it('matches a faultstring substring with any faultcode', () => {
        const err = pay.translateFault({ faultcode: 'whatever', faultstring: 'upstream timeout after 5s' })!;
        expect(err.errorCode).to.equal('BACKEND_TIMEOUT');
        expect(err.retryable).to.equal(true);
        expect(err.message).to.contain('billing.pay');
        expect(err.message).to.contain('upstream timeout after 5s');
      });

      it('applies the first matching rule, with retryable overridden', () => {
        const err = pay.translateFault({ faultcode: 'soap:Server', faultstring: 'boom' })!;
        expect(err.errorCode).to.equal('BACKEND_UNAVAILABLE');
        expect(err.retryable).to.equal(false);
      });

      it('returns undefined when no rule matches', () => {
        expect(pay.translateFault({ faultcode: 'soap:Other', faultstring: 'x' })).to.equal(undefined);
        expect(pay.translateFault({})).to.equal(undefined);
      });

      it('returns undefined for every fault when there are no rules', () => {
        const none = compileOperation({ ...def, faults: undefined }, 'n.yaml');
        expect(none.translateFault({ faultcode: 'soap:Server', faultstring: 'timeout' })).to.equal(undefined);
      });

      it('translates the real marketing soap:Server fault to a non-retryable BACKEND_UNAVAILABLE', () => {
        const err = op.translateFault({ faultcode: 'soap:Server', faultstring: 'db down' })!;
        expect(err.errorCode).to.equal('BACKEND_UNAVAILABLE');
        expect(err.code).to.equal(503);
        expect(err.retryable).to.equal(false);
        expect(err.message).to.equal('The marketing system is temporarily unavailable');
        expect(op.translateFault({ faultcode: 'soap:Client', faultstring: 'x' })).to.equal(undefined);
      });
    });
  });
});
