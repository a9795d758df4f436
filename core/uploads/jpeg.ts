import { GeoPoint, orientationOnlyExif, readExifGps, readExifOrientation } from './exif';
import { MalformedImageError } from './malformed';

const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;
const APP0 = 0xe0;
const APP1 = 0xe1;
const APP15 = 0xef;
const COM = 0xfe;

/** One marker segment of a JPEG: `start` is its 0xFF, `end` is past its payload (and past the scan data after an SOS). */
export interface JpegSegment {
  marker: number;
  start: number;
  end: number;
  /** The payload after the 2-byte length (empty for markers without one). */
  payload: Buffer;
}

/** SOF0..SOF15 but DHT (C4), JPG (C8) and DAC (CC). */
const isFrameHeader = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

/** Markers that stand alone (no length): TEM and the restart markers. */
const standalone = (m: number) => m === 0x01 || (m >= 0xd0 && m <= 0xd7);

/** Past the entropy-coded data that follows an SOS: up to the next marker that is neither stuffing (FF 00) nor a restart. */
function endOfScan(data: Buffer, from: number): number {
  for (let i = from; i < data.length - 1; i++) {
    if (data[i] !== 0xff) continue;
    const next = data[i + 1];
    if (next === 0x00 || next === 0xff || standalone(next)) continue;
    return i;
  }
  throw new MalformedImageError('JPEG', 'the image data ends before its end marker');
}

/**
 * The segments of a JPEG from SOI to EOI (anything after EOI is not part of
 * the image and is dropped). Throws MalformedImageError on a broken structure.
 */
export function jpegSegments(data: Buffer): JpegSegment[] {
  if (data.length < 4 || data[0] !== 0xff || data[1] !== SOI) throw new MalformedImageError('JPEG', 'no start-of-image marker');
  const segments: JpegSegment[] = [{ marker: SOI, start: 0, end: 2, payload: Buffer.alloc(0) }];
  let at = 2;
  for (;;) {
    if (at >= data.length || data[at] !== 0xff) throw new MalformedImageError('JPEG', `no marker at byte ${at}`);
    const start = at;
    while (at < data.length && data[at] === 0xff) at++; // fill bytes
    if (at >= data.length) throw new MalformedImageError('JPEG', 'the file ends inside a marker');
    const marker = data[at++];
    if (marker === EOI) {
      segments.push({ marker, start, end: at, payload: Buffer.alloc(0) });
      // an image has a frame header and a scan: without them it is metadata dressed as a JPEG
      if (!segments.some((s) => isFrameHeader(s.marker)) || !segments.some((s) => s.marker === SOS)) throw new MalformedImageError('JPEG', 'no frame header or no scan: not an image');
      return segments;
    }
    if (standalone(marker)) {
      segments.push({ marker, start, end: at, payload: Buffer.alloc(0) });
      continue;
    }
    if (at + 2 > data.length) throw new MalformedImageError('JPEG', 'the file ends inside a segment length');
    const length = data.readUInt16BE(at);
    if (length < 2 || at + length > data.length) throw new MalformedImageError('JPEG', `segment 0x${marker.toString(16)} runs past the end of the file`);
    const payload = data.subarray(at + 2, at + length);
    at += length;
    if (marker === SOS) at = endOfScan(data, at);
    segments.push({ marker, start, end: at, payload });
  }
}

/** Segments that carry metadata rather than image: APP1..APP15 (EXIF, XMP, ICC, Photoshop/IPTC, ...) and comments. */
export const isJpegMetadata = (marker: number) => (marker >= APP1 && marker <= APP15) || marker === COM;

/** The GPS position of the first EXIF APP1 segment, if any. */
export function jpegGps(segments: readonly JpegSegment[]): GeoPoint | null {
  for (const s of segments) {
    if (s.marker !== APP1 || s.payload.toString('latin1', 0, 6) !== 'Exif\0\0') continue;
    const point = readExifGps(s.payload);
    if (point) return point;
  }
  return null;
}

const APP14 = 0xee;

/**
 * APP14 "Adobe" of exactly its 12 bytes (version, flags, colour transform) is
 * kept: it says how to read a CMYK/YCCK image's colours and carries nothing
 * else. Any longer APP14 is dropped with the rest.
 */
const isAdobeTransform = (s: JpegSegment) => s.marker === APP14 && s.payload.length === 12 && s.payload.toString('latin1', 0, 5) === 'Adobe';

/** The Orientation of the first EXIF APP1 segment that has one. */
function jpegOrientation(segments: readonly JpegSegment[]): number | null {
  for (const s of segments) {
    if (s.marker !== APP1 || s.payload.toString('latin1', 0, 6) !== 'Exif\0\0') continue;
    const o = readExifOrientation(s.payload);
    if (o !== null) return o;
  }
  return null;
}

/**
 * The JPEG without its metadata segments: APP0/JFIF, the Adobe colour
 * transform and every image segment kept, bytes unchanged. A phone photo
 * turned by its EXIF Orientation gets a new APP1 holding that alone (after
 * APP0), or it would be shown on its side.
 */
export function stripJpeg(data: Buffer, segments: readonly JpegSegment[]): Buffer {
  const kept = segments.filter((s) => !isJpegMetadata(s.marker) || s.marker === APP0 || isAdobeTransform(s)).map((s) => data.subarray(s.start, s.end));
  const orientation = jpegOrientation(segments);
  if (orientation !== null && orientation !== 1) {
    const payload = orientationOnlyExif(orientation);
    const app1 = Buffer.concat([Buffer.from([0xff, APP1, 0, 0]), payload]);
    app1.writeUInt16BE(payload.length + 2, 2);
    const afterApp0 = segments[1]?.marker === APP0 ? 2 : 1;
    kept.splice(afterApp0, 0, app1);
  }
  return Buffer.concat(kept);
}
