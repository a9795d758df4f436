import { expect } from 'chai';
import type { IncomingMessage } from 'http';
import { requestIdFor } from '../../../../services/gateway/request-id';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function req(header: string | string[] | undefined): IncomingMessage {
  const headers: Record<string, string | string[]> = {};
  if (header !== undefined) headers['x-request-id'] = header;
  return { headers } as unknown as IncomingMessage;
}

describe('services/gateway - request id', () => {
  const sane = ['abc', 'req-123', 'A.B_c:d-e', '550e8400-e29b-41d4-a716-446655440000', 'x'.repeat(128), '1'];
  for (const id of sane) {
    it(`keeps the sane id ${JSON.stringify(id.length > 40 ? `${id.slice(0, 10)}...(${id.length})` : id)}`, () => {
      expect(requestIdFor(req(id))).to.equal(id);
    });
  }

  const odd: Array<[string, string]> = [
    ['an oversized id (129 chars)', 'x'.repeat(129)],
    ['a newline (log forging)', 'abc\nlevel=error msg=forged'],
    ['a carriage return', 'abc\r'],
    ['a trailing newline', 'abc\n'],
    ['a space', 'abc def'],
    ['quotes', 'abc"def'],
    ['a slash', '../etc/passwd'],
    ['non-ASCII', 'abc\u00e9'],
    ['HTML', '<script>'],
    ['an empty value', ''],
  ];
  for (const [label, id] of odd) {
    it(`replaces ${label} with a fresh UUID`, () => {
      const out = requestIdFor(req(id));
      expect(out).to.match(UUID_V4);
      expect(out).to.not.equal(id);
    });
  }

  it('creates a UUID when no header is given', () => {
    expect(requestIdFor(req(undefined))).to.match(UUID_V4);
  });

  it('creates a different id each time', () => {
    const ids = new Set(Array.from({ length: 50 }, () => requestIdFor(req(undefined))));
    expect(ids.size).to.equal(50);
  });

  it('uses the first value of a repeated header', () => {
    expect(requestIdFor(req(['first-id', 'second-id']))).to.equal('first-id');
  });

  it('replaces a repeated header whose first value is odd', () => {
    expect(requestIdFor(req(['bad id', 'good-id']))).to.match(UUID_V4);
  });
});
