import { expect } from 'chai';
import { GridbusError } from '../../../../core/errors';
import { LENIENT_VARIABLES, compileMappingFiles } from '../../../../core/mapping/bundle';
import { datePatternProblem } from '../../../../core/mapping/date-format';
import { loadOperationText } from '../../../../core/mapping/operation-loader';
import { loadFileLayoutText } from '../../../../core/mapping/files';
import { loadTopicShapeText } from '../../../../core/mapping/topics';

/** An operation of a system unlike ours: other names, nesting, an HTTP/JSON back end. */
const CRM = (map: string, success = 'success: { path: head.code, equals: "0000" }') => `operation: crm.lookupTicket
version: 1
endpoint: { adapter: http, url: "http://crm.example/api", method: POST }
request:
  body.ticket.id: ticketId
response:
  ${success}
  map:
${map}
`;

function problems(load: () => unknown): Array<{ path: string; message: string }> {
  try {
    load();
  } catch (err) {
    expect(err).to.be.instanceOf(GridbusError);
    return (err as GridbusError).data.problems as Array<{ path: string; message: string }>;
  }
  throw new Error('expected the definition to be refused');
}

describe('core/mapping - definition problems shaped for operators', () => {
  it("refuses equals: 0000 (YAML's number 0), saying to write it in quotes", () => {
    const p = problems(() => loadOperationText(CRM('    status: { from: body.state }', 'success: { path: head.code, equals: 0000 }'), 'operations/crm.yaml', {}));
    expect(p).to.deep.equal([{ path: 'response.success.equals', message: "YAML reads 0000 as the number 0: write '0000' in quotes (or 0 if a number is meant)" }]);
  });

  it("refuses a lookup key 01 written without quotes (YAML's key 1)", () => {
    const p = problems(() => loadOperationText(CRM('    status: { from: body.state, lookup: { 01: OPEN, "02": CLOSED } }'), 'operations/crm.yaml', {}));
    expect(p).to.deep.equal([{ path: 'response.map.status.lookup.1', message: "YAML reads 01 as the number 1: write '01' in quotes (or 1 if a number is meant)" }]);
  });

  it('a field with both from and const names both, not "must have required property concat"', () => {
    const p = problems(() => loadOperationText(CRM('    status: { from: body.state, const: OPEN }'), 'operations/crm.yaml', {}));
    expect(p).to.deep.equal([{ path: 'response.map.status', message: 'a field takes one of from, const, concat, sum, expr, if, each (got from and const)' }]);
  });

  it("a typo 'frm' inside a nested each map says unknown key, with the key meant", () => {
    const p = problems(() => loadOperationText(CRM('    notes:\n      each: body.ticket.notes\n      map:\n        text: { frm: body }'), 'operations/crm.yaml', {}));
    expect(p).to.deep.equal([{ path: 'response.map.notes.map.text', message: "unknown key 'frm' (did you mean 'from'?)" }]);
  });

  it('a condition with equals and in names both', () => {
    const p = problems(() => loadOperationText(CRM('    s: body.state', 'success: { path: head.code, equals: "0", in: ["0"] }'), 'operations/crm.yaml', {}));
    expect(p).to.deep.equal([{ path: 'response.success', message: 'a condition takes one of equals, notEquals, in, exists (got equals and in)' }]);
  });

  it('date patterns: yyyymm, hh and YYYY are refused with the letter meant', () => {
    expect(datePatternProblem('yyyymm')).to.equal("date pattern 'yyyymm' has mm (minutes) but no hours or month: did you mean MM (month)?");
    expect(datePatternProblem('yyyyMMddhhmmss')).to.equal("date pattern 'yyyyMMddhhmmss' has 'hh', which is not a pattern letter: did you mean HH (hour 00-23; a 12-hour clock is not read)? (letters: yyyy MM dd HH mm ss SSS)");
    expect(datePatternProblem('yyyy-MM-dd HH:mm:ss')).to.equal(undefined);
    expect(datePatternProblem("yyyy-MM-ddTHH:mm:ss")).to.equal(undefined);
    expect(datePatternProblem('iso')).to.equal(undefined);
  });

  it('a topic shape unlike ours with yyyymm in a derive date is refused at validation, naming the path', () => {
    const text = `shape: grid.meter-month
version: 1
topic: meters.monthly
format: flat
derive:
  month: { from: period, date: { in: yyyymm, out: yyyy-MM-dd } }
map:
  meterPointId: { from: meter.code }
  dataDate: month
  accountNo: { from: customer.no }
`;
    const p = problems(() => loadTopicShapeText(text, 'topics/m.yaml'));
    expect(p).to.deep.equal([{ path: 'derive.month.date', message: "in: date pattern 'yyyymm' has mm (minutes) but no hours or month: did you mean MM (month)?" }]);
  });

  it('a layout with 3 problems lists all 3 (not the first)', () => {
    const text = `layout: bank.statement
version: 1
format: delimited
encoding: utf-8
delimited: { delimiter: ";" }
records:
  detail:
    fields:
      - { name: ref, requird: true }
      - { name: when, date: { in: yyyyMMddhhmmss, out: iso } }
    map:
      serial: { from: ref, const: x }
`;
    const p = problems(() => loadFileLayoutText(text, 'files/bank.yaml'));
    expect(p.map((x) => x.path)).to.deep.equal(['records.detail.fields[0]', 'records.detail.map.serial', 'records.detail.fields[1].date']);
    expect(p[0].message).to.equal("unknown key 'requird' (did you mean 'required'?)");
    expect(p[1].message).to.equal('a field takes one of from, const, concat, sum, expr, if, each (got from and const)');
    expect(p[2].message).to.contain('did you mean HH');
  });

  it('validation of a set lists every problem of every file with file and path', () => {
    const { problems: all } = compileMappingFiles(
      {
        'operations/crm.yaml': CRM('    status: { frm: body.state }', 'success: { path: head.code, equals: 0000 }'),
        'files/bank.yaml': 'layout: bank.statement\nversion: 1\nformat: delimited\nencoding: utf-8\ndelimited: { delimiter: ";" }\nrecords:\n  detail:\n    fields: [{ name: ref }]\n    map: { serial: ref, accountNo: ref, amountFen: ref, acountNo: ref }\n',
      },
      LENIENT_VARIABLES,
    );
    expect(all.map((p) => `${p.file} ${p.path}`)).to.have.members([
      'operations/crm.yaml response.success.equals',
      'operations/crm.yaml response.map.status',
      'files/bank.yaml records.detail.map.acountNo',
    ]);
  });
});
