/**
 * Text decoding for file layouts: UTF-8 by Node (native), GBK and GB18030 by
 * iconv-lite, plain-ASCII regions by the native latin1 path whatever the
 * declared encoding.
 *
 * Fixed widths in bytes are applied to the decoded line by counting the
 * encoded length of each character: computed for UTF-8, looked up (and
 * cached per character) for GBK / GB18030.
 */
import { isAscii } from 'buffer';
import * as iconv from 'iconv-lite';
import { FileEncoding } from './layout-definition';

/**
 * Decodes `buf[start, end)`, which must end on a whole character (the parser
 * cuts after a line end). Plain ASCII takes the native latin1 path in every
 * encoding. Invalid sequences come out as U+FFFD, which the parser refuses.
 */
export function decodeLines(buf: Buffer, start: number, end: number, encoding: FileEncoding): string {
  const region = start === 0 && end === buf.length ? buf : buf.subarray(start, end);
  if (isAscii(region)) return region.toString('latin1');
  if (encoding === 'utf-8') return region.toString('utf8');
  return iconv.decode(region, encoding, { stripBOM: false });
}

const tables = new Map<FileEncoding, Uint8Array>();

/**
 * Encoded length per UTF-16 code unit (index = char code; 0 = not yet known).
 * Surrogates count 2 each: a character outside the BMP is 4 bytes in UTF-8
 * and GB18030 (GBK cannot encode it at all).
 */
export function byteLengthTable(encoding: FileEncoding): Uint8Array {
  let t = tables.get(encoding);
  if (!t) {
    t = new Uint8Array(0x10000);
    for (let c = 0; c < 0x80; c++) t[c] = 1;
    for (let c = 0xd800; c < 0xe000; c++) t[c] = 2;
    tables.set(encoding, t);
  }
  return t;
}

/** Fills one entry of a GBK / GB18030 table by encoding the character. */
export function learnByteLength(table: Uint8Array, encoding: FileEncoding, code: number): number {
  const n = iconv.encode(String.fromCharCode(code), encoding).length;
  table[code] = n;
  return n;
}

/** Encoded length of a UTF-16 code unit in UTF-8 (surrogates 2 each). */
export function utf8Length(c: number): number {
  return c < 0x80 ? 1 : c < 0x800 ? 2 : (c & 0xf800) === 0xd800 ? 2 : 3;
}
