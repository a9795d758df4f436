import { expect } from 'chai';
import * as path from 'path';
import { GridbusError } from '../../../../../core/errors';
import { LENIENT_VARIABLES, compileMappingFiles, readMappingFiles } from '../../../../../core/mapping/bundle';

const LAYOUT = (map: string) => `layout: partner.collected-payments
version: 1
format: delimited
encoding: utf-8
delimited: { delimiter: "," }
records:
  detail:
    fields:
      - { name: txn_no }
      - { name: cust, required: true }
      - { name: fee, money: { in: yuan } }
    map:
${map}
`;

const SHAPE = (map: string) => `shape: partner.readings
version: 1
topic: partner.readings
format: flat
map:
${map}
`;

describe('core/mapping/canonical - definitions checked against the canonical shapes', () => {
  it("refuses a misspelt canonical field of a layout: 'acountNo' (did you mean accountNo?), naming the layout", () => {
    const { problems } = compileMappingFiles({ 'files/p.yaml': LAYOUT('      serial: txn_no\n      acountNo: cust\n      amountFen: fee') }, LENIENT_VARIABLES);
    expect(problems).to.deep.equal([
      {
        file: 'files/p.yaml',
        path: 'records.detail.map.acountNo',
        message: "layout partner.collected-payments: 'acountNo' is not a field of the reconciliation record (did you mean accountNo?); its fields: serial, accountNo, billMonth, amountFen, paidAt, payerName",
      },
      {
        file: 'files/p.yaml',
        path: 'records.detail.map',
        message: "layout partner.collected-payments: the reconciliation record needs 'accountNo' (string, fills account_no): map it",
      },
    ]);
  });

  it('refuses a topic shape that leaves out the account number, saying how to state that it is not sent', () => {
    const { problems, bundle } = compileMappingFiles({ 'topics/p.yaml': SHAPE('  meterPointId: { from: mp }\n  dataDate: { from: day }') }, LENIENT_VARIABLES);
    expect(problems.map((p) => p.message)).to.deep.equal([
      "shape partner.readings: the daily reading needs 'accountNo' (string, fills cons_no): map it, or write accountNo: { const: null } if the system does not send it",
    ]);
    expect(bundle.topicShapes.size, 'a refused shape is not in the set').to.equal(0);
  });

  it('refuses a response map of a canonical operation with an unknown field inside an each entry', () => {
    const op = `operation: marketing.queryArrears
version: 1
endpoint: { adapter: http, url: "http://x.example/arrears", method: GET }
request: { query.account: accountNo }
response:
  map:
    accountNo: { from: $request.accountNo }
    totalFen: { from: data.total, money: { in: yuan } }
    items:
      each: data.bills.bill
      map:
        billMonth: { from: period }
        amountFen: { from: amt, money: { in: yuan } }
        lateFee: { from: penalty, money: { in: yuan } }
`;
    const { problems } = compileMappingFiles({ 'operations/q.yaml': op }, LENIENT_VARIABLES);
    expect(problems.map((p) => [p.path, p.message])).to.deep.equal([
      [
        'response.map.items.map.lateFee',
        "operation marketing.queryArrears: 'lateFee' is not a field of the canonical marketing.queryArrears response items[] entry (did you mean lateFeeFen?); its fields: billMonth, amountFen, lateFeeFen, status",
      ],
    ]);
  });

  it('at run time refuses a record without a required canonical field, naming the shape and field', () => {
    const { problems, bundle } = compileMappingFiles(
      { 'topics/p.yaml': SHAPE('  meterPointId: { from: mp }\n  dataDate: { from: day }\n  accountNo: { from: cust.no }') },
      LENIENT_VARIABLES,
    );
    expect(problems).to.deep.equal([]);
    const shape = bundle.topicShapes.get('partner.readings')!;
    expect(shape.decode(JSON.stringify({ mp: 'M1', day: '2025-03-14', cust: { no: '3300000001' } }))).to.deep.include({ action: 'records' });
    let err: GridbusError | undefined;
    try {
      shape.decode(JSON.stringify({ day: '2025-03-14' }));
    } catch (e) {
      err = e as GridbusError;
    }
    expect(err?.type).to.equal('BACKEND_BAD_RESPONSE');
    expect(err?.data).to.deep.include({ shape: 'partner.readings', kind: 'bad-field', field: 'meterPointId' });
    expect(err?.message).to.contain("shape partner.readings: canonical field 'meterPointId' is missing: the daily reading needs it (string, fills mp_id)");
  });

  it('the mapping set of this repository fits the canonical shapes', () => {
    const { problems } = compileMappingFiles(readMappingFiles(path.join(__dirname, '../../../../../mappings')), LENIENT_VARIABLES);
    expect(problems).to.deep.equal([]);
  });
});
