/**
 * Sample reconciliation files in the two layouts of mappings/files/:
 *
 * - `fixed`: marketing-reconciliation-fixed.yaml, UTF-8, widths in bytes, LF;
 * - `delimited`: marketing-b-reconciliation-delimited.yaml, GBK, `|`, CRLF.
 *
 * Same records (simulators/files/dataset.ts) in both, header totals correct
 * unless a fault asks otherwise. Output is a Readable producing chunks of a
 * few hundred lines on demand: a million lines are written in about a second
 * and never held in memory.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import { Readable } from 'stream';
import { pipeline } from 'stream/promises';
import * as iconv from 'iconv-lite';
import {
  SAMPLE_BANK_NO, SAMPLE_BUS_TYPE, SAMPLE_COM_NO, SAMPLE_PAY_TYPE, SampleDataOptions, compactDate, sampleAmountFen, sampleRecord,
} from './dataset';

export type SampleLayout = 'fixed' | 'delimited';

export interface SampleFaults {
  /** the header's count is one more than the details */
  wrongCount?: boolean;
  /** the header's total is one fen more than the sum */
  wrongTotal?: boolean;
  /** detail number k (0-based) is broken: cut short (fixed) or one column short (delimited) */
  malformedDetail?: number;
  /** written in the other encoding: GBK for the UTF-8 layout, UTF-8 for the GBK one */
  wrongEncoding?: boolean;
}

export interface SampleFileOptions extends SampleDataOptions {
  count: number;
  /** file sequence number (default 1) */
  seq?: number;
  faults?: SampleFaults;
  /** lines per chunk (default 512) */
  linesPerChunk?: number;
}

export interface SampleTotals {
  /** details written (including a malformed one) */
  count: number;
  /** the true sum of the amounts, fen */
  sumFen: number;
  /** what the header says */
  headerCount: number;
  headerSumFen: number;
}

export interface SampleFileInfo extends SampleTotals {
  fileName: string;
}

/** The true totals of a sample, and what the header will claim. */
export function sampleTotals(options: SampleFileOptions): SampleTotals {
  let sum = 0;
  for (let i = 0; i < options.count; i++) sum += sampleAmountFen(i, options.seed ?? 1);
  return {
    count: options.count,
    sumFen: sum,
    headerCount: options.count + (options.faults?.wrongCount ? 1 : 0),
    headerSumFen: sum + (options.faults?.wrongTotal ? 1 : 0),
  };
}

/** A name the layout accepts: DZ{busType}{payType}_{bankNo}{comNo}{yyyyMMdd}{seq}.txt for fixed. */
export function sampleFileName(layout: SampleLayout, options: Pick<SampleFileOptions, 'date' | 'seq'> = {}): string {
  const ymd = compactDate(options.date ?? '2025-03-15');
  const seq = String(options.seq ?? 1).padStart(3, '0');
  return layout === 'fixed'
    ? `DZ${SAMPLE_BUS_TYPE}${SAMPLE_PAY_TYPE}_${SAMPLE_BANK_NO}${SAMPLE_COM_NO}${ymd}${seq}.txt`
    : `B_RECON_${ymd}_${seq}.txt`;
}

function zeros(n: number, width: number): string {
  const s = String(n);
  return s.length >= width ? s : '0'.repeat(width - s.length) + s;
}

/** Pads ASCII text to a width (bytes = characters). */
function ascii(s: string, width: number): string {
  return s.length >= width ? s.slice(0, width) : s + ' '.repeat(width - s.length);
}

/** Pads text to a width in UTF-8 bytes (a Chinese character is 3). */
function bytes(s: string, width: number): string {
  const n = Buffer.byteLength(s, 'utf8');
  if (n > width) throw new Error(`sample field ${JSON.stringify(s)} is ${n} bytes, wider than ${width}`);
  return s + ' '.repeat(width - n);
}

function fixedHeader(o: SampleFileOptions, info: SampleTotals): string {
  const ymd = compactDate(o.date ?? '2025-03-15');
  const check = createHash('md5').update(`${ymd}|${info.headerCount}|${info.headerSumFen}`).digest('hex');
  return (
    ascii(`${ymd}${SAMPLE_BANK_NO}${SAMPLE_COM_NO}${zeros(o.seq ?? 1, 7)}`, 27) +
    SAMPLE_BANK_NO +
    SAMPLE_COM_NO +
    SAMPLE_BUS_TYPE +
    SAMPLE_PAY_TYPE +
    zeros(info.headerCount, 11) +
    zeros(info.headerSumFen, 16) +
    ymd +
    '020000' +
    check
  );
}

function fixedDetail(i: number, o: SampleFileOptions): string {
  const r = sampleRecord(i, o);
  const d = r.paidDate;
  const t = r.paidTime;
  const line =
    r.serial +
    SAMPLE_COM_NO +
    r.billMonth +
    ascii(r.accountNo, 20) +
    bytes(r.payerName, 64) +
    SAMPLE_BANK_NO +
    ascii(r.bankAccount, 32) +
    bytes(r.payerName, 128) +
    `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)} ${t.slice(0, 2)}:${t.slice(2, 4)}:${t.slice(4, 6)}` +
    zeros(r.amountFen, 16) +
    bytes(`电费 ${r.billMonth}`, 128) +
    bytes('杭州供电', 20) +
    r.uniqueCode;
  return o.faults?.malformedDetail === i ? line.slice(0, line.length - 10) : line;
}

/** Writes text into `buf` at `at`, within `width` bytes; the rest of the field stays spaces. */
function put(buf: Buffer, at: number, text: string, width: number, encoding: 'latin1' | 'utf8'): void {
  const n = buf.write(text, at, width, encoding);
  if (encoding === 'utf8' && n < Buffer.byteLength(text, 'utf8')) throw new Error(`sample field ${JSON.stringify(text)} is wider than ${width} bytes`);
}

/**
 * The UTF-8 fixed-width detail written straight into a Buffer (the fast path:
 * no string concatenation, padding is the pre-filled spaces). Returns the
 * offset after the line end.
 */
function fixedDetailInto(buf: Buffer, off: number, i: number, o: SampleFileOptions): number {
  const r = sampleRecord(i, o);
  const d = r.paidDate;
  const t = r.paidTime;
  buf.fill(0x20, off, off + 501);
  put(buf, off, r.serial, 24, 'latin1');
  put(buf, off + 24, SAMPLE_COM_NO, 8, 'latin1');
  put(buf, off + 32, r.billMonth, 6, 'latin1');
  put(buf, off + 38, r.accountNo, 20, 'latin1');
  put(buf, off + 58, r.payerName, 64, 'utf8');
  put(buf, off + 122, SAMPLE_BANK_NO, 4, 'latin1');
  put(buf, off + 126, r.bankAccount, 32, 'latin1');
  put(buf, off + 158, r.payerName, 128, 'utf8');
  put(buf, off + 286, `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)} ${t.slice(0, 2)}:${t.slice(2, 4)}:${t.slice(4, 6)}`, 19, 'latin1');
  put(buf, off + 305, zeros(r.amountFen, 16), 16, 'latin1');
  put(buf, off + 321, `电费 ${r.billMonth}`, 128, 'utf8');
  put(buf, off + 449, '杭州供电', 20, 'utf8');
  put(buf, off + 469, r.uniqueCode, 32, 'latin1');
  const end = off + (o.faults?.malformedDetail === i ? 491 : 501);
  buf[end] = 0x0a;
  return end + 1;
}

function delimitedHeader(o: SampleFileOptions, info: SampleTotals): string {
  const ymd = compactDate(o.date ?? '2025-03-15');
  return `${ymd}|${info.headerCount}|${info.headerSumFen}|B${ymd}${zeros(o.seq ?? 1, 3)}`;
}

function delimitedDetail(i: number, o: SampleFileOptions): string {
  const r = sampleRecord(i, o);
  const cells = [
    r.utilityRef,
    r.accountNo,
    r.paidDate,
    r.paidDate,
    r.paidTime,
    r.serial,
    r.bankAccount,
    '缴费', // payment; Chinese so that the GBK encoding is exercised (and a wrong one detected)
    zeros(r.amountFen, 12),
    '',
    r.billMonth,
  ];
  if (o.faults?.malformedDetail === i) cells.splice(8, 1);
  return cells.join('|');
}

/**
 * A sample file as a byte stream. Lines are produced only when the reader
 * asks, `linesPerChunk` at a time: UTF-8 fixed width written straight into
 * one Buffer per chunk, other cases built as text and encoded in one call
 * per chunk.
 */
export function sampleFileStream(layout: SampleLayout, options: SampleFileOptions): Readable {
  const info = sampleTotals(options);
  const perChunk = options.linesPerChunk ?? 512;
  const eol = layout === 'fixed' ? '\n' : '\r\n';
  const declared = layout === 'fixed' ? 'utf-8' : 'gbk';
  const encoding = options.faults?.wrongEncoding ? (declared === 'utf-8' ? 'gbk' : 'utf-8') : declared;
  const encode = (text: string): Buffer => (encoding === 'utf-8' ? Buffer.from(text, 'utf8') : iconv.encode(text, encoding));
  const header = layout === 'fixed' ? fixedHeader(options, info) : delimitedHeader(options, info);
  const detail = layout === 'fixed' ? fixedDetail : delimitedDetail;
  const direct = layout === 'fixed' && encoding === 'utf-8';
  let next = -1; // -1: the header is still to come
  return new Readable({
    read() {
      if (next >= options.count) {
        this.push(null);
        return;
      }
      let text = '';
      if (next === -1) {
        text = header + eol;
        next = 0;
      }
      const end = Math.min(options.count, next + perChunk);
      if (direct) {
        const buf = Buffer.allocUnsafe(text.length + (end - next) * 502);
        let off = text.length > 0 ? buf.write(text, 0, 'latin1') : 0;
        for (; next < end; next++) off = fixedDetailInto(buf, off, next, options);
        this.push(buf.subarray(0, off));
        return;
      }
      for (; next < end; next++) text += detail(next, options) + eol;
      this.push(encode(text));
    },
  });
}

/** Writes a sample file; returns its name and totals. */
export async function writeSampleFile(layout: SampleLayout, path: string, options: SampleFileOptions): Promise<SampleFileInfo> {
  await pipeline(sampleFileStream(layout, options), fs.createWriteStream(path));
  return { ...sampleTotals(options), fileName: sampleFileName(layout, options) };
}
