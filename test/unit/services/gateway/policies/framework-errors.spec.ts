import { expect } from 'chai';
import type { Socket } from 'net';
import * as zlib from 'zlib';
import { Errors } from 'moleculer';
import ApiGateway from 'moleculer-web';
import { GridbusError, toErrorView } from '../../../../../core/errors';
import { httpErrorView } from '../../../../../services/gateway/error-response';
import { translateFrameworkError } from '../../../../../services/gateway/policies';
import { answerClientError } from '../../../../../services/gateway/policies/header-limits';

const WebErrors = (ApiGateway as unknown as { Errors: Record<string, new (...a: unknown[]) => Error> }).Errors;

describe('gateway/policies - moleculer-web errors in the bus vocabulary', () => {
  const view = (err: unknown) => httpErrorView(translateFrameworkError(err));

  it('a path parameter that is not percent-encoding is 400 MALFORMED_REQUEST, not 500', () => {
    const err = new WebErrors.BadRequestError('UNABLE_DECODE_PARAM', { param: '%E0%A4%A' });
    expect(toErrorView(err).status, 'before: our fault').to.equal(500);
    expect(view(err)).to.include({ code: 'MALFORMED_REQUEST', status: 400 });
  });

  it('an alias whose service is gone is 503 SERVICE_UNAVAILABLE', () => {
    expect(view(new WebErrors.ServiceUnavailableError())).to.include({ code: 'SERVICE_UNAVAILABLE', status: 503 });
  });

  it('other body-parser refusals (4xx without a known type) are 400, never 500', () => {
    const err = new Errors.MoleculerError('request size did not match content length', 400, 'request.size.invalid');
    expect(view(err)).to.include({ code: 'MALFORMED_REQUEST', status: 400 });
    expect(view(new Errors.MoleculerError('too large', 413, 'x'))).to.include({ code: 'PAYLOAD_TOO_LARGE' });
  });

  it('a body that does not inflate as its Content-Encoding says is 400 MALFORMED_REQUEST, not 500', () => {
    for (const [encoding, inflate] of [['gzip', zlib.gunzipSync], ['deflate', zlib.inflateSync]] as const) {
      let zlibError: Error & { code?: string } = new Error('inflated');
      try {
        inflate(Buffer.from('not compressed at all'));
      } catch (err) {
        zlibError = err as Error & { code?: string };
      }
      expect(zlibError.code, encoding).to.match(/^Z_/);
      // what body-parser hands on (status 400 on zlib's error), then moleculer-web's re-wrap (code only)
      const fromBodyParser = Object.assign(zlibError, { status: 400 });
      const rewrapped = new Errors.MoleculerError(zlibError.message, zlibError.code as unknown as number);
      expect(toErrorView(rewrapped).status, 'before: our fault').to.equal(500);
      for (const err of [fromBodyParser, rewrapped]) {
        const v = view(err);
        expect(v, encoding).to.include({ code: 'MALFORMED_REQUEST', status: 400 });
        expect(v.message).to.match(/gzip or deflate/);
      }
    }
  });

  it('an unsupported Content-Encoding (br) is 415 and names the ones accepted', () => {
    const err = new Errors.MoleculerError('unsupported content encoding "br"', 415, 'encoding.unsupported');
    expect(view(err)).to.deep.include({ code: 'UNSUPPORTED_MEDIA_TYPE', status: 415, details: { allowedEncodings: ['identity', 'gzip', 'deflate'] } });
  });

  it('leaves what the bus already knows alone', () => {
    const own = new GridbusError('ACCOUNT_NOT_FOUND', 'no');
    expect(translateFrameworkError(own)).to.equal(own);
    const parse = Object.assign(new Error('Unexpected token'), { type: 'entity.parse.failed', status: 400 });
    expect(translateFrameworkError(parse)).to.equal(parse);
    const boom = new Error('boom');
    expect(translateFrameworkError(boom)).to.equal(boom);
    expect(view(boom).status).to.equal(500);
  });
});

describe('gateway/policies - malformed HTTP answered by the server', () => {
  function socket() {
    const written: string[] = [];
    let destroyed = false;
    const s = {
      writable: true,
      end: (text: string) => written.push(text),
      destroy: () => {
        destroyed = true;
      },
    };
    return { s: s as unknown as Socket, written, destroyed: () => destroyed };
  }

  it('a header block over maxHeaderSize is 431 with the JSON error body, connection closed', () => {
    const { s, written } = socket();
    answerClientError(Object.assign(new Error('Header overflow'), { code: 'HPE_HEADER_OVERFLOW' }), s);
    const [text] = written;
    expect(text).to.match(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    expect(text).to.contain('Connection: close');
    const body = JSON.parse(text.split('\r\n\r\n')[1]);
    expect(body).to.include({ code: 'REQUEST_HEADER_FIELDS_TOO_LARGE' });
    expect(body.requestId).to.be.a('string');
  });

  it('any other parse error is 400 MALFORMED_REQUEST; a reset socket is just closed', () => {
    const bad = socket();
    answerClientError(Object.assign(new Error('Invalid method'), { code: 'HPE_INVALID_METHOD' }), bad.s);
    expect(bad.written[0]).to.match(/^HTTP\/1\.1 400 Bad Request/);
    const reset = socket();
    answerClientError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }), reset.s);
    expect(reset.written).to.deep.equal([]);
    expect(reset.destroyed()).to.equal(true);
  });
});
