import { expect } from 'chai';
import type { IncomingMessage, ServerResponse } from 'http';
import { Errors } from 'moleculer';
import { GridbusError } from '../../../../core/errors';
import { httpErrorView, sendError } from '../../../../services/gateway/error-response';
import { refusal, sendRefusal } from '../../../../services/gateway/policies/refusal';

/** Just enough of a ServerResponse for sendError. */
class FakeRes {
  statusCode = 200;
  headersSent = false;
  headers = new Map<string, string>();
  body: string | undefined;
  ended = 0;
  setHeader(name: string, value: string): this {
    this.headers.set(name.toLowerCase(), value);
    return this;
  }
  getHeader(name: string): string | undefined {
    return this.headers.get(name.toLowerCase());
  }
  end(chunk?: string): this {
    this.ended++;
    this.body = chunk;
    return this;
  }
  json(): Record<string, unknown> {
    return JSON.parse(this.body!);
  }
}

type Req = IncomingMessage & { $ctx?: { requestID?: string | null } };
const req = (ctx?: { requestID?: string | null }): Req => ({ headers: {}, $ctx: ctx } as unknown as Req);
const send = (err: unknown, res = new FakeRes(), r: Req = req(), fallback = 'fallback-id') => {
  const view = sendError(r, res as unknown as ServerResponse, err, fallback);
  return { res, view };
};

/** An http-errors style error as body-parser raises it. */
function bodyParserError(type: string, status: number): Error {
  return Object.assign(new Error(`raw parser message for ${type}: Unexpected token } in JSON at position 12`), { type, status, statusCode: status, expose: true });
}

describe('services/gateway - error response', () => {
  describe('httpErrorView', () => {
    const cases: Array<[string, number, string, number]> = [
      ['entity.parse.failed', 400, 'MALFORMED_REQUEST', 400],
      ['entity.too.large', 413, 'PAYLOAD_TOO_LARGE', 413],
      ['encoding.unsupported', 415, 'UNSUPPORTED_MEDIA_TYPE', 415],
      ['charset.unsupported', 415, 'UNSUPPORTED_MEDIA_TYPE', 415],
      ['request.aborted', 400, 'MALFORMED_REQUEST', 400],
    ];
    for (const [type, httpStatus, code, status] of cases) {
      it(`maps body-parser '${type}' to ${status} ${code}`, () => {
        const view = httpErrorView(bodyParserError(type, httpStatus));
        expect(view.code).to.equal(code);
        expect(view.status).to.equal(status);
        expect(view.message).to.not.contain('raw parser message');
      });
    }

    it('falls back to toErrorView for other errors', () => {
      expect(httpErrorView(new GridbusError('ACCOUNT_NOT_FOUND', 'no account'))).to.deep.include({ code: 'ACCOUNT_NOT_FOUND', status: 404 });
      expect(httpErrorView(new Error('boom'))).to.deep.equal({ code: 'INTERNAL', status: 500, message: 'Internal error' });
      expect(httpErrorView(null)).to.deep.include({ code: 'INTERNAL' });
      expect(httpErrorView({ type: 'stream.encoding.set' })).to.deep.include({ code: 'INTERNAL' });
    });

    it('maps a Moleculer error with an inherited property name as type to INTERNAL', () => {
      for (const type of ['constructor', 'toString', 'hasOwnProperty']) {
        const view = httpErrorView(new Errors.MoleculerError('x', 500, type));
        expect(view, type).to.deep.equal({ code: 'INTERNAL', status: 500, message: 'Internal error' });
      }
    });
  });

  describe('sendError', () => {
    it('writes status, JSON body {code, message, requestId} and the X-Request-ID header', () => {
      const { res, view } = send(bodyParserError('entity.parse.failed', 400), new FakeRes(), req({ requestID: 'req-1' }));
      expect(res.statusCode).to.equal(400);
      expect(res.getHeader('Content-Type')).to.match(/^application\/json/);
      expect(res.getHeader('X-Request-ID')).to.equal('req-1');
      expect(res.json()).to.deep.equal({ code: 'MALFORMED_REQUEST', message: 'Request body is not valid JSON', requestId: 'req-1' });
      expect(res.ended).to.equal(1);
      expect(view.code).to.equal('MALFORMED_REQUEST');
    });

    it('includes details for 4xx errors', () => {
      const err = new GridbusError('VALIDATION_FAILED', 'accountNo must match pattern', { details: { field: 'accountNo' } });
      const { res } = send(err);
      expect(res.statusCode).to.equal(422);
      expect(res.json()).to.deep.equal({
        code: 'VALIDATION_FAILED',
        message: 'accountNo must match pattern',
        requestId: 'fallback-id',
        details: { field: 'accountNo' },
      });
    });

    it('leaves details out of 5xx errors', () => {
      const err = new GridbusError('BACKEND_BAD_RESPONSE', 'marketing.queryArrears: response field totalFen: bad', {
        details: { operation: 'marketing.queryArrears', field: 'totalFen' },
      });
      const { res } = send(err);
      expect(res.statusCode).to.equal(502);
      const body = res.json();
      expect(body).to.have.all.keys('code', 'message', 'requestId');
      expect(body.code).to.equal('BACKEND_BAD_RESPONSE');
    });

    it('answers an unknown error with 500 INTERNAL and a generic message', () => {
      const { res } = send(new Error('ECONNREFUSED 10.0.0.5:5432'));
      expect(res.statusCode).to.equal(500);
      expect(res.json()).to.deep.equal({ code: 'INTERNAL', message: 'Internal error', requestId: 'fallback-id' });
      expect(res.body).to.not.contain('ECONNREFUSED');
    });

    it('adds WWW-Authenticate: Bearer on 401 only', () => {
      const { res } = send(new GridbusError('UNAUTHORIZED', 'Authentication failed: token expired', { details: { reason: 'token expired' } }));
      expect(res.statusCode).to.equal(401);
      expect(res.getHeader('WWW-Authenticate')).to.equal('Bearer');
      expect(res.json().details).to.deep.equal({ reason: 'token expired' });
      const other = send(new GridbusError('FORBIDDEN', 'no')).res;
      expect(other.getHeader('WWW-Authenticate')).to.equal(undefined);
    });

    it("prefers the context's request id, then an X-Request-ID already set, then the fallback", () => {
      const withHeader = () => new FakeRes().setHeader('X-Request-ID', 'header-id');
      expect(send(new Error(), withHeader(), req({ requestID: 'ctx-id' })).res.json().requestId).to.equal('ctx-id');
      expect(send(new Error(), withHeader(), req({ requestID: null })).res.json().requestId).to.equal('header-id');
      expect(send(new Error(), withHeader(), req()).res.json().requestId).to.equal('header-id');
      const plain = send(new Error(), new FakeRes(), req(), 'fb-1').res;
      expect(plain.json().requestId).to.equal('fb-1');
      expect(plain.getHeader('X-Request-ID')).to.equal('fb-1');
    });

    it('only ends the response when headers were already sent', () => {
      const res = new FakeRes();
      res.headersSent = true;
      res.statusCode = 200;
      const { view } = send(new GridbusError('BACKEND_TIMEOUT', 'late'), res);
      expect(res.ended).to.equal(1);
      expect(res.body).to.equal(undefined);
      expect(res.statusCode).to.equal(200);
      expect(res.headers.size).to.equal(0);
      expect(view.code).to.equal('BACKEND_TIMEOUT');
    });

    it('maps a Moleculer ValidationError to 422 with the problems as details', () => {
      const problems = [{ type: 'required', field: 'accountNo', message: 'required' }];
      const { res } = send(new Errors.ValidationError('Parameters validation error!', 'VALIDATION_ERROR', problems));
      expect(res.statusCode).to.equal(422);
      expect(res.json()).to.deep.include({ code: 'VALIDATION_FAILED', details: { problems } });
    });

    it('maps a missing service to 503 SERVICE_UNAVAILABLE', () => {
      const { res } = send(new Errors.ServiceNotFoundError({ action: 'marketing.queryArrears' }));
      expect(res.statusCode).to.equal(503);
      expect(res.json().code).to.equal('SERVICE_UNAVAILABLE');
    });
  });

  it('notes the code it sent on the response, as the policies\' refusals do (the access event reads it)', () => {
    const { res } = send(new GridbusError('ACCOUNT_NOT_FOUND', 'No electricity account with this number'));
    expect((res as unknown as { $errorCode?: string }).$errorCode).to.equal('ACCOUNT_NOT_FOUND');
    const refused = new FakeRes();
    sendRefusal(req() as never, refused as never, refusal('IP_BANNED', 'blocked', { retryAfterS: 5 }));
    expect((refused as unknown as { $errorCode?: string }).$errorCode).to.equal('IP_BANNED');
    expect(refused.json().code).to.equal('IP_BANNED');
  });
});

