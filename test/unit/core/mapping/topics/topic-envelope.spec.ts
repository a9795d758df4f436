import { expect } from 'chai';
import { GridbusError } from '../../../../../core/errors';
import { loadTopicShapeText } from '../../../../../core/mapping/topics';

/**
 * Envelopes unlike our GoldenGate one: Canal (a list of rows per message, the
 * capture time only in the envelope's `ts`, epoch milliseconds) and Debezium
 * (record two levels down, operation codes c/u/d/r). Other column names,
 * other date forms, numbers as text.
 */
const CANAL = loadTopicShapeText(
  `shape: metering.canal-day-freeze
version: 1
topic: mdm.meter_day_freeze
format: envelope
envelope:
  recordPath: data
  operationPath: type
  tablePath: table
  select: { table: meter_day_freeze, operations: [INSERT, UPDATE] }
derive:
  dataDate: { from: freeze_day, date: { in: yyyy/MM/dd, out: yyyy-MM-dd }, required: true }
  collectedAt: { from: $envelope.ts, date: { in: epochMillis, out: iso, tz: Asia/Shanghai }, required: true }
  readingTotal: { from: pap_total, type: number, required: true }
  readings: { list: [pap_t1, pap_t2, pap_t3, pap_t4], type: number }
map:
  meterPointId: { from: mp_code, type: string, required: true }
  dataDate: dataDate
  readingTotal: readingTotal
  readings: readings
  collectedAt: collectedAt
  orgNo: { from: $envelope.database, type: string, required: true }
`,
  'topics/canal.yaml',
);

const DEBEZIUM = loadTopicShapeText(
  `shape: metering.debezium-day-freeze
version: 1
topic: pg.public.day_freeze
format: envelope
envelope:
  recordPath: payload.after
  operationPath: payload.op
  tablePath: payload.source.table
  select: { table: day_freeze, operations: [c, u, r] }
derive:
  collectedAt: { from: $envelope.payload.ts_ms, date: { in: epochMillis, out: iso, tz: Asia/Shanghai }, required: true }
map:
  meterPointId: { from: point.id, type: string, required: true }
  dataDate: { from: day, required: true }
  readingTotal: { from: total, type: number, required: true }
  collectedAt: collectedAt
  sourceTable: $envelope.payload.source.table
`,
  'topics/debezium.yaml',
);

// 2025-03-15T00:20:00+08:00
const TS = Date.parse('2025-03-14T16:20:00.123Z');

function canal(overrides: Record<string, unknown> = {}): Buffer {
  return Buffer.from(
    JSON.stringify({
      data: [
        { mp_code: 'MP-0001', freeze_day: '2025/03/14', pap_total: '100.5', pap_t1: '10', pap_t2: '20', pap_t3: '30', pap_t4: null },
        { mp_code: 'MP-0002', freeze_day: '2025/03/14', pap_total: '200.25', pap_t1: '1', pap_t2: '2', pap_t3: '3', pap_t4: '4' },
      ],
      database: 'org_33401',
      table: 'meter_day_freeze',
      type: 'INSERT',
      isDdl: false,
      es: TS - 5,
      ts: TS,
      pkNames: ['mp_code', 'freeze_day'],
      old: null,
      ...overrides,
    }),
  );
}

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

describe('core/mapping/topics - envelope fields and row lists', () => {
  it('maps every row of a Canal message, reading the capture time and database from the envelope', () => {
    const r = CANAL.decode(canal());
    expect(r).to.deep.equal({
      action: 'records',
      operation: 'INSERT',
      table: 'meter_day_freeze',
      records: [
        { meterPointId: 'MP-0001', dataDate: '2025-03-14', readingTotal: 100.5, readings: [10, 20, 30, null], collectedAt: '2025-03-15T00:20:00+08:00', orgNo: 'org_33401' },
        { meterPointId: 'MP-0002', dataDate: '2025-03-14', readingTotal: 200.25, readings: [1, 2, 3, 4], collectedAt: '2025-03-15T00:20:00+08:00', orgNo: 'org_33401' },
      ],
    });
  });

  it('skips Canal deletes, DDL and an empty row list, saying why', () => {
    expect(CANAL.decode(canal({ type: 'DELETE' }))).to.deep.equal({ action: 'skip', reason: 'operation DELETE is not selected' });
    expect(CANAL.decode(canal({ type: 'ALTER', isDdl: true, data: null }))).to.deep.equal({ action: 'skip', reason: 'operation ALTER is not selected' });
    expect(CANAL.decode(canal({ data: [] }))).to.deep.equal({ action: 'skip', reason: 'the envelope has no rows at data' });
  });

  it('refuses the whole message when one row does not fit, naming the row and field', () => {
    const twoRows = JSON.parse(canal().toString());
    twoRows.data[1].pap_total = 'n/a';
    const err = refused(() => CANAL.decode(JSON.stringify(twoRows)));
    expect(err.data).to.include({ kind: 'bad-field', field: 'readingTotal', row: 1, operation: 'INSERT' });
    expect(err.message).to.match(/row 2 of 2: readingTotal: /);
    const noTs = refused(() => CANAL.decode(canal({ ts: undefined })));
    expect(noTs.data).to.include({ field: 'collectedAt' });
    expect(refused(() => CANAL.decode(canal({ data: [{ mp_code: 'x' }, 'oops'] }))).message).to.contain('no record object at data[1]');
  });

  it('maps a Debezium change, reading payload.ts_ms and the source table from the envelope', () => {
    const after = { point: { id: 7001 }, day: '2025-03-14', total: '321.5' };
    const change = { schema: { type: 'struct' }, payload: { before: null, after, source: { db: 'mdm', schema: 'public', table: 'day_freeze', ts_ms: TS - 50 }, op: 'c', ts_ms: TS } };
    expect(DEBEZIUM.decode(JSON.stringify(change))).to.deep.equal({
      action: 'records',
      operation: 'c',
      table: 'day_freeze',
      records: [{ meterPointId: '7001', dataDate: '2025-03-14', readingTotal: 321.5, collectedAt: '2025-03-15T00:20:00+08:00', sourceTable: 'day_freeze' }],
    });
    const deleted = { payload: { ...change.payload, before: after, after: null, op: 'd' } };
    expect(DEBEZIUM.decode(JSON.stringify(deleted))).to.deep.equal({ action: 'skip', reason: 'operation d is not selected' });
  });

  it('keeps the envelope out of the record itself; a flat shape reads its own message through $envelope', () => {
    const flat = loadTopicShapeText(
      `shape: test.flat-envelope
version: 1
topic: t
format: flat
map:
  whole: { from: $ }
  sameId: $envelope.id
`,
      'topics/flat.yaml',
    );
    const r = flat.decode('{"id":"a1","n":2}');
    expect(r).to.deep.equal({ action: 'records', records: [{ whole: { id: 'a1', n: 2 }, sameId: 'a1' }] });
    if (r.action === 'records') expect(Object.keys(r.records[0].whole as object)).to.deep.equal(['id', 'n']);
  });
});
