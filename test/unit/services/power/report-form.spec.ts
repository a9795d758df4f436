import { expect } from 'chai';
import { GridbusError } from '../../../../core/errors';
import { readReportForm } from '../../../../services/power/report-form';

const form = (fields: Record<string, string>, files: string[] = []) => ({ fields, files: files.map((field) => ({ field, data: Buffer.from('x') })) });
const problemsOf = (fields: Record<string, string>, files: string[] = []) => {
  try {
    readReportForm(form(fields, files));
  } catch (err) {
    expect((err as GridbusError).type).to.equal('VALIDATION_FAILED');
    return ((err as GridbusError).data as { problems: Array<{ field: string }> }).problems.map((p) => p.field);
  }
  throw new Error('expected VALIDATION_FAILED');
};

describe('power - report form fields', () => {
  it('power - a full report is read, trimmed, its location rounded to six decimals', () => {
    expect(readReportForm(form({ kind: 'ILLEGAL_USE', content: '  私拉电线  ', accountNo: '3301000001', contactMobile: '13800000011', lat: '30.1234567', lng: '-120.5' }, ['photos']))).to.deep.equal({
      kind: 'ILLEGAL_USE',
      content: '私拉电线',
      accountNo: '3301000001',
      contactMobile: '13800000011',
      location: { lat: 30.123457, lng: -120.5 },
    });
  });
  it('power - optional fields left empty are null', () => {
    expect(readReportForm(form({ kind: 'FEEDBACK', content: 'ok', accountNo: '', contactMobile: ' ' }))).to.include({ accountNo: null, contactMobile: null, location: null });
  });
  it('power - every problem is named at once, never with the value sent', () => {
    expect(problemsOf({ kind: 'PRAISE', content: '', accountNo: '123', contactMobile: '555', lat: '91', lng: '0', userId: 'someone' }, ['file'])).to.have.members([
      'userId',
      'file',
      'kind',
      'content',
      'accountNo',
      'contactMobile',
      'lat',
    ]);
  });
  it('power - content is counted in characters (500 Chinese characters pass, 501 do not); half a location is refused', () => {
    expect(readReportForm(form({ kind: 'COMPLAINT', content: '电'.repeat(500) })).content).to.have.length(500);
    expect(problemsOf({ kind: 'COMPLAINT', content: '电'.repeat(501) })).to.deep.equal(['content']);
    expect(problemsOf({ kind: 'COMPLAINT', content: 'x', lng: '120' })).to.deep.equal(['lat']);
    expect(problemsOf({ kind: 'COMPLAINT', content: 'x', lat: 'north', lng: '120' })).to.deep.equal(['lat']);
  });
});
