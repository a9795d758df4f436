import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GridbusError } from '../../../../../core/errors';
import { loadFileLayoutText, loadFileLayouts } from '../../../../../core/mapping/files/layout-loader';

const MAPPINGS_DIR = path.resolve(__dirname, '../../../../../mappings');
const FIXED_TEXT = fs.readFileSync(path.join(MAPPINGS_DIR, 'files', 'marketing-reconciliation-fixed.yaml'), 'utf8');
const DELIMITED_TEXT = fs.readFileSync(path.join(MAPPINGS_DIR, 'files', 'marketing-b-reconciliation-delimited.yaml'), 'utf8');

function mappingInvalid(fn: () => unknown): GridbusError {
  try {
    fn();
  } catch (err) {
    expect(err, String(err)).to.be.instanceOf(GridbusError);
    expect((err as GridbusError).errorCode).to.equal('MAPPING_INVALID');
    return err as GridbusError;
  }
  throw new Error('expected MAPPING_INVALID');
}

/** Replaces exactly one occurrence, so a test fails loudly if the fixture changes. */
function edit(text: string, from: string, to: string): string {
  expect(text.split(from).length - 1, `'${from}' should occur once in the fixture`).to.equal(1);
  return text.replace(from, to);
}

function refusal(text: string, file = 'files/layout.yaml'): { path: string; message: string } {
  const err = mappingInvalid(() => loadFileLayoutText(text, file));
  expect(err.data.file).to.equal(file);
  expect(err.message.startsWith(`${file}: ${err.data.path}: `), err.message).to.equal(true);
  return { path: err.data.path as string, message: err.message };
}

const MINIMAL_DELIMITED = `layout: test.minimal
version: 1
format: delimited
encoding: utf-8
delimited: { delimiter: "," }
records:
  detail:
    fields:
      - { name: a }
      - { name: b, type: integer }
`;

describe('core/mapping/files - layout loader', () => {
  it('loads both real layouts from mappings/files', () => {
    const layouts = loadFileLayouts(MAPPINGS_DIR);
    const fixed = layouts.get('marketing.reconciliation-fixed')!;
    const delimited = layouts.get('marketing.b-reconciliation-delimited')!;
    expect(fixed.format).to.equal('fixed');
    expect(fixed.encoding).to.equal('utf-8');
    expect(fixed.unit).to.equal('bytes');
    expect(fixed.detail.width).to.equal(501);
    expect(fixed.header!.width).to.equal(118);
    expect(fixed.countCheck).to.include({ against: 'header.totCount', record: 'header', field: 'totCount' });
    expect(fixed.sumChecks.map((s) => [s.name, s.against])).to.deep.equal([['amount', 'header.allMoney']]);
    expect(fixed.file).to.match(/mappings\/files\/marketing-reconciliation-fixed\.yaml$/);
    expect(delimited.encoding).to.equal('gbk');
    expect(delimited.delimiter).to.equal('|');
    expect(delimited.detail.names).to.have.length(11);
  });

  it('reads only the detail columns that are mapped, summed or validated', () => {
    const fixed = loadFileLayoutText(FIXED_TEXT, 'f.yaml');
    const read = fixed.detail.names.filter((_n, i) => fixed.detail.needed[i] === 1);
    expect(read).to.deep.equal(['serial', 'billMonth', 'payNo', 'name', 'txnTime', 'amount']);
    expect([...fixed.header!.needed].every((v) => v === 1)).to.equal(true);
  });

  it('loads a minimal delimited layout', () => {
    const layout = loadFileLayoutText(MINIMAL_DELIMITED, 'm.yaml');
    expect(layout.header).to.equal(undefined);
    expect(layout.onBadRecord).to.equal('fail');
  });

  it('names file and path of an unknown key', () => {
    const r = refusal(edit(FIXED_TEXT, '{ name: payNo, width: 20, required: true }', '{ name: payNo, width: 20, requird: true }'));
    expect(r.path).to.equal('records.detail.fields[3]');
    expect(r.message).to.contain("unknown key 'requird' (did you mean 'required'?)");
  });

  it('names the path of a bad field spec inside map', () => {
    const r = refusal(edit(FIXED_TEXT, 'amountFen: { from: amount, required: true }', 'amountFen: { frm: amount, required: true }'));
    expect(r.path).to.equal('records.detail.map.amountFen');
  });

  it('names the path of a bad enum value and lists the allowed ones', () => {
    const r = refusal(edit(FIXED_TEXT, 'encoding: utf-8', 'encoding: latin1'));
    expect(r.path).to.equal('encoding');
    expect(r.message).to.contain('"utf-8", "gbk", "gb18030"');
  });

  it('refuses a fixed-width column without a width', () => {
    const r = refusal(edit(FIXED_TEXT, '{ name: memo, width: 128 }', '{ name: memo }'));
    expect(r.path).to.equal('records.detail.fields[10]');
    expect(r.message).to.contain("'memo' needs a width");
  });

  it('refuses widths in a delimited layout', () => {
    const r = refusal(edit(DELIMITED_TEXT, '{ name: kind }', '{ name: kind, width: 2 }'));
    expect(r.path).to.equal('records.detail.fields[7].width');
  });

  it('refuses a column name used twice in one record type', () => {
    const r = refusal(edit(FIXED_TEXT, '{ name: payee, width: 20 }', '{ name: memo, width: 20 }'));
    expect(r.path).to.equal('records.detail.fields[11].name');
  });

  it('refuses totals against an unknown or non-integer field', () => {
    expect(refusal(edit(FIXED_TEXT, 'count: header.totCount', 'count: header.totalCount')).path).to.equal('totals.count');
    const r = refusal(edit(FIXED_TEXT, 'count: header.totCount', 'count: header.checkCode'));
    expect(r.message).to.contain('must be an integer');
    expect(refusal(edit(FIXED_TEXT, 'count: header.totCount', 'count: trailer.totCount')).message).to.contain('no trailer record');
    expect(refusal(edit(FIXED_TEXT, 'amount: header.allMoney', 'memo: header.allMoney')).path).to.equal('totals.sums.memo');
    expect(refusal(edit(FIXED_TEXT, 'count: header.totCount', 'count: totCount')).path).to.equal('totals.count');
  });

  it('refuses a bad date format in a column, naming the column', () => {
    const r = refusal(edit(FIXED_TEXT, 'date: { in: "yyyy-MM-dd HH:mm:ss", out: iso }', 'date: { in: "YYYY-MM-dd HH:mm:ss", out: iso }'));
    expect(r.path).to.equal('records.detail.fields[8].date');
    expect(r.message).to.contain("in: date pattern 'YYYY-MM-dd HH:mm:ss' has 'YYYY', which is not a pattern letter: did you mean yyyy (year)?");
    const tz = refusal(edit(FIXED_TEXT, 'out: iso, tz: Asia/Shanghai', 'out: iso, tz: Asia/Beijing'));
    expect(tz.path).to.equal('records.header.derive.createdAt.date');
  });

  it('uses code tables in map, and refuses expr (JSONata) there', () => {
    const withCode = edit(DELIMITED_TEXT, 'serial: { from: bankSerial, required: true }', 'serial: { from: bankSerial, required: true }\n      kind: { from: kind, code: payment-kind }');
    expect(refusal(withCode).path).to.equal('records.detail.map.kind.code');
    const table = { name: 'payment-kind', file: 'codes/payment-kind.yaml', values: new Map<string, unknown>([['缴费', 'PAYMENT']]) };
    const layout = loadFileLayoutText(withCode, 'b.yaml', { codes: new Map([['payment-kind', table]]) });
    expect(layout.detail.needed[layout.detail.names.indexOf('kind')]).to.equal(1);
    const expr = refusal(edit(FIXED_TEXT, 'payerName: name', 'payerName: { expr: "$uppercase(name)" }'));
    expect(expr.path).to.equal('records.detail.map.payerName.expr');
    expect(expr.message).to.contain('expr (JSONata) is not available');
  });

  it('refuses two conversions on one column', () => {
    const r = refusal(edit(FIXED_TEXT, '{ name: amount, width: 16, money: { in: fen }, required: true }', '{ name: amount, width: 16, money: { in: fen }, type: integer }'));
    expect(r.path).to.equal('records.detail.fields[9]');
    expect(r.message).to.contain('use only one of money, type: integer');
  });

  it('refuses a bad derive entry, a bad file-name pattern, and misplaced format blocks', () => {
    const d = refusal(edit(DELIMITED_TEXT, 'paidAt: { join: [acctDate, time],', 'paidAt: { from: acctDate, join: [acctDate, time],'));
    expect(d.path).to.equal('records.detail.derive.paidAt');
    expect(d.message).to.contain('use only one of from, join, list');
    expect(refusal(edit(FIXED_TEXT, 'seq: { length: 3 }', 'sequence: { length: 3 }')).path).to.equal('fileName');
    expect(refusal(edit(FIXED_TEXT, 'onBadRecord: fail', 'onBadRecord: fail\ndelimited: { delimiter: "|" }')).path).to.equal('delimited');
    expect(refusal(edit(DELIMITED_TEXT, 'delimited:\n  delimiter: "|"\n  trailingDelimiter: false\n', '')).path).to.equal('delimited');
  });

  it('refuses select by column in fixed width, and first/last for details', () => {
    expect(refusal(edit(FIXED_TEXT, 'select: first', 'select: { column: 0, equals: H }')).path).to.equal('records.header.select');
    expect(refusal(edit(DELIMITED_TEXT, '  detail:\n    fields:', '  detail:\n    select: last\n    fields:')).path).to.equal('records.detail.select');
    const both = edit(MINIMAL_DELIMITED, 'records:\n', 'records:\n  header: { fields: [{ name: h }] }\n  trailer: { select: first, fields: [{ name: t }] }\n');
    expect(refusal(both).path).to.equal('records.trailer.select');
  });

  it('reports a YAML syntax error with its line', () => {
    const r = refusal('layout: x.y\nversion: 1\n  bad: [\n');
    expect(r.path).to.match(/^line \d+$/);
  });

  it('refuses two layouts with one name in a directory', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-layouts-'));
    try {
      fs.mkdirSync(path.join(dir, 'files'));
      fs.writeFileSync(path.join(dir, 'files', 'a.yaml'), MINIMAL_DELIMITED);
      fs.writeFileSync(path.join(dir, 'files', 'b.yaml'), MINIMAL_DELIMITED);
      const err = mappingInvalid(() => loadFileLayouts(dir));
      expect(err.message).to.contain("'test.minimal' is already defined in");
      expect(err.data.path).to.equal('layout');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(loadFileLayouts(path.join(os.tmpdir(), 'gridbus-no-such-dir')).size).to.equal(0);
  });
});
