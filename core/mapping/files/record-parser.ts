/**
 * The push side of file parsing: bytes in, events out, nothing buffered but
 * the unfinished last line (and, when a record type is the `last` line, the
 * one line held back until the next arrives). parse-file.ts wraps it as an
 * async iterable over a Readable.
 *
 * Two ways to cut lines, chosen by the layout:
 * - byte mode (fixed width, widths in bytes, UTF-8): lines are found with
 *   Buffer.indexOf(0x0A) and columns sliced at precomputed byte offsets
 *   straight from the Buffer; only the columns that are read are decoded,
 *   UTF-8 validity is checked once per chunk (line by line only if that
 *   fails), and a column end inside a multi-byte character is refused.
 * - text mode (everything else): the bytes up to the last line end are
 *   decoded at once (native latin1 for plain ASCII, UTF-8 by Node, GBK and
 *   GB18030 by iconv-lite), lines split on '\n'; fixed widths in characters
 *   are sliced at precomputed offsets, widths in GBK bytes by a walk with a
 *   per-character byte-length table; delimited lines by indexOf.
 *
 * Per detail line: one compiled value function per read column into a reused
 * row object, then the compiled `map:`. No regex per field.
 */
import { isAscii, isUtf8 } from 'buffer';
import * as iconv from 'iconv-lite';
import { FieldMappingError, MappingContext } from '../field-compiler';
import { CompiledFileLayout, CompiledRecordType } from './compile-layout';
import { decodeLines, encodeText } from './encoding';
import { BadRecord, fileError } from './errors';
import { FileNameParts } from './file-name';
import { BadRecordPolicy } from './layout-definition';

export interface ParseOptions {
  /** the file's name: shown in every error, and checked against the layout's pattern */
  fileName: string;
  /** overrides the layout's `onBadRecord` */
  onBadRecord?: BadRecordPolicy;
  /** with skip-and-report: give up (too-many-bad-records) after this many (default 100) */
  maxSkipped?: number;
  /** check `fileName` against the layout's pattern (default: when the layout has one) */
  checkFileName?: boolean;
  /** `$requestId` / `$now` for the map block */
  context?: MappingContext;
}

export interface RecordEvent {
  kind: 'header' | 'detail' | 'trailer';
  lineNo: number;
  record: Record<string, unknown>;
}

export interface SkippedEvent {
  kind: 'skipped';
  lineNo: number;
  reason: string;
}

export interface TotalsCheck {
  /** `count` or the detail field summed */
  name: string;
  /** where the expected value was read, e.g. `header.totCount` */
  against: string;
  expected: number;
  actual: number;
  /** false when records were skipped: a sum over the remaining records proves nothing */
  verified: boolean;
}

export interface FileSummary {
  kind: 'summary';
  file: string;
  /** parts of the file name when the layout has a pattern */
  fileName?: FileNameParts;
  /** physical lines read */
  lines: number;
  /** detail records yielded */
  count: number;
  /** detail lines skipped (skip-and-report) */
  skipped: number;
  /** the first 100 skipped lines */
  skippedLines: Array<{ lineNo: number; reason: string }>;
  /** sums of the detail fields named under totals.sums (integer fen for money) */
  sums: Record<string, number>;
  header?: Record<string, unknown>;
  trailer?: Record<string, unknown>;
  checks: TotalsCheck[];
}

export type FileEvent = RecordEvent | SkippedEvent | FileSummary;

const EMPTY_CONTEXT: MappingContext = {};
const SURROGATE = /[\ud800-\udfff]/;
const REPLACEMENT = '\ufffd';
const KEEP_SKIPPED = 100;

export class FileRecordParser {
  private readonly file: string;
  private readonly policy: BadRecordPolicy;
  private readonly maxSkipped: number;
  private readonly ctx: MappingContext;
  private readonly holdLast: boolean;
  private readonly detailRow: Record<string, unknown>;
  private readonly sums: number[];
  private readonly fileNameParts: FileNameParts | undefined;
  /** fixed width in bytes of a UTF-8 file: lines are cut from the Buffer, only read columns are decoded */
  private readonly byteMode: boolean;
  private readonly utf8: boolean;
  /** GBK / GB18030 columns: one decoder, reset after each column */
  private readonly dbcs: { write(b: Buffer): string; end(): string | undefined } | undefined;
  private readonly charEnds: Int32Array;
  private readonly skipBytes: Buffer[];
  private readonly prefixBytes = new Map<string, Buffer>();

  private out: FileEvent[] = [];
  private started = false;
  private lineNo = 0;
  private seenFirst = false;
  // text mode
  private rawCarry: Buffer | undefined;
  private carry = '';
  private suspect = false;
  private probing: boolean;
  private held: string | undefined;
  private cur = '';
  // byte mode
  private carryBuf: Buffer | undefined;
  private checkUtf8 = false;
  private heldBuf: Buffer | undefined;
  private buf: Buffer = Buffer.alloc(0);
  private bs = 0;
  private be = 0;

  private heldNo = 0;
  /** the line number of the record being read */
  private curNo = 0;
  private header: Record<string, unknown> | undefined;
  private headerLine = 0;
  private trailer: Record<string, unknown> | undefined;
  private trailerLine = 0;
  private count = 0;
  private skipped = 0;
  private readonly skippedLines: Array<{ lineNo: number; reason: string }> = [];
  private ended = false;

  constructor(private readonly layout: CompiledFileLayout, options: ParseOptions) {
    this.file = options.fileName;
    this.policy = options.onBadRecord ?? layout.onBadRecord;
    this.maxSkipped = options.maxSkipped ?? 100;
    this.ctx = options.context ?? EMPTY_CONTEXT;
    this.holdLast = [layout.header, layout.trailer].some((t) => t?.select === 'last');
    this.detailRow = layout.detail.newRow();
    this.sums = layout.sumFields.map(() => 0);
    this.byteMode = layout.format === 'fixed' && layout.unit === 'bytes';
    this.utf8 = layout.encoding === 'utf-8';
    this.probing = !this.utf8;
    this.dbcs = this.byteMode && !this.utf8 ? iconv.getDecoder(layout.encoding, { stripBOM: false }) : undefined;
    this.charEnds = new Int32Array(Math.max(layout.detail.ends.length, layout.header?.ends.length ?? 0, layout.trailer?.ends.length ?? 0));
    this.skipBytes = layout.skipPrefixes.map((p) => encodeText(p, layout.encoding));
    const checkName = options.checkFileName ?? layout.fileName !== undefined;
    if (checkName && layout.fileName) this.fileNameParts = layout.fileName.parse(baseName(options.fileName));
  }

  /**
   * Feeds a chunk of the file; appends the events it completed to `out` (a
   * new array by default) and returns it. When it throws, `out` holds the
   * events of the lines before the failing one. Feed Buffers (or, for an
   * already decoded file, strings), not both.
   */
  push(chunk: Buffer | string, out: FileEvent[] = []): FileEvent[] {
    if (this.ended) throw new Error('FileRecordParser: push after end');
    this.out = out;
    if (this.byteMode) {
      this.bytes(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
    } else if (typeof chunk === 'string') {
      this.text(chunk);
    } else {
      this.raw(chunk);
    }
    return out;
  }

  /** Ends the file: the last line, required records, totals, then the summary (same `out` contract as push). */
  end(out: FileEvent[] = []): FileEvent[] {
    if (this.ended) throw new Error('FileRecordParser: end called twice');
    this.out = out;
    if (this.byteMode) {
      const last = this.carryBuf;
      this.carryBuf = undefined;
      if (last) {
        this.checkUtf8 = this.utf8;
        if (this.probing) this.probe(last);
        this.byteLine(last, 0, last.length);
      }
      if (this.heldBuf) {
        const held = this.heldBuf;
        this.heldBuf = undefined;
        this.setBytes(held, 0, held.length);
        this.record(this.heldNo, true);
      }
    } else {
      const rest = this.rawCarry;
      this.rawCarry = undefined;
      if (rest) this.text(decodeLines(rest, 0, rest.length, this.layout.encoding));
      if (this.carry.length > 0) {
        const last = this.carry;
        this.carry = '';
        this.line(last);
      }
      if (this.held !== undefined) {
        this.cur = this.held;
        this.held = undefined;
        this.record(this.heldNo, true);
      }
    }
    this.ended = true;
    if (this.layout.header && !this.header) throw fileError('missing-record', this.file, 0, this.missing('header'));
    if (this.layout.trailer && !this.trailer) throw fileError('missing-record', this.file, 0, this.missing('trailer'));
    out.push(this.summary());
    return out;
  }

  // ---- text mode: decoded chunks, lines as strings -------------------------

  /**
   * Decodes up to the last line end of the bytes so far; the bytes after it
   * wait for the next chunk. A line end is a single 0x0A byte in every
   * supported encoding, so each decoded region ends on a whole character and
   * needs no decoder state (and plain ASCII regions skip iconv altogether).
   */
  private raw(chunk: Buffer): void {
    let buf = chunk;
    if (this.rawCarry) {
      buf = Buffer.concat([this.rawCarry, chunk]);
      this.rawCarry = undefined;
    }
    const nl = buf.lastIndexOf(10);
    if (nl === -1) {
      this.rawCarry = buf;
      if (buf.length > 4 * this.layout.maxLineLength) this.tooLong();
      return;
    }
    if (nl + 1 < buf.length) this.rawCarry = Buffer.from(buf.subarray(nl + 1));
    if (this.probing) this.probe(buf.subarray(0, nl));
    this.text(decodeLines(buf, 0, nl + 1, this.layout.encoding));
  }

  private text(text: string): void {
    if (text.length === 0) return;
    if (!this.started) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    this.suspect = this.suspect || text.indexOf(REPLACEMENT) !== -1;
    let start = 0;
    let nl = text.indexOf('\n');
    if (nl === -1) {
      this.carry += text;
      if (this.carry.length > this.layout.maxLineLength) this.tooLong();
      return;
    }
    if (this.carry.length > 0) {
      const first = this.carry + text.slice(0, nl);
      this.carry = '';
      this.line(first);
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    while (nl !== -1) {
      this.line(text.slice(start, nl));
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    this.carry = start < text.length ? text.slice(start) : '';
    if (this.carry.length > this.layout.maxLineLength) this.tooLong();
    // the replacement-character check stays on while a suspect line may still be in the carry
    this.suspect = this.suspect && this.carry.indexOf(REPLACEMENT) !== -1;
  }

  private line(raw: string): void {
    const lineNo = ++this.lineNo;
    let line = raw;
    const n = line.length;
    if (n > 0 && line.charCodeAt(n - 1) === 13) line = line.slice(0, n - 1);
    if (line.length === 0) return;
    if (this.suspect && line.indexOf(REPLACEMENT) !== -1) this.badEncoding(lineNo, `bytes that are not valid ${this.layout.encoding} (decoded as U+FFFD); is the file in another encoding?`);
    if (line.length > this.layout.maxLineLength) this.tooLong(lineNo);
    const skip = this.layout.skipPrefixes;
    for (let i = 0; i < skip.length; i++) if (line.startsWith(skip[i])) return;
    const c0 = line.charCodeAt(0);
    if ((c0 === 32 || c0 === 9 || c0 === 0x3000) && line.trim().length === 0) return;
    if (this.holdLast) {
      if (this.held !== undefined) {
        this.cur = this.held;
        this.record(this.heldNo, false);
      }
      this.held = line;
      this.heldNo = lineNo;
    } else {
      this.cur = line;
      this.record(lineNo, false);
    }
  }

  /**
   * GBK / GB18030: bytes that are valid UTF-8 (and not plain ASCII) are almost
   * certainly a UTF-8 file. iconv would decode them without complaint into
   * nonsense (涓枃 for 中文), so the first whole lines with enough non-ASCII
   * bytes are checked, once.
   */
  private probe(region: Buffer): void {
    if (isAscii(region)) return;
    let high = 0;
    let first = -1;
    for (let i = 0; i < region.length; i++) {
      if (region[i] >= 0x80) {
        if (first < 0) first = i;
        high++;
      }
    }
    if (high < 12) return; // too little to tell; look at the next chunk
    this.probing = false;
    if (isUtf8(region)) {
      let line = this.lineNo + 1;
      for (let i = region.indexOf(10); i >= 0 && i < first; i = region.indexOf(10, i + 1)) line++;
      this.badEncoding(line, `the bytes are UTF-8, but the layout declares ${this.layout.encoding}`);
    }
  }

  // ---- byte mode: lines cut from the Buffer --------------------------------

  private bytes(chunk: Buffer): void {
    let buf = chunk;
    if (!this.started) {
      this.started = true;
      if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
    }
    let start = 0;
    let nl = buf.indexOf(10);
    if (this.carryBuf) {
      if (nl === -1) {
        this.carryBuf = Buffer.concat([this.carryBuf, buf]);
        if (this.carryBuf.length > this.layout.maxLineLength) this.tooLong();
        return;
      }
      const first = Buffer.concat([this.carryBuf, buf.subarray(0, nl)]);
      this.carryBuf = undefined;
      this.checkUtf8 = this.utf8;
      if (this.probing) this.probe(first);
      this.byteLine(first, 0, first.length);
      start = nl + 1;
      nl = buf.indexOf(10, start);
    }
    if (nl !== -1) {
      // one validity check for all complete lines of the chunk; line by line only if it fails
      const lines = buf.subarray(start, buf.lastIndexOf(10));
      if (this.utf8) this.checkUtf8 = !isUtf8(lines);
      else if (this.probing) this.probe(lines);
      while (nl !== -1) {
        this.byteLine(buf, start, nl);
        start = nl + 1;
        nl = buf.indexOf(10, start);
      }
    }
    if (start < buf.length) {
      this.carryBuf = Buffer.from(buf.subarray(start));
      if (this.carryBuf.length > this.layout.maxLineLength) this.tooLong();
    }
  }

  private byteLine(buf: Buffer, s: number, e: number): void {
    const lineNo = ++this.lineNo;
    if (e > s && buf[e - 1] === 13) e--;
    if (e === s) return;
    if (this.checkUtf8 && !isUtf8(buf.subarray(s, e))) {
      this.badEncoding(lineNo, 'bytes that are not valid UTF-8; is the file in another encoding (GBK)?');
    }
    if (e - s > this.layout.maxLineLength) this.tooLong(lineNo);
    const skip = this.skipBytes;
    for (let i = 0; i < skip.length; i++) if (startsWithBytes(buf, s, e, skip[i])) return;
    if ((buf[s] === 32 || buf[s] === 9) && buf.toString('utf8', s, e).trim().length === 0) return;
    if (this.holdLast) {
      if (this.heldBuf !== undefined) {
        this.setBytes(this.heldBuf, 0, this.heldBuf.length);
        this.record(this.heldNo, false);
      }
      this.heldBuf = Buffer.from(buf.subarray(s, e));
      this.heldNo = lineNo;
    } else {
      this.setBytes(buf, s, e);
      this.record(lineNo, false);
    }
  }

  private setBytes(buf: Buffer, s: number, e: number): void {
    this.buf = buf;
    this.bs = s;
    this.be = e;
  }

  // ---- records -----------------------------------------------------------

  private record(lineNo: number, isLast: boolean): void {
    this.curNo = lineNo;
    const isFirst = !this.seenFirst;
    this.seenFirst = true;
    const { header, trailer, detail } = this.layout;
    if (header && this.selects(header, isFirst, isLast)) this.single('header', header, lineNo);
    else if (trailer && this.selects(trailer, isFirst, isLast)) this.single('trailer', trailer, lineNo);
    else if (detail.select === undefined || this.selects(detail, isFirst, isLast)) this.detail(lineNo);
    else this.bad(lineNo, 'not a header, detail or trailer line (no record type selects it)');
  }

  private selects(type: CompiledRecordType, isFirst: boolean, isLast: boolean): boolean {
    const s = type.select;
    if (s === 'first') return isFirst;
    if (s === 'last') return isLast;
    if (s === undefined) return false;
    if ('prefix' in s) {
      if (!this.byteMode) return this.cur.startsWith(s.prefix);
      let p = this.prefixBytes.get(s.prefix);
      if (!p) this.prefixBytes.set(s.prefix, (p = encodeText(s.prefix, this.layout.encoding)));
      return startsWithBytes(this.buf, this.bs, this.be, p);
    }
    const cell = this.cell(this.cur, s.column);
    return Array.isArray(s.equals) ? s.equals.includes(cell) : cell === s.equals;
  }

  private single(kind: 'header' | 'trailer', type: CompiledRecordType, lineNo: number): void {
    if ((kind === 'header' ? this.header : this.trailer) !== undefined) {
      throw fileError('duplicate-record', this.file, lineNo, `a second ${kind} (the first is line ${kind === 'header' ? this.headerLine : this.trailerLine})`);
    }
    const row = type.newRow();
    try {
      this.fill(type, row);
      if (type.derive) type.derive(row);
    } catch (err) {
      const reason = reasonOf(err);
      if (reason === undefined) throw err;
      throw fileError('bad-record', this.file, lineNo, `${kind}: ${reason}`, { record: kind });
    }
    if (kind === 'header') {
      this.header = row;
      this.headerLine = lineNo;
    } else {
      this.trailer = row;
      this.trailerLine = lineNo;
    }
    this.out.push({ kind, lineNo, record: row });
  }

  private detail(lineNo: number): void {
    const type = this.layout.detail;
    const row = this.detailRow;
    let record: Record<string, unknown>;
    try {
      this.fill(type, row);
      if (type.derive) type.derive(row);
      record = type.map ? type.map(row, this.ctx) : { ...row };
    } catch (err) {
      const reason = reasonOf(err);
      if (reason === undefined) throw err;
      this.bad(lineNo, reason);
      return;
    }
    const sumFields = this.layout.sumFields;
    for (let i = 0; i < sumFields.length; i++) {
      const v = row[sumFields[i]];
      if (typeof v === 'number') this.sums[i] += v;
    }
    this.count++;
    this.out.push({ kind: 'detail', lineNo, record });
  }

  private bad(lineNo: number, reason: string): void {
    if (this.policy === 'fail') throw fileError('bad-record', this.file, lineNo, reason, { record: 'detail' });
    this.skipped++;
    if (this.skippedLines.length < KEEP_SKIPPED) this.skippedLines.push({ lineNo, reason });
    if (this.skipped > this.maxSkipped) {
      throw fileError('too-many-bad-records', this.file, lineNo, `more than ${this.maxSkipped} bad detail lines; last: ${reason}`, { skipped: this.skipped });
    }
    this.out.push({ kind: 'skipped', lineNo, reason });
  }

  private badEncoding(lineNo: number, reason: string): never {
    throw fileError('bad-encoding', this.file, lineNo, reason, { encoding: this.layout.encoding });
  }

  private tooLong(lineNo = this.lineNo + 1): never {
    throw fileError('line-too-long', this.file, lineNo, `no line end within ${this.layout.maxLineLength} ${this.byteMode ? 'bytes' : 'characters'}; is this the right layout?`);
  }

  // ---- columns -----------------------------------------------------------

  private fill(type: CompiledRecordType, row: Record<string, unknown>): void {
    if (this.byteMode) {
      if (this.utf8) this.fillFixedUtf8(type, row);
      else this.fillFixedDbcs(type, row);
    }
    else if (this.layout.format === 'fixed') this.fillFixed(type, this.cur, row);
    else this.fillDelimited(type, this.cur, row);
  }

  /** UTF-8, widths in bytes: slice the Buffer at the byte offsets, decode only what is read. */
  private fillFixedUtf8(type: CompiledRecordType, row: Record<string, unknown>): void {
    const { names, values, needed, ends } = type;
    const buf = this.buf;
    const s = this.bs;
    const e = this.be;
    const len = e - s;
    if (len !== type.width) this.lengthMismatch(type, len, 'bytes', len < type.width);
    let from = s;
    for (let i = 0; i < names.length; i++) {
      let to = s + ends[i];
      if (to > e) to = e;
      else if (to < e && (buf[to] & 0xc0) === 0x80) {
        throw new BadRecord(`column ${names[i]} ends inside a multi-byte character (byte ${ends[i]}); the line is misaligned`);
      }
      if (needed[i] === 1) row[names[i]] = values[i](from < to ? buf.toString('utf8', from, to) : '');
      from = to;
    }
  }

  private fillFixed(type: CompiledRecordType, line: string, row: Record<string, unknown>): void {
    const { names, values, needed } = type;
    let cut: Int32Array = type.ends;
    const len = line.length;
    if (SURROGATE.test(line)) {
      cut = this.codePointWalk(type, line);
    } else if (len !== type.width) {
      this.lengthMismatch(type, len, 'characters', len < type.width);
    }
    let start = 0;
    for (let i = 0; i < names.length; i++) {
      const end = cut[i] < len ? cut[i] : len;
      if (needed[i] === 1) row[names[i]] = values[i](start < end ? line.slice(start, end) : '');
      start = end;
    }
  }

  private lengthMismatch(type: CompiledRecordType, actual: number, unit: string, short: boolean): void {
    if (short && this.layout.shortLines === 'pad') return;
    throw new BadRecord(`the line is ${actual} ${unit}, a ${type.kind} line is ${type.width}`);
  }

  /**
   * GBK / GB18030, widths in bytes: walk the bytes to find where characters
   * start (a byte >= 0x81 starts a 2-byte character, or a 4-byte one in
   * GB18030 when the next byte is a digit 0x30-0x39), refuse a column end
   * inside one, and decode only the columns that are read: plain ASCII by the
   * native latin1 path, the others by iconv-lite.
   */
  private fillFixedDbcs(type: CompiledRecordType, row: Record<string, unknown>): void {
    const { names, values, needed, ends } = type;
    const buf = this.buf;
    const s = this.bs;
    const e = this.be;
    const len = e - s;
    if (len !== type.width) this.lengthMismatch(type, len, 'bytes', len < type.width);
    const four = this.layout.encoding === 'gb18030';
    let i = s;
    let from = s;
    for (let f = 0; f < names.length; f++) {
      let to = s + ends[f];
      if (to > e) to = e;
      let high = false;
      while (i < to) {
        const b = buf[i];
        if (b < 0x80) i++;
        else {
          high = true;
          if (b === 0x80 && !four) i++; // cp936: 0x80 is the euro sign, one byte
          else if (four && i + 1 < e && buf[i + 1] >= 0x30 && buf[i + 1] <= 0x39) i += 4;
          else i += 2;
        }
      }
      if (i > to && to < e) {
        throw new BadRecord(`column ${names[f]} ends inside a multi-byte character (byte ${ends[f]}); the line is misaligned`);
      }
      if (needed[f] === 1) {
        let text = '';
        if (from < to) {
          if (!high) text = buf.toString('latin1', from, to);
          else {
            const dec = this.dbcs!;
            text = dec.write(buf.subarray(from, to));
            const rest = dec.end(); // resets the decoder; a cut character would show here
            if (rest) text += rest;
            if (text.indexOf(REPLACEMENT) !== -1) this.badEncoding(this.curNo, `bytes in column ${names[f]} that are not valid ${this.layout.encoding}`);
          }
        }
        row[names[f]] = values[f](text);
      }
      from = to;
    }
  }

  /** Character offsets when widths count characters and the line has some outside the BMP. */
  private codePointWalk(type: CompiledRecordType, line: string): Int32Array {
    const ends = type.ends;
    const n = ends.length;
    const out = this.charEnds;
    const len = line.length;
    let chars = 0;
    let f = 0;
    let i = 0;
    while (i < len && f < n) {
      const c = line.charCodeAt(i);
      i += (c & 0xfc00) === 0xd800 && i + 1 < len ? 2 : 1;
      chars++;
      if (chars === ends[f]) out[f++] = i;
    }
    if (i < len) {
      while (i < len) {
        i += (line.charCodeAt(i) & 0xfc00) === 0xd800 ? 2 : 1;
        chars++;
      }
      this.lengthMismatch(type, chars, 'characters', false);
    }
    if (f < n) {
      this.lengthMismatch(type, chars, 'characters', true);
      for (; f < n; f++) out[f] = len;
    }
    return out;
  }

  private fillDelimited(type: CompiledRecordType, line: string, row: Record<string, unknown>): void {
    const { names, values, needed } = type;
    const { delimiter, quote, trailingDelimiter } = this.layout;
    const n = names.length;
    if (quote !== undefined && line.indexOf(quote) !== -1) {
      const cells = splitQuoted(line, delimiter, quote);
      if (trailingDelimiter) {
        if (cells[cells.length - 1] !== '') throw new BadRecord(`the line does not end with the delimiter ${JSON.stringify(delimiter)}`);
        cells.pop();
      }
      if (cells.length !== n) throw new BadRecord(`the line has ${cells.length} columns, a ${type.kind} line has ${n}`);
      for (let i = 0; i < n; i++) if (needed[i] === 1) row[names[i]] = values[i](cells[i]);
      return;
    }
    // no quotes: find the n column ends first (a wrong column count is the reason, not a
    // value shifted into the wrong column), then slice only the columns that are read
    const dl = delimiter.length;
    const len = line.length;
    const cut = this.charEnds;
    let pos = 0;
    for (let i = 0; i < n - 1; i++) {
      const d = line.indexOf(delimiter, pos);
      if (d === -1) this.columnCount(type, line);
      cut[i] = d;
      pos = d + dl;
    }
    const d = line.indexOf(delimiter, pos);
    if (trailingDelimiter) {
      if (d === -1) {
        if (line.endsWith(delimiter)) this.columnCount(type, line);
        throw new BadRecord(`the line does not end with the delimiter ${JSON.stringify(delimiter)}`);
      }
      if (d + dl !== len) this.columnCount(type, line);
      cut[n - 1] = d;
    } else {
      if (d !== -1) this.columnCount(type, line);
      cut[n - 1] = len;
    }
    pos = 0;
    for (let i = 0; i < n; i++) {
      if (needed[i] === 1) row[names[i]] = values[i](line.slice(pos, cut[i]));
      pos = cut[i] + dl;
    }
  }

  private columnCount(type: CompiledRecordType, line: string): never {
    const cells = line.split(this.layout.delimiter).length - (this.layout.trailingDelimiter ? 1 : 0);
    throw new BadRecord(`the line has ${cells} columns, a ${type.kind} line has ${type.names.length}`);
  }

  /** The text of delimited column `k` (for select by column), without splitting the whole line. */
  private cell(line: string, k: number): string {
    const d = this.layout.delimiter;
    const q = this.layout.quote;
    if (q !== undefined && line.indexOf(q) !== -1) {
      try {
        return (splitQuoted(line, d, q)[k] ?? '').trim();
      } catch {
        return '';
      }
    }
    let start = 0;
    for (let i = 0; i < k; i++) {
      const at = line.indexOf(d, start);
      if (at === -1) return '';
      start = at + d.length;
    }
    const end = line.indexOf(d, start);
    return line.slice(start, end === -1 ? line.length : end).trim();
  }

  // ---- end of file -------------------------------------------------------

  private missing(kind: 'header' | 'trailer'): string {
    const s = this.layout[kind]!.select;
    const how = typeof s === 'string' ? `the ${s} line` : s && 'prefix' in s ? `a line starting ${JSON.stringify(s.prefix)}` : 'a line selected by column';
    return this.lineNo === 0 ? `the file is empty (no ${kind})` : `no ${kind} (${how})`;
  }

  private summary(): FileSummary {
    const { countCheck, sumChecks } = this.layout;
    const checks: Array<TotalsCheck & { line: number }> = [];
    const sums: Record<string, number> = {};
    this.layout.sumFields.forEach((f, i) => {
      sums[f] = this.sums[i];
    });
    for (const f of this.layout.sumFields) {
      if (!Number.isSafeInteger(sums[f])) {
        throw fileError('totals-mismatch', this.file, 0, `the sum of ${f} is beyond the exact integer range`, { check: f });
      }
    }
    const lineOf = (record: 'header' | 'trailer') => (record === 'header' ? this.headerLine : this.trailerLine);
    // every detail line counts, skipped ones too: the count proves the file is complete
    if (countCheck) {
      checks.push({ name: 'count', against: countCheck.against, expected: this.expected(countCheck), actual: this.count + this.skipped, verified: true, line: lineOf(countCheck.record) });
    }
    for (const s of sumChecks) {
      checks.push({ name: s.name, against: s.against, expected: this.expected(s), actual: sums[s.name], verified: this.skipped === 0, line: lineOf(s.record) });
    }
    const failed = checks.filter((c) => c.verified && c.expected !== c.actual);
    if (failed.length > 0) {
      const first = failed[0];
      const what = (c: TotalsCheck) => `${c.name === 'count' ? 'detail count' : `sum of ${c.name}`} is ${c.actual}, ${c.against} says ${c.expected}`;
      throw fileError('totals-mismatch', this.file, first.line, `totals do not match: ${failed.map(what).join('; ')}`, {
        check: first.name,
        against: first.against,
        expected: first.expected,
        actual: first.actual,
        mismatches: failed.map(({ name, against, expected, actual }) => ({ check: name, against, expected, actual })),
      });
    }
    const summary: FileSummary = {
      kind: 'summary',
      file: this.file,
      lines: this.lineNo,
      count: this.count,
      skipped: this.skipped,
      skippedLines: this.skippedLines,
      sums,
      checks: checks.map(({ line: _line, ...c }) => c),
    };
    if (this.fileNameParts) summary.fileName = this.fileNameParts;
    if (this.header) summary.header = this.header;
    if (this.trailer) summary.trailer = this.trailer;
    return summary;
  }

  private expected(spec: { record: 'header' | 'trailer'; field: string; against: string }): number {
    const row = spec.record === 'header' ? this.header : this.trailer;
    const v = row?.[spec.field];
    if (typeof v !== 'number') {
      throw fileError('bad-record', this.file, spec.record === 'header' ? this.headerLine : this.trailerLine, `${spec.against} is missing; totals cannot be checked`, { record: spec.record });
    }
    return v;
  }
}

function startsWithBytes(buf: Buffer, s: number, e: number, prefix: Buffer): boolean {
  if (e - s < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (buf[s + i] !== prefix[i]) return false;
  return true;
}

function reasonOf(err: unknown): string | undefined {
  if (err instanceof BadRecord) return err.reason;
  if (err instanceof FieldMappingError) return `${err.field}: ${err.reason}`;
  return undefined;
}

function baseName(name: string): string {
  const i = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
  return i >= 0 ? name.slice(i + 1) : name;
}

/** Splits one line with quoted cells (`"a|b"|c`, `""` for a quote inside). */
export function splitQuoted(line: string, delimiter: string, quote: string): string[] {
  const cells: string[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    let cell = '';
    if (line.startsWith(quote, i)) {
      i += 1;
      for (;;) {
        const q = line.indexOf(quote, i);
        if (q === -1) throw new BadRecord('a quoted cell is not closed on this line');
        cell += line.slice(i, q);
        if (line.startsWith(quote, q + 1)) {
          cell += quote;
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      if (i < n && !line.startsWith(delimiter, i)) throw new BadRecord(`text after a closing quote at character ${i + 1}`);
    } else {
      const d = line.indexOf(delimiter, i);
      cell = line.slice(i, d === -1 ? n : d);
      i = d === -1 ? n : d;
    }
    cells.push(cell);
    if (i >= n) return cells;
    i += delimiter.length;
    if (i === n) {
      cells.push('');
      return cells;
    }
  }
}
