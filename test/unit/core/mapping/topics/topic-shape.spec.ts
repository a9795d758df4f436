import { expect } from 'chai';
import * as iconv from 'iconv-lite';
import * as path from 'path';
import { GridbusError } from '../../../../../core/errors';
import { loadTopicShapeText, loadTopicShapes } from '../../../../../core/mapping/topics';

const MAPPINGS_DIR = path.resolve(__dirname, '../../../../../mappings');
const SHAPES = loadTopicShapes(MAPPINGS_DIR);
const FLAT = SHAPES.get('collection.day-read-flat')!;
const CDC = SHAPES.get('collection.day-read-cdc')!;

const CANONICAL = {
  meterPointId: '3300000012345',
  dataDate: '2025-03-14',
  readingTotal: 12345.67,
  readings: [3456.12, 4567.23, 2345.67, 1976.65],
  collectedAt: '2025-03-15T00:15:32+08:00',
  orgNo: '3340101',
};

function flatMessage(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const registers = Object.fromEntries(Array.from({ length: 10 }, (_v, i) => [`r${i + 5}`, null]));
  return {
    id: '3300000012345', datadate: '20250314', colltime: '2025-03-15 00:15:32',
    r: 12345.67, r1: 3456.12, r2: 4567.23, r3: 2345.67, r4: 1976.65, ...registers,
    orgno: '3340101', status: '0', ...overrides,
  };
}

function cdcMessage(envelope: Record<string, unknown> = {}, record: Record<string, unknown> = {}): Record<string, unknown> {
  const registers = Object.fromEntries(Array.from({ length: 10 }, (_v, i) => [`R${i + 5}`, null]));
  return {
    sequence_num: '1024',
    time_stamp: '2025-03-15 00:20:01.123456',
    op_type: 'I',
    table_name: 'SG186.E_MP_DAY_READ',
    record_data: {
      ID: '3300000012345', DATA_DATE: '2025-03-14 00:00:00', COLL_TIME: '2025-03-15 00:15:32',
      R: '12345.67', R1: '3456.12', R2: '4567.23', R3: '2345.67', R4: '1976.65', ...registers,
      ORG_NO: '3340101', STATUS: '0', ...record,
    },
    ...envelope,
  };
}

const bytes = (v: unknown) => Buffer.from(JSON.stringify(v), 'utf8');

function refused(fn: () => unknown): GridbusError {
  try {
    fn();
  } catch (err) {
    expect(err, String(err)).to.be.instanceOf(GridbusError);
    expect((err as GridbusError).errorCode).to.equal('VALIDATION_FAILED');
    return err as GridbusError;
  }
  throw new Error('expected VALIDATION_FAILED');
}

describe('core/mapping/topics - topic shapes', () => {
  it('loads both e_mp_day_read shapes', () => {
    expect(FLAT).to.include({ topic: 'e_mp_day_read', format: 'flat', version: 1 });
    expect(CDC).to.include({ topic: 'e_mp_day_read', format: 'envelope', version: 1 });
  });

  it('flat and envelope messages give the same canonical daily reading', () => {
    const flat = FLAT.decode(bytes(flatMessage()));
    const cdc = CDC.decode(bytes(cdcMessage()));
    expect(flat).to.deep.equal({ action: 'records', records: [CANONICAL] });
    expect(cdc).to.deep.equal({ action: 'records', records: [CANONICAL], operation: 'I', table: 'SG186.E_MP_DAY_READ' });
  });

  it('keeps updates, and missing tariff registers as null', () => {
    const r = CDC.decode(bytes(cdcMessage({ op_type: 'U', table_name: 'e_mp_day_read' }, { R3: null, R4: '' })));
    expect(r).to.deep.include({ action: 'records', operation: 'U' });
    if (r.action === 'records') expect(r.records[0].readings).to.deep.equal([3456.12, 4567.23, null, null]);
    const f = FLAT.decode(JSON.stringify(flatMessage({ r2: null, r: '12345.67' })));
    expect(f.action).to.equal('records');
    if (f.action === 'records') {
      expect(f.records[0].readings).to.deep.equal([3456.12, null, 2345.67, 1976.65]);
      expect(f.records[0].readingTotal).to.equal(12345.67);
    }
  });

  it('skips envelope records of other tables and operations, saying why', () => {
    expect(CDC.decode(bytes(cdcMessage({ op_type: 'D' })))).to.deep.equal({ action: 'skip', reason: 'operation D is not selected' });
    expect(CDC.decode(bytes(cdcMessage({ table_name: 'SG186.E_MP_CURVE' })))).to.deep.equal({ action: 'skip', reason: 'table SG186.E_MP_CURVE is not selected' });
    expect(CDC.decode(bytes(cdcMessage({ table_name: undefined })))).to.deep.equal({ action: 'skip', reason: 'table (none) is not selected' });
    expect(CDC.decode(bytes(cdcMessage({ op_type: undefined })))).to.deep.equal({ action: 'skip', reason: 'operation (none) is not selected' });
    // a skipped change is not inspected further: a delete without a row is fine
    expect(CDC.decode(bytes({ op_type: 'D', table_name: 'E_MP_DAY_READ' })).action).to.equal('skip');
  });

  it('skips an empty message (a compaction tombstone)', () => {
    expect(FLAT.decode(null)).to.deep.equal({ action: 'skip', reason: 'empty message (tombstone)' });
    expect(CDC.decode(Buffer.alloc(0)).action).to.equal('skip');
  });

  it('refuses unparsable JSON with a typed error naming topic and shape', () => {
    const err = refused(() => CDC.decode(Buffer.from('{"op_type":"I",')));
    expect(err.data).to.include({ topic: 'e_mp_day_read', shape: 'collection.day-read-cdc', kind: 'bad-json' });
    expect(err.message).to.match(/^e_mp_day_read \(collection\.day-read-cdc\): the message is not JSON/);
    expect(refused(() => FLAT.decode('[1,2]')).data.kind).to.equal('bad-message');
    expect(refused(() => FLAT.decode('"text"')).data.kind).to.equal('bad-message');
  });

  it('refuses a message that is not UTF-8', () => {
    const gbk = iconv.encode(JSON.stringify(flatMessage({ orgno: '杭州' })), 'gbk');
    expect(refused(() => FLAT.decode(gbk)).data.kind).to.equal('bad-encoding');
  });

  it('refuses missing required fields and bad values, naming the field', () => {
    const { id: _id, ...noId } = flatMessage();
    expect(refused(() => FLAT.decode(bytes(noId))).data).to.include({ kind: 'bad-field', field: 'meterPointId' });
    expect(refused(() => FLAT.decode(bytes(flatMessage({ datadate: '2025-03-14' })))).data).to.include({ field: 'dataDate' });
    expect(refused(() => FLAT.decode(bytes(flatMessage({ r: 'n/a' })))).data).to.include({ field: 'readingTotal' });
    expect(refused(() => CDC.decode(bytes(cdcMessage({}, { COLL_TIME: null })))).data).to.include({ field: 'collectedAt' });
    const noRow = refused(() => CDC.decode(bytes(cdcMessage({ record_data: 'x' }))));
    expect(noRow.data).to.include({ kind: 'bad-message', operation: 'I' });
    expect(noRow.message).to.contain('no record object at record_data');
  });

  it('decodes a GBK-encoded shape when declared', () => {
    const shape = loadTopicShapeText(`shape: test.gbk
version: 1
topic: t
format: flat
encoding: gbk
map: { name: { from: name, required: true } }
`, 't.yaml');
    expect(shape.decode(iconv.encode('{"name":"张三"}', 'gbk'))).to.deep.equal({ action: 'records', records: [{ name: '张三' }] });
  });
});
