import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GridbusError } from '../../../../../core/errors';
import { loadTopicShapeText, loadTopicShapes } from '../../../../../core/mapping/topics';

const MAPPINGS_DIR = path.resolve(__dirname, '../../../../../mappings');
const CDC_TEXT = fs.readFileSync(path.join(MAPPINGS_DIR, 'topics', 'collection-day-read-cdc.yaml'), 'utf8');
const FLAT_TEXT = fs.readFileSync(path.join(MAPPINGS_DIR, 'topics', 'collection-day-read-flat.yaml'), 'utf8');

function edit(text: string, from: string, to: string): string {
  expect(text.split(from).length - 1, `'${from}' should occur once in the fixture`).to.equal(1);
  return text.replace(from, to);
}

function refusal(text: string, file = 'topics/shape.yaml'): { path: string; message: string } {
  try {
    loadTopicShapeText(text, file);
  } catch (err) {
    expect(err, String(err)).to.be.instanceOf(GridbusError);
    const e = err as GridbusError;
    expect(e.errorCode).to.equal('MAPPING_INVALID');
    expect(e.data.file).to.equal(file);
    expect(e.message.startsWith(`${file}: ${e.data.path}: `), e.message).to.equal(true);
    return { path: e.data.path as string, message: e.message };
  }
  throw new Error('expected MAPPING_INVALID');
}

describe('core/mapping/topics - topic shape loader', () => {
  it('loads every shape under mappings/topics', () => {
    expect([...loadTopicShapes(MAPPINGS_DIR).keys()].sort()).to.deep.equal(['collection.day-read-cdc', 'collection.day-read-flat']);
  });

  it('names file and path of an unknown key', () => {
    const r = refusal(edit(CDC_TEXT, 'operationPath: op_type', 'operationPth: op_type'));
    expect(r.path).to.equal('envelope');
    expect(r.message).to.contain("unknown key 'operationPth' (did you mean 'operationPath'?)");
  });

  it('names the path of a bad field spec in map and in derive', () => {
    expect(refusal(edit(FLAT_TEXT, 'orgNo: { from: orgno, type: string, required: true }', 'orgNo: { from: orgno, type: text }')).path).to.equal('map.orgNo.type');
    expect(refusal(edit(FLAT_TEXT, 'readings: { list: [r1, r2, r3, r4], type: number }', 'readings: { list: [r1, r2, r3, r4], type: numeric }')).path).to.equal('derive.readings.type');
    const d = refusal(edit(FLAT_TEXT, 'date: { in: yyyyMMdd, out: yyyy-MM-dd }', 'date: { in: YYYYMMDD, out: yyyy-MM-dd }'));
    expect(d.path).to.equal('derive.dataDate.date');
    expect(d.message).to.contain("has 'YYYY', which is not a pattern letter: did you mean yyyy (year)?");
    expect(refusal(edit(FLAT_TEXT, 'orgNo: { from: orgno, type: string, required: true }', 'orgNo: { expr: "orgno" }')).path).to.equal('map.orgNo.expr');
  });

  it('refuses an envelope on a flat shape and a flat shape without one', () => {
    expect(refusal(edit(CDC_TEXT, 'format: envelope', 'format: flat')).path).to.equal('envelope');
    expect(refusal(edit(FLAT_TEXT, 'format: flat', 'format: envelope')).message).to.contain('needs an envelope block');
    expect(refusal(edit(CDC_TEXT, 'format: envelope', 'format: nested')).path).to.equal('format');
  });

  it('refuses selecting by table or operation without the path to read it', () => {
    expect(refusal(edit(CDC_TEXT, '  tablePath: table_name\n', '')).path).to.equal('envelope.select.table');
    expect(refusal(edit(CDC_TEXT, '  operationPath: op_type\n', '')).path).to.equal('envelope.select.operations');
  });

  it('refuses a missing map, a bad topic name and a YAML syntax error', () => {
    expect(refusal(FLAT_TEXT.slice(0, FLAT_TEXT.indexOf('map:'))).message).to.contain("needs key 'map'");
    expect(refusal(edit(FLAT_TEXT, 'topic: e_mp_day_read', 'topic: "e mp day read"')).path).to.equal('topic');
    expect(refusal('shape: a.b\n  x: [\n').path).to.match(/^line \d+$/);
  });

  it('refuses two shapes with one name', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridbus-topics-'));
    try {
      fs.mkdirSync(path.join(dir, 'topics'));
      fs.writeFileSync(path.join(dir, 'topics', 'a.yaml'), FLAT_TEXT);
      fs.writeFileSync(path.join(dir, 'topics', 'b.yml'), FLAT_TEXT);
      expect(() => loadTopicShapes(dir)).to.throw(GridbusError, /'collection.day-read-flat' is already defined/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
