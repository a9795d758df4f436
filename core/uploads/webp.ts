import { GeoPoint, readExifGps } from './exif';
import { MalformedImageError } from './malformed';

export interface RiffChunk {
  fourcc: string;
  start: number;
  end: number;
  data: Buffer;
}

const VP8X_EXIF = 0x08;
const VP8X_XMP = 0x04;

/** The chunks of a WebP (RIFF) file; throws MalformedImageError on a broken structure. */
export function webpChunks(data: Buffer): RiffChunk[] {
  const riffEnd = 8 + data.readUInt32LE(4);
  if (riffEnd > data.length || riffEnd < 12) throw new MalformedImageError('WebP', 'the RIFF size does not fit the file');
  const chunks: RiffChunk[] = [];
  let at = 12;
  while (at < riffEnd) {
    if (at + 8 > riffEnd) throw new MalformedImageError('WebP', `chunk at byte ${at} is truncated`);
    const fourcc = data.toString('latin1', at, at + 4);
    const size = data.readUInt32LE(at + 4);
    const end = at + 8 + size + (size % 2); // chunks are padded to an even size
    if (end > riffEnd + (size % 2)) throw new MalformedImageError('WebP', `chunk ${fourcc} runs past the end of the file`);
    chunks.push({ fourcc, start: at, end: Math.min(end, riffEnd), data: data.subarray(at + 8, at + 8 + size) });
    at = end;
  }
  if (!chunks.some((c) => c.fourcc === 'VP8 ' || c.fourcc === 'VP8L' || c.fourcc === 'VP8X')) throw new MalformedImageError('WebP', 'no image chunk');
  return chunks;
}

export function webpGps(chunks: readonly RiffChunk[]): GeoPoint | null {
  const exif = chunks.find((c) => c.fourcc === 'EXIF');
  return exif ? readExifGps(exif.data) : null;
}

/** Without its EXIF and XMP chunks, the VP8X flags saying so and the RIFF size rewritten. */
export function stripWebp(data: Buffer, chunks: readonly RiffChunk[]): Buffer {
  const kept = chunks.filter((c) => c.fourcc !== 'EXIF' && c.fourcc !== 'XMP ').map((c) => Buffer.from(data.subarray(c.start, c.end)));
  for (const chunk of kept) {
    if (chunk.toString('latin1', 0, 4) === 'VP8X' && chunk.length > 8) chunk[8] &= ~(VP8X_EXIF | VP8X_XMP);
  }
  const body = Buffer.concat(kept);
  const header = Buffer.alloc(12);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(body.length + 4, 4);
  header.write('WEBP', 8, 'latin1');
  return Buffer.concat([header, body]);
}
