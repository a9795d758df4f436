import { expect } from 'chai';
import { Readable } from 'stream';
import { GridbusError } from '../../../../core/errors';
import { jsonReportFields, readReportBody } from '../../../../services/power/report-body';

const LIMITS = { fileBytes: 1000, files: 2, fieldBytes: 100, fields: 5 };
const refusal = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    return err as GridbusError;
  }
  throw new Error('expected a refusal');
};

describe('power - the body of a report: multipart or JSON', () => {
  it('power - a JSON object is read as text fields; a multipart body as a form; told apart by the first byte', async () => {
    expect(await readReportBody(Readable.from([Buffer.from(' {"kind":"FEEDBACK","lat":30.5}')]), LIMITS)).to.deep.equal({ fields: { kind: 'FEEDBACK', lat: '30.5' }, files: [] });
    const form = new FormData();
    form.append('kind', 'COMPLAINT');
    const body = Buffer.from(await new Response(form).arrayBuffer());
    expect((await readReportBody(Readable.from([body.subarray(0, 5), body.subarray(5)]), LIMITS)).fields).to.deep.equal({ kind: 'COMPLAINT' });
  });
  it('power - prototype keys, nested values, arrays and bad JSON are refused; a JSON body over 64 KiB is too large', async () => {
    expect(() => jsonReportFields(JSON.parse('{"__proto__":{"x":1}}'))).to.throw(GridbusError, /invalid/);
    expect(() => jsonReportFields({ kind: { nested: true } })).to.throw(GridbusError, /must be a text or a number/);
    expect(() => jsonReportFields([1])).to.throw(GridbusError, /object/);
    expect((await refusal(readReportBody(Readable.from([Buffer.from('{"kind":')]), LIMITS))).type).to.equal('MALFORMED_REQUEST');
    expect((await refusal(readReportBody(Readable.from([Buffer.from(`{"content":"${'x'.repeat(70_000)}"}`)]), LIMITS))).type).to.equal('PAYLOAD_TOO_LARGE');
    expect((await refusal(readReportBody(Readable.from([]), LIMITS))).type).to.equal('MALFORMED_REQUEST');
  });
});
