import { expect } from 'chai';
import { Errors } from 'moleculer';
import { ERROR_CODES, ErrorCode, GridbusError, isErrorCode, toErrorView } from '../../../../core/errors';

describe('core/errors - GridbusError', () => {
  it('carries code, status and the default retryable of its code', () => {
    const err = new GridbusError('BACKEND_TIMEOUT', 'marketing did not answer');
    expect(err).to.be.instanceOf(Error);
    expect(err).to.be.instanceOf(Errors.MoleculerError);
    expect(err.name).to.equal('GridbusError');
    expect(err.message).to.equal('marketing did not answer');
    expect(err.errorCode).to.equal('BACKEND_TIMEOUT');
    expect(err.type).to.equal('BACKEND_TIMEOUT');
    expect(err.status).to.equal(504);
    expect(err.code).to.equal(504);
    expect(err.retryable).to.equal(true);
  });

  for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
    it(`uses the table's status and retryable for ${code}`, () => {
      const err = new GridbusError(code, 'x');
      expect(err.status).to.equal(ERROR_CODES[code].status);
      expect(err.code).to.equal(ERROR_CODES[code].status);
      expect(err.retryable).to.equal(ERROR_CODES[code].retryable);
      expect(err.data.retryable).to.equal(ERROR_CODES[code].retryable);
    });
  }

  it('lets options override retryable, in both the property and data', () => {
    const err = new GridbusError('BACKEND_UNAVAILABLE', 'down', { retryable: false });
    expect(err.retryable).to.equal(false);
    expect(err.data.retryable).to.equal(false);
    const other = new GridbusError('BACKEND_FAULT', 'odd', { retryable: true });
    expect(other.retryable).to.equal(true);
  });

  it('puts details in data (what Moleculer sends over the transporter)', () => {
    const err = new GridbusError('ACCOUNT_NOT_FOUND', 'no account', { details: { operation: 'marketing.queryArrears' } });
    expect(err.data).to.deep.equal({ operation: 'marketing.queryArrears', retryable: false });
  });

  it('keeps the cause when given and has none otherwise', () => {
    const cause = new Error('socket hang up');
    expect((new GridbusError('BACKEND_UNAVAILABLE', 'x', { cause }) as { cause?: unknown }).cause).to.equal(cause);
    expect((new GridbusError('BACKEND_UNAVAILABLE', 'x') as { cause?: unknown }).cause).to.equal(undefined);
  });

  it('does not share data between instances', () => {
    const details = { a: 1 };
    const one = new GridbusError('NOT_FOUND', 'x', { details });
    one.data.b = 2;
    expect(details).to.deep.equal({ a: 1 });
    expect(new GridbusError('NOT_FOUND', 'y', { details }).data).to.deep.equal({ a: 1, retryable: false });
  });

  it('isErrorCode accepts only the published codes', () => {
    expect(isErrorCode('ACCOUNT_NOT_FOUND')).to.equal(true);
    expect(isErrorCode('account_not_found')).to.equal(false);
    expect(isErrorCode('toString')).to.equal(false);
    expect(isErrorCode('constructor')).to.equal(false);
    expect(isErrorCode(404)).to.equal(false);
    expect(isErrorCode(undefined)).to.equal(false);
  });
});

describe('core/errors - toErrorView', () => {
  it('describes a local GridbusError with its code, status, message and details (without retryable)', () => {
    const err = new GridbusError('ACCOUNT_NOT_FOUND', 'No electricity account with this number', {
      details: { operation: 'marketing.queryArrears' },
    });
    expect(toErrorView(err)).to.deep.equal({
      code: 'ACCOUNT_NOT_FOUND',
      status: 404,
      message: 'No electricity account with this number',
      details: { operation: 'marketing.queryArrears' },
    });
  });

  it('leaves details out when only retryable was in data, and hides a 5xx message that may name internals', () => {
    const view = toErrorView(new GridbusError('BACKEND_TIMEOUT', 'no answer from http://10.1.2.3/ws within 300 ms'));
    expect(view).to.deep.equal({ code: 'BACKEND_TIMEOUT', status: 504, message: 'The back-office system did not answer in time', details: undefined });
  });

  it('keeps a 5xx message written for callers (publicMessage), without the flag in details', () => {
    const view = toErrorView(new GridbusError('BACKEND_UNAVAILABLE', 'The marketing system is in maintenance', { publicMessage: true }));
    expect(view).to.deep.equal({ code: 'BACKEND_UNAVAILABLE', status: 503, message: 'The marketing system is in maintenance', details: undefined });
  });

  it('does not modify the error it describes', () => {
    const err = new GridbusError('RATE_LIMITED', 'slow down', { details: { after: 5 } });
    toErrorView(err);
    expect(err.data).to.deep.equal({ after: 5, retryable: true });
  });

  it('describes an error regenerated after crossing a transporter (plain object)', () => {
    const regenerated = {
      name: 'GridbusError',
      type: 'ACCOUNT_NOT_FOUND',
      code: 404,
      message: 'No electricity account with this number',
      data: { operation: 'marketing.queryArrears', retryable: false },
    };
    expect(toErrorView(regenerated)).to.deep.equal({
      code: 'ACCOUNT_NOT_FOUND',
      status: 404,
      message: 'No electricity account with this number',
      details: { operation: 'marketing.queryArrears' },
    });
  });

  it('takes the status from the code table, not from the remote numeric code', () => {
    const view = toErrorView({ name: 'GridbusError', type: 'BACKEND_TIMEOUT', code: 500, message: 'late', data: {} });
    expect(view.status).to.equal(504);
    expect(view.details).to.equal(undefined);
  });

  it('describes a Moleculer MoleculerError regenerated with one of our types', () => {
    const err = new Errors.MoleculerError('no account', 404, 'ACCOUNT_NOT_FOUND', { accountNo: '33****4567' });
    expect(toErrorView(err)).to.deep.equal({ code: 'ACCOUNT_NOT_FOUND', status: 404, message: 'no account', details: { accountNo: '33****4567' } });
  });

  it('maps a Moleculer ValidationError to VALIDATION_FAILED with the problems as details', () => {
    const problems = [{ type: 'required', field: 'accountNo', message: "The 'accountNo' field is required." }];
    const err = new Errors.ValidationError('Parameters validation error!', 'VALIDATION_ERROR', problems);
    const view = toErrorView(err);
    expect(view.code).to.equal('VALIDATION_FAILED');
    expect(view.status).to.equal(422);
    expect(view.details).to.deep.equal({ problems });
  });

  it('keeps the node id, the internal action name and the value sent out of validation problems', () => {
    // as Moleculer's Validator reports a failed check of an action called by another action
    const problems = [
      { type: 'stringMax', field: 'userId', message: "The 'userId' field length must be less than or equal to 128 characters long.", expected: 128, actual: 'u'.repeat(200), nodeID: 'gridbus-4242', action: 'binding.isBound' },
      { type: 'stringMin', field: 'password', message: 'too short', expected: 12, actual: 'hunter2', nodeID: 'gridbus-4242', action: 'auth.createOperator' },
    ];
    const view = toErrorView(new Errors.ValidationError('Parameters validation error!', 'VALIDATION_ERROR', problems));
    expect(view.details).to.deep.equal({
      problems: [
        { type: 'stringMax', field: 'userId', message: "The 'userId' field length must be less than or equal to 128 characters long.", expected: 128 },
        { type: 'stringMin', field: 'password', message: 'too short', expected: 12 },
      ],
    });
    expect(JSON.stringify(view)).not.to.match(/gridbus-4242|isBound|createOperator|hunter2|nodeID/);
  });

  it('names each unknown field of a strict schema as a problem of its own', () => {
    const problems = [{ type: 'objectStrict', field: undefined, message: "The object '' contains forbidden keys: 'surprise, other'.", expected: 'accountNo', actual: 'surprise, other', nodeID: 'n', action: 'billing.getArrears' }];
    expect(toErrorView(new Errors.ValidationError('x', null, problems)).details).to.deep.equal({
      problems: [
        { field: 'surprise', type: 'objectStrict', message: "'surprise' is not a parameter of this request" },
        { field: 'other', type: 'objectStrict', message: "'other' is not a parameter of this request" },
      ],
    });
  });

  it('maps a ValidationError created the way the brief describes (require)', () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { ValidationError } = require('moleculer').Errors;
    const view = toErrorView(new ValidationError('bad', null, [{ field: 'x' }]));
    expect(view).to.deep.include({ code: 'VALIDATION_FAILED', status: 422 });
  });

  it('maps Moleculer availability errors to SERVICE_UNAVAILABLE', () => {
    const errors = [
      new Errors.ServiceNotFoundError({ action: 'marketing.queryArrears' }),
      new Errors.ServiceNotAvailableError({ action: 'marketing.queryArrears' }),
      new Errors.RequestTimeoutError({ action: 'marketing.queryArrears', nodeID: 'n1' }),
    ];
    for (const err of errors) {
      const view = toErrorView(err);
      expect(view.code, err.name).to.equal('SERVICE_UNAVAILABLE');
      expect(view.status).to.equal(503);
      expect(view.message).to.not.contain('marketing.queryArrears');
    }
  });

  it('maps a random Error to INTERNAL without leaking its message', () => {
    const err = new Error('connect ECONNREFUSED 10.0.0.5:5432 password=hunter2');
    const view = toErrorView(err);
    expect(view.code).to.equal('INTERNAL');
    expect(view.status).to.equal(500);
    expect(view.message).to.equal('Internal error');
    expect(view.details).to.equal(undefined);
    expect(JSON.stringify(view)).to.not.contain('hunter2');
    expect(JSON.stringify(view)).to.not.contain('ECONNREFUSED');
  });

  it('maps a TypeError and a MoleculerError of an unknown type to INTERNAL', () => {
    expect(toErrorView(new TypeError("Cannot read properties of undefined (reading 'x')")).code).to.equal('INTERNAL');
    const view = toErrorView(new Errors.MoleculerError('db blew up at 10.0.0.5', 500, 'DB_ERROR', { sql: 'select 1' }));
    expect(view).to.deep.equal({ code: 'INTERNAL', status: 500, message: 'Internal error' });
  });

  it('copes with non-errors thrown', () => {
    for (const thrown of [undefined, null, 'oops', 42, {}]) {
      expect(toErrorView(thrown), String(thrown)).to.deep.equal({ code: 'INTERNAL', status: 500, message: 'Internal error' });
    }
  });

  it('does not accept an inherited property name as a code', () => {
    expect(toErrorView({ type: 'toString', message: 'x' }).code).to.equal('INTERNAL');
  });

  it('masks credentials of URLs in the message and details a caller sees', () => {
    const err = new GridbusError('MAPPING_INVALID', 'WSDL http://svc:pw@10.1.2.3/ws?wsdl not loaded', {
      details: { endpoint: 'http://svc:pw@10.1.2.3/ws?token=t1' },
      publicMessage: true,
    });
    const view = toErrorView(err);
    expect(view.message).to.equal('WSDL http://svc:***@10.1.2.3/ws?wsdl not loaded');
    expect(view.details).to.deep.equal({ endpoint: 'http://svc:***@10.1.2.3/ws?token=***' });
  });
});
