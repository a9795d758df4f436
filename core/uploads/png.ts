import { GeoPoint, readExifGps } from './exif';
import { MalformedImageError } from './malformed';

export interface PngChunk {
  type: string;
  start: number;
  end: number;
  data: Buffer;
}

/**
 * Chunks kept in a stored PNG: the critical ones and those that only say how
 * to render the pixels. Everything else goes: tEXt/zTXt/iTXt (free text),
 * eXIf, tIME, iCCP names and any private chunk.
 */
const KEPT = new Set(['IHDR', 'PLTE', 'IDAT', 'IEND', 'tRNS', 'gAMA', 'cHRM', 'sRGB', 'sBIT', 'bKGD', 'pHYs']);

/** The chunks of a PNG up to IEND; throws MalformedImageError on a broken structure. */
export function pngChunks(data: Buffer): PngChunk[] {
  const chunks: PngChunk[] = [];
  let at = 8;
  for (;;) {
    if (at + 12 > data.length) throw new MalformedImageError('PNG', 'the file ends before its IEND chunk');
    const length = data.readUInt32BE(at);
    const type = data.toString('latin1', at + 4, at + 8);
    const end = at + 12 + length;
    if (!/^[A-Za-z]{4}$/.test(type) || end > data.length) throw new MalformedImageError('PNG', `chunk at byte ${at} runs past the end of the file`);
    chunks.push({ type, start: at, end, data: data.subarray(at + 8, at + 8 + length) });
    if (chunks.length === 1 && type !== 'IHDR') throw new MalformedImageError('PNG', 'the first chunk is not IHDR');
    if (type === 'IEND') {
      if (!chunks.some((c) => c.type === 'IDAT')) throw new MalformedImageError('PNG', 'no image data (IDAT)');
      return chunks;
    }
    at = end;
  }
}

export function pngGps(chunks: readonly PngChunk[]): GeoPoint | null {
  const exif = chunks.find((c) => c.type === 'eXIf');
  return exif ? readExifGps(exif.data) : null;
}

export function stripPng(data: Buffer, chunks: readonly PngChunk[]): Buffer {
  return Buffer.concat([data.subarray(0, 8), ...chunks.filter((c) => KEPT.has(c.type)).map((c) => data.subarray(c.start, c.end))]);
}
