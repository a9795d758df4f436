import { expect } from 'chai';
import { checkContentType, checkHeaderCount, checkJsonDepth, checkPathAndQuery } from '../../../../../services/gateway/policies/request-hygiene';
import { fakeReq } from './fakes';

describe('gateway/policies - request hygiene', () => {
  it('header count - more lines than allowed is 431 REQUEST_HEADER_FIELDS_TOO_LARGE', () => {
    const raw = (n: number) => Array.from({ length: n }, (_, i) => [`X-H${i}`, 'v']).flat();
    expect(checkHeaderCount(fakeReq({ rawHeaders: raw(100) }), 100)).to.equal(null);
    expect(checkHeaderCount(fakeReq({ rawHeaders: raw(101) }), 100)).to.deep.include({ code: 'REQUEST_HEADER_FIELDS_TOO_LARGE', status: 431 });
  });

  const badPaths = [
    '/api/v1/accounts/..%2F..%2Fetc%2Fpasswd/arrears',
    '/api/v1/accounts/%2e%2e/arrears',
    '/api/v1/accounts/../arrears',
    '/api/v1/accounts/a%00b/arrears',
    '/api/v1/accounts/a%5Cb/arrears',
    '/api/v1/accounts/a%0d%0aSet-Cookie:x/arrears',
    '/api/v1/accounts/%E0%A4%A/arrears',
  ];
  for (const url of badPaths) {
    it(`path - refuses ${url} with 400 MALFORMED_REQUEST`, () => {
      expect(checkPathAndQuery(fakeReq({ url }))).to.deep.include({ code: 'MALFORMED_REQUEST', status: 400 });
    });
  }

  it('path - ordinary paths, encoded spaces and non-ASCII pass; the query is not the path', () => {
    for (const url of ['/api/v1/accounts/3301000001/arrears', '/api/v1/search/a%20b', '/api/v1/names/%E5%BC%A0', '/x?next=../../etc']) {
      expect(checkPathAndQuery(fakeReq({ url })), url).to.equal(null);
    }
  });

  it('query - control characters refused, tab and line breaks allowed, nested values walked', () => {
    expect(checkPathAndQuery(fakeReq({ query: { q: 'a\u0000b' } }))?.code).to.equal('MALFORMED_REQUEST');
    expect(checkPathAndQuery(fakeReq({ query: { a: { b: ['ok', 'x\u001b[31m'] } } }))?.code).to.equal('MALFORMED_REQUEST');
    expect(checkPathAndQuery(fakeReq({ query: { q: "1' OR '1'='1", note: 'line\nbreak\ttab' } }))).to.equal(null);
  });

  it('content type - a body must be one of the allowed media types (415 UNSUPPORTED_MEDIA_TYPE)', () => {
    const json = ['application/json'];
    const req = (headers: Record<string, string>) => fakeReq({ method: 'POST', headers });
    expect(checkContentType(req({ 'Content-Length': '2', 'Content-Type': 'application/json; charset=utf-8' }), json)).to.equal(null);
    expect(checkContentType(req({ 'Content-Length': '2', 'Content-Type': 'APPLICATION/JSON' }), json)).to.equal(null);
    expect(checkContentType(req({ 'Content-Length': '2', 'Content-Type': 'text/plain' }), json)).to.deep.include({ code: 'UNSUPPORTED_MEDIA_TYPE', status: 415 });
    expect(checkContentType(req({ 'Content-Length': '2' }), json)?.code, 'no type at all').to.equal('UNSUPPORTED_MEDIA_TYPE');
    expect(checkContentType(req({ 'Transfer-Encoding': 'chunked', 'Content-Type': 'application/xml' }), json)?.code).to.equal('UNSUPPORTED_MEDIA_TYPE');
    expect(checkContentType(req({ 'Content-Length': '0' }), json), 'no body').to.equal(null);
    expect(checkContentType(fakeReq(), json), 'GET without a body').to.equal(null);
    expect(checkContentType(req({ 'Content-Length': '2', 'Content-Type': 'text/csv' }), ['text/*'])).to.equal(null);
    expect(checkContentType(req({ 'Content-Length': '2', 'Content-Type': 'text/csv' }), ['*/*']), 'the route checks itself').to.equal(null);
  });

  it('JSON depth - deeper than allowed is 400 MALFORMED_REQUEST; walked without recursion', () => {
    const nest = (n: number) => JSON.parse('['.repeat(n) + ']'.repeat(n));
    expect(checkJsonDepth(nest(32), 32)).to.equal(null);
    expect(checkJsonDepth(nest(33), 32)).to.deep.include({ code: 'MALFORMED_REQUEST', status: 400 });
    expect(checkJsonDepth(nest(100_000), 32)?.code).to.equal('MALFORMED_REQUEST');
    expect(checkJsonDepth({ a: { b: { c: 1 } }, d: [1, 2, { e: null }] }, 3)).to.equal(null);
    expect(checkJsonDepth('text', 1)).to.equal(null);
  });
});
