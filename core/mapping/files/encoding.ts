/**
 * Text decoding for file layouts: UTF-8 by Node (native), GBK and GB18030 by
 * iconv-lite, plain-ASCII regions by the native latin1 path whatever the
 * declared encoding.
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

/** Text in the file's encoding (for prefixes compared with raw bytes). */
export function encodeText(text: string, encoding: FileEncoding): Buffer {
  return encoding === 'utf-8' ? Buffer.from(text, 'utf8') : iconv.encode(text, encoding);
}
