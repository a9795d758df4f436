import { expect } from 'chai';
import { Readable } from 'stream';
import * as iconv from 'iconv-lite';
import * as path from 'path';
import { GridbusError } from '../../../../../core/errors';
import {
  CompiledFileLayout, FileEvent, FileRecordParser, FileSummary, ParseOptions, RecordEvent, loadFileLayoutText, loadFileLayouts, parseFile,
} from '../../../../../core/mapping/files';
import { expectedCanonical, sampleRecord } from '../../../../../simulators/files/dataset';
import { SampleFileOptions, SampleLayout, sampleFileName, sampleFileStream, sampleTotals } from '../../../../../simulators/files/reconciliation-files';

const MAPPINGS_DIR = path.resolve(__dirname, '../../../../../mappings');
const LAYOUTS = loadFileLayouts(MAPPINGS_DIR);
const FIXED = LAYOUTS.get('marketing.reconciliation-fixed')!;
const DELIMITED = LAYOUTS.get('marketing.b-reconciliation-delimited')!;
const LAYOUT_OF: Record<SampleLayout, CompiledFileLayout> = { fixed: FIXED, delimited: DELIMITED };

interface Collected {
  events: FileEvent[];
  details: RecordEvent[];
  summary?: FileSummary;
  error?: GridbusError;
}

/** Runs parseFile to the end, keeping what arrived before an error. */
async function collect(layout: CompiledFileLayout, input: Readable | Buffer | string, options: ParseOptions): Promise<Collected> {
  const stream = input instanceof Readable ? input : Readable.from([typeof input === 'string' ? Buffer.from(input, 'utf8') : input]);
  const out: Collected = { events: [], details: [] };
  try {
    for await (const e of parseFile(layout, stream, options)) {
      out.events.push(e);
      if (e.kind === 'detail') out.details.push(e);
      if (e.kind === 'summary') out.summary = e;
    }
  } catch (err) {
    expect(err, String(err)).to.be.instanceOf(GridbusError);
    out.error = err as GridbusError;
  }
  return out;
}

function sample(kind: SampleLayout, options: SampleFileOptions): Promise<Collected> {
  return collect(LAYOUT_OF[kind], sampleFileStream(kind, options), { fileName: sampleFileName(kind, options) });
}

async function bytesOf(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

/** The same bytes in pieces of `size` (cutting characters and lines anywhere). */
function pieces(all: Buffer, size: number): Readable {
  const out: Buffer[] = [];
  for (let i = 0; i < all.length; i += size) out.push(all.subarray(i, i + size));
  return Readable.from(out);
}

function failure(c: Collected): GridbusError {
  expect(c.error, 'expected the parse to fail').to.be.instanceOf(GridbusError);
  expect(c.error!.errorCode).to.equal('BACKEND_BAD_RESPONSE');
  return c.error!;
}

function withoutName(r: Record<string, unknown>): Record<string, unknown> {
  const { payerName: _name, ...rest } = r;
  return rest;
}

describe('core/mapping/files - parseFile', () => {
  describe('the two reconciliation layouts', () => {
    const N = 600;

    it('parse the same generated data into identical canonical records', async () => {
      const fixed = await sample('fixed', { count: N });
      const delimited = await sample('delimited', { count: N });
      expect(fixed.error, String(fixed.error)).to.equal(undefined);
      expect(delimited.error, String(delimited.error)).to.equal(undefined);
      expect(fixed.details).to.have.length(N);
      expect(delimited.details.map((d) => d.record)).to.deep.equal(fixed.details.map((d) => withoutName(d.record)));
      fixed.details.forEach((d, i) => {
        expect(d.record).to.deep.equal(expectedCanonical(i));
        expect(d.lineNo).to.equal(i + 2);
      });
      // the fixed layout also carries the payer, Chinese and once in 97 outside the BMP
      expect(fixed.details[13].record.payerName).to.equal(sampleRecord(13).payerName).and.contain('𠮷');
      expect(delimited.details[0].record).to.not.have.property('payerName');
    });

    it('check the header totals and report them in the summary', async () => {
      const totals = sampleTotals({ count: N });
      for (const kind of ['fixed', 'delimited'] as const) {
        const { summary } = await sample(kind, { count: N });
        expect(summary!.count).to.equal(N);
        expect(summary!.sums).to.deep.equal({ amount: totals.sumFen });
        expect(summary!.checks.map((c) => [c.name, c.expected, c.actual, c.verified])).to.deep.equal([
          ['count', N, N, true],
          ['amount', totals.sumFen, totals.sumFen, true],
        ]);
        expect(summary!.lines).to.equal(N + 1);
        expect(summary!.skipped).to.equal(0);
      }
      const fixed = await sample('fixed', { count: 3 });
      expect(fixed.summary!.fileName).to.deep.equal({ busType: '001', payType: '002', bankNo: '0102', comNo: '33401010', date: '2025-03-15', seq: 1 });
      expect(fixed.summary!.header).to.include({ totCount: 3, bankNo: '0102', createdAt: '2025-03-15T02:00:00+08:00' });
      expect(fixed.events[0]).to.deep.include({ kind: 'header', lineNo: 1 });
      expect(fixed.events[fixed.events.length - 1].kind).to.equal('summary');
    });

    it('give the same records whatever the chunk boundaries (characters cut in half)', async () => {
      for (const kind of ['fixed', 'delimited'] as const) {
        const all = await bytesOf(sampleFileStream(kind, { count: 120 }));
        const whole = await collect(LAYOUT_OF[kind], pieces(all, all.length), { fileName: sampleFileName(kind) });
        for (const size of [1, 7, 500, 4093]) {
          const cut = await collect(LAYOUT_OF[kind], pieces(all, size), { fileName: sampleFileName(kind) });
          expect(cut.error, `${kind}/${size}: ${String(cut.error)}`).to.equal(undefined);
          expect(cut.details, `${kind} in pieces of ${size}`).to.deep.equal(whole.details);
        }
      }
    });
  });

  describe('totals', () => {
    it('detects a wrong count after yielding the records, naming file, expected and actual', async () => {
      const c = await sample('fixed', { count: 50, faults: { wrongCount: true } });
      const err = failure(c);
      expect(c.details).to.have.length(50); // the records came first: callers stage them
      expect(c.summary).to.equal(undefined);
      expect(err.data).to.include({
        kind: 'totals-mismatch', file: sampleFileName('fixed'), line: 1, check: 'count', against: 'header.totCount', expected: 51, actual: 50,
      });
      expect(err.message).to.contain('detail count is 50, header.totCount says 51');
    });

    it('detects a wrong sum (exact, in fen)', async () => {
      const { sumFen } = sampleTotals({ count: 50 });
      for (const kind of ['fixed', 'delimited'] as const) {
        const err = failure(await sample(kind, { count: 50, faults: { wrongTotal: true } }));
        expect(err.data).to.include({ kind: 'totals-mismatch', check: 'amount', expected: sumFen + 1, actual: sumFen });
        expect(err.data.mismatches).to.deep.equal([{ check: 'amount', against: DELIMITED === LAYOUT_OF[kind] ? 'header.totalFee' : 'header.allMoney', expected: sumFen + 1, actual: sumFen }]);
      }
    });

    it('reports every mismatch at once', async () => {
      const err = failure(await sample('delimited', { count: 5, faults: { wrongTotal: true, wrongCount: true } }));
      expect((err.data.mismatches as unknown[]).length).to.equal(2);
      expect(err.data.check).to.equal('count');
    });
  });

  describe('bad lines', () => {
    it('reports a malformed fixed-width line with its number and reason', async () => {
      const c = await sample('fixed', { count: 100, faults: { malformedDetail: 41 } });
      const err = failure(c);
      expect(err.data).to.include({ kind: 'bad-record', line: 43, file: sampleFileName('fixed'), record: 'detail' });
      expect(err.data.reason).to.match(/the line is 491 bytes, a detail line is 501/);
      expect(err.message).to.contain(`${sampleFileName('fixed')}: line 43: `);
      expect(c.details).to.have.length(41);
    });

    it('reports a malformed delimited line with its number and reason', async () => {
      const err = failure(await sample('delimited', { count: 100, faults: { malformedDetail: 0 } }));
      expect(err.data).to.include({ kind: 'bad-record', line: 2 });
      expect(err.data.reason).to.equal('the line has 10 columns, a detail line has 11');
    });

    it('skips and reports bad lines with onBadRecord: skip-and-report; the count still proves completeness', async () => {
      const c = await collect(FIXED, sampleFileStream('fixed', { count: 30, faults: { malformedDetail: 5 } }), {
        fileName: sampleFileName('fixed'),
        onBadRecord: 'skip-and-report',
      });
      expect(c.error, String(c.error)).to.equal(undefined);
      const skipped = c.events.filter((e) => e.kind === 'skipped');
      expect(skipped).to.have.length(1);
      expect(skipped[0]).to.deep.include({ kind: 'skipped', lineNo: 7 });
      expect(c.details).to.have.length(29);
      expect(c.summary!.skipped).to.equal(1);
      expect(c.summary!.skippedLines[0].lineNo).to.equal(7);
      const [count, amount] = c.summary!.checks;
      expect(count).to.include({ name: 'count', expected: 30, actual: 30, verified: true });
      expect(amount).to.include({ name: 'amount', verified: false });
    });

    it('gives up after maxSkipped bad lines', async () => {
      const layout = loadFileLayoutText(CSV_LAYOUT, 'csv.yaml');
      const text = `id,amount\n${Array.from({ length: 5 }, (_v, i) => `${i},x${i}`).join('\n')}\n`;
      const err = failure(await collect(layout, text, { fileName: 'a.csv', onBadRecord: 'skip-and-report', maxSkipped: 3 }));
      expect(err.data).to.include({ kind: 'too-many-bad-records', line: 5 });
    });

    it('names the column of a bad value', async () => {
      const all = (await bytesOf(sampleFileStream('delimited', { count: 3 }))).toString('latin1');
      const broken = Buffer.from(all.replace('|20250315|20250315|', '|20250315|20250345|'), 'latin1');
      const err = failure(await collect(DELIMITED, broken, { fileName: 'b.txt' }));
      expect(err.data.line).to.equal(2);
      expect(err.data.reason).to.contain('paidAt: "20250345');
    });

    it('refuses a misaligned line whose column boundary cuts a character', async () => {
      const lines = (await bytesOf(sampleFileStream('fixed', { count: 2 }))).toString('utf8').split('\n');
      // one byte less before the name, one space more after it: same length, names shifted by a byte
      lines[2] = lines[2].slice(0, 57) + lines[2].slice(58, 58 + 30) + ' ' + lines[2].slice(88);
      const err = failure(await collect(FIXED, lines.join('\n'), { fileName: sampleFileName('fixed') }));
      expect(err.data).to.include({ line: 3, kind: 'bad-record' });
      expect(err.data.reason).to.match(/ends inside a multi-byte character/);
    });
  });

  describe('encodings', () => {
    it('detects GBK bytes in a file declared UTF-8', async () => {
      const c = await sample('fixed', { count: 20, faults: { wrongEncoding: true } });
      const err = failure(c);
      expect(err.data).to.include({ kind: 'bad-encoding', line: 2, encoding: 'utf-8' });
      expect(c.details).to.have.length(0);
    });

    it('finds the line of a single GBK line in a UTF-8 file', async () => {
      const lines = (await bytesOf(sampleFileStream('fixed', { count: 80 }))).toString('utf8').split('\n');
      const buffers = lines.map((l, i) => (i === 60 ? iconv.encode(l, 'gbk') : Buffer.from(l, 'utf8')));
      const all = Buffer.concat(buffers.flatMap((b, i) => (i < buffers.length - 1 ? [b, Buffer.from('\n')] : [b])));
      for (const size of [all.length, 1000]) {
        const c = await collect(FIXED, pieces(all, size), { fileName: sampleFileName('fixed') });
        expect(failure(c).data).to.include({ kind: 'bad-encoding', line: 61 });
        expect(c.details).to.have.length(59);
      }
    });

    it('detects UTF-8 bytes in a file declared GBK (which iconv would decode into nonsense)', async () => {
      const err = failure(await sample('delimited', { count: 20, faults: { wrongEncoding: true } }));
      expect(err.data).to.include({ kind: 'bad-encoding', encoding: 'gbk' });
      expect(err.message).to.contain('the bytes are UTF-8, but the layout declares gbk');
    });

    it('detects invalid GBK sequences', async () => {
      const bytes = Buffer.concat([iconv.encode('20250315|1|100|B1\r\nU1|3300000001|20250315|20250315|101010|S1|622|', 'gbk'), Buffer.from([0x81, 0x7f]), Buffer.from('|000000000100||202503\r\n')]);
      const err = failure(await collect(DELIMITED, bytes, { fileName: 'b.txt' }));
      expect(err.data).to.include({ kind: 'bad-encoding', line: 2 });
    });

    it('reads a UTF-8 byte-order mark and CRLF line ends', async () => {
      const text = (await bytesOf(sampleFileStream('fixed', { count: 4 }))).toString('utf8').replace(/\n/g, '\r\n');
      const c = await collect(FIXED, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]), { fileName: sampleFileName('fixed') });
      expect(c.error, String(c.error)).to.equal(undefined);
      expect(c.details.map((d) => d.record)).to.deep.equal([0, 1, 2, 3].map((i) => expectedCanonical(i)));
    });
  });

  describe('record types, widths and cells', () => {
    it('selects header by prefix and trailer as the last line, skips comment lines and blank lines', async () => {
      const layout = loadFileLayoutText(TRAILER_LAYOUT, 'trailer.yaml');
      const text = ['# exported 2025-03-15', 'H20250315', '', 'D001张三000100', '# a marker in the middle', 'D002李四000250', 'T000002000350', '# end', ''].join('\n');
      const c = await collect(layout, text, { fileName: 't.txt' });
      expect(c.error, String(c.error)).to.equal(undefined);
      expect(c.events.map((e) => e.kind)).to.deep.equal(['header', 'detail', 'detail', 'trailer', 'summary']);
      expect(c.details.map((d) => [d.lineNo, d.record])).to.deep.equal([
        [4, { id: '001', name: '张三', amountFen: 100 }],
        [6, { id: '002', name: '李四', amountFen: 250 }],
      ]);
      expect(c.summary!.trailer).to.deep.equal({ type: 'T', count: 2, total: 350 });
      expect(c.summary!.checks.map((k) => k.against)).to.deep.equal(['trailer.count', 'trailer.total']);

      const noTrailer = await collect(layout, 'H20250315\nD001张三000100\n', { fileName: 't.txt' });
      expect(failure(noTrailer).data).to.include({ kind: 'bad-record', line: 2 }); // the last line must be the trailer
      const two = await collect(layout, 'H20250315\nH20250316\nT000000000000\n', { fileName: 't.txt' });
      expect(failure(two).data).to.include({ kind: 'duplicate-record', line: 2 });
      const stray = await collect(layout, 'H20250315\nX001\nT000000000000\n', { fileName: 't.txt' });
      expect(failure(stray).data.reason).to.contain('no record type selects it');
    });

    it('counts widths in characters with unit: chars (a character outside the BMP is one)', async () => {
      const layout = loadFileLayoutText(TRAILER_LAYOUT.replace('unit: bytes', 'unit: chars').replace(/width: 6, trim/, 'width: 4, trim'), 'chars.yaml');
      const c = await collect(layout, 'H20250315\nD001张三  000100\nD002𠮷三  000250\nT000002000350\n', { fileName: 't.txt' });
      expect(c.error, String(c.error)).to.equal(undefined);
      expect(c.details.map((d) => d.record.name)).to.deep.equal(['张三', '𠮷三']);
    });

    it('counts GBK bytes for a fixed-width GBK file (2 bytes a Chinese character)', async () => {
      const layout = loadFileLayoutText(TRAILER_LAYOUT.replace('encoding: utf-8', 'encoding: gbk').replace(/width: 6, trim/, 'width: 4, trim'), 'gbk.yaml');
      const text = 'H20250315\nD001张三000100\nD002李  000250\nT000002000350\n';
      const c = await collect(layout, iconv.encode(text, 'gbk'), { fileName: 't.txt' });
      expect(c.error, String(c.error)).to.equal(undefined);
      expect(c.details.map((d) => d.record.name)).to.deep.equal(['张三', '李']);
      const bad = await collect(layout, iconv.encode('H20250315\nD001张三 000100\nT000001000100\n', 'gbk'), { fileName: 't.txt' });
      expect(failure(bad).data.reason).to.equal('the line is 15 bytes, a detail line is 14');
    });

    it('counts GB18030 four-byte characters, refuses misaligned GBK lines and UTF-8 bytes declared GBK', async () => {
      const gb18030 = loadFileLayoutText(TRAILER_LAYOUT.replace('encoding: utf-8', 'encoding: gb18030').replace(/width: 6, trim/, 'width: 4, trim'), 'gb.yaml');
      const ok = await collect(gb18030, iconv.encode('H20250315\nD001𠮷000100\nD002€三000250\nT000002000350\n', 'gb18030'), { fileName: 't.txt' });
      expect(ok.error, String(ok.error)).to.equal(undefined);
      expect(ok.details.map((d) => d.record.name)).to.deep.equal(['𠮷', '€三']);

      const gbk = loadFileLayoutText(TRAILER_LAYOUT.replace('encoding: utf-8', 'encoding: gbk').replace(/width: 6, trim/, 'width: 4, trim'), 'gbk.yaml');
      const shifted = await collect(gbk, iconv.encode('H20250315\nD01张三0001000\nT000001000100\n', 'gbk'), { fileName: 't.txt' });
      expect(failure(shifted).data).to.include({ kind: 'bad-record', line: 2 });
      expect(failure(shifted).data.reason).to.equal('column id ends inside a multi-byte character (byte 4); the line is misaligned');

      const utf8 = await collect(gbk, Buffer.from('H20250315\nD001张三000100\nD002李四000100\nD003王五000100\nT000003000300\n', 'utf8'), { fileName: 't.txt' });
      expect(failure(utf8).data).to.include({ kind: 'bad-encoding', line: 2 });
    });

    it('reads missing trailing columns as empty with shortLines: pad', async () => {
      const layout = loadFileLayoutText(TRAILER_LAYOUT.replace('shortLines: refuse', 'shortLines: pad'), 'pad.yaml');
      const c = await collect(layout, 'H20250315\nD001张三000100\nD002\nT000002000100\n', { fileName: 't.txt' });
      expect(c.error, String(c.error)).to.equal(undefined);
      expect(c.details[1].record).to.deep.equal({ id: '002', amountFen: 0 });
    });

    it('reads quoted cells, yuan amounts and trailing tabs (Alipay-bill style)', async () => {
      const layout = loadFileLayoutText(CSV_LAYOUT, 'csv.yaml');
      const text = 'id,amount\n"A,1",12.30\t\n"B ""2""",0.29\n C ,100\n';
      const c = await collect(layout, text, { fileName: 'a.csv' });
      expect(c.error, String(c.error)).to.equal(undefined);
      expect(c.details.map((d) => d.record)).to.deep.equal([
        { id: 'A,1', amountFen: 1230 },
        { id: 'B "2"', amountFen: 29 },
        { id: 'C', amountFen: 10000 },
      ]);
      const unclosed = await collect(layout, 'id,amount\n"A,1,2\n', { fileName: 'a.csv' });
      expect(failure(unclosed).data.reason).to.equal('a quoted cell is not closed on this line');
    });

    it('selects delimited record types by column and checks a trailing delimiter', async () => {
      const layout = loadFileLayoutText(COLUMN_LAYOUT, 'col.yaml');
      const c = await collect(layout, '1|2025|\n2|a|5|\n2|b|7|\n9|2|12|\n', { fileName: 'c.txt' });
      expect(c.error, String(c.error)).to.equal(undefined);
      expect(c.details.map((d) => d.record)).to.deep.equal([{ key: 'a', n: 5 }, { key: 'b', n: 7 }]);
      const noEnd = await collect(layout, '1|2025|\n2|a|5\n9|1|5|\n', { fileName: 'c.txt' });
      expect(failure(noEnd).data.reason).to.contain('does not end with the delimiter');
      const extra = await collect(layout, '1|2025|\n2|a|5|6|\n9|1|5|\n', { fileName: 'c.txt' });
      expect(failure(extra).data.reason).to.equal('the line has 4 columns, a detail line has 3');
    });

    it('refuses an empty file, a missing header, and a line without an end', async () => {
      expect(failure(await collect(FIXED, '', { fileName: sampleFileName('fixed') })).data).to.include({ kind: 'missing-record', reason: 'the file is empty (no header)' });
      const layout = loadFileLayoutText(COLUMN_LAYOUT, 'col.yaml');
      expect(failure(await collect(layout, '2|a|5|\n', { fileName: 'c.txt' })).data).to.include({ kind: 'missing-record' });
      const long = Buffer.alloc(600_000, 0x41);
      expect(failure(await collect(DELIMITED, long, { fileName: 'b.txt' })).data.kind).to.equal('line-too-long');
      expect(failure(await collect(FIXED, long, { fileName: sampleFileName('fixed') })).data.kind).to.equal('line-too-long');
    });
  });

  describe('file names', () => {
    it('refuses a file whose name does not match the layout before reading it', async () => {
      const stream = sampleFileStream('fixed', { count: 5 });
      const c = await collect(FIXED, stream, { fileName: '/in/DZ001002_0102.txt' });
      expect(failure(c).data).to.include({ kind: 'bad-file-name', file: 'DZ001002_0102.txt' });
      expect(c.events).to.have.length(0);
    });

    it('checks only the base name, and can be told not to check', async () => {
      const ok = await collect(FIXED, sampleFileStream('fixed', { count: 1 }), { fileName: `/data/in/${sampleFileName('fixed')}` });
      expect(ok.error, String(ok.error)).to.equal(undefined);
      const unchecked = await collect(FIXED, sampleFileStream('fixed', { count: 1 }), { fileName: 'renamed.txt', checkFileName: false });
      expect(unchecked.error, String(unchecked.error)).to.equal(undefined);
      expect(unchecked.summary!.fileName).to.equal(undefined);
    });
  });

  describe('streaming', () => {
    it('yields records while the file is still being read, and stops reading when the caller stops', async () => {
      let chunksRead = 0;
      const source = sampleFileStream('fixed', { count: 100_000, linesPerChunk: 100 });
      const push = source.push.bind(source);
      source.push = (chunk: unknown) => {
        chunksRead++;
        return push(chunk);
      };
      let seen = 0;
      for await (const e of parseFile(FIXED, source, { fileName: sampleFileName('fixed') })) {
        if (e.kind === 'detail' && ++seen === 250) break;
      }
      expect(chunksRead).to.be.lessThan(50); // of 1000
      expect(source.destroyed).to.equal(true);
    });

    it('exposes the push parser for callers that feed chunks themselves', () => {
      const layout = loadFileLayoutText(COLUMN_LAYOUT, 'col.yaml');
      const p = new FileRecordParser(layout, { fileName: 'c.txt' });
      expect(p.push('1|2025|\n2|a|')).to.deep.equal([{ kind: 'header', lineNo: 1, record: { type: '1', year: 2025 } }]);
      expect(p.push(Buffer.from('5|\n9|1|5|\n'))).to.deep.equal([
        { kind: 'detail', lineNo: 2, record: { key: 'a', n: 5 } },
        { kind: 'trailer', lineNo: 3, record: { type: '9', count: 1, total: 5 } },
      ]);
      const end = p.end();
      expect(end.map((e) => e.kind)).to.deep.equal(['summary']);
      expect(() => p.push('x')).to.throw(/after end/);
    });
  });
});

const TRAILER_LAYOUT = `layout: test.trailer
version: 1
format: fixed
encoding: utf-8
fixed: { unit: bytes, shortLines: refuse }
skip: [{ prefix: "#" }]
records:
  header:
    select: { prefix: H }
    fields:
      - { name: type, width: 1 }
      - { name: date, width: 8, date: { in: yyyyMMdd, out: yyyy-MM-dd } }
  detail:
    select: { prefix: D }
    fields:
      - { name: type, width: 1 }
      - { name: id, width: 3, required: true }
      - { name: name, width: 6, trim: true }
      - { name: amount, width: 6, money: { in: fen }, default: 0 }
    map:
      id: id
      name: name
      amountFen: amount
  trailer:
    select: last
    fields:
      - { name: type, width: 1 }
      - { name: count, width: 6, type: integer }
      - { name: total, width: 6, money: { in: fen } }
totals:
  count: trailer.count
  sums: { amount: trailer.total }
`;

const CSV_LAYOUT = `layout: test.csv
version: 1
format: delimited
encoding: utf-8
delimited: { delimiter: ",", quote: '"' }
skip: [{ prefix: "id," }]
records:
  detail:
    fields:
      - { name: id, required: true }
      - { name: amount, money: { in: yuan }, required: true }
    map:
      id: id
      amountFen: amount
`;

const COLUMN_LAYOUT = `layout: test.column
version: 1
format: delimited
encoding: gb18030
delimited: { delimiter: "|", trailingDelimiter: true }
records:
  header:
    select: { column: 0, equals: "1" }
    fields: [{ name: type }, { name: year, type: integer }]
  detail:
    select: { column: 0, equals: ["2", "3"] }
    fields: [{ name: type }, { name: key }, { name: n, type: integer }]
    map: { key: key, n: n }
  trailer:
    select: { column: 0, equals: "9" }
    fields: [{ name: type }, { name: count, type: integer }, { name: total, type: integer }]
totals:
  count: trailer.count
  sums: { n: trailer.total }
`;
