import { deflateSync } from 'zlib';

/**
 * Real image files built byte by byte for the upload tests: a baseline JPEG
 * that decoders read (8x8 grey: one block whose DC and AC codes are single
 * bits), EXIF blocks with a GPS position in either byte order, a PNG with
 * correct CRCs, and a WebP container.
 */

const u16 = (n: number, little = false) => {
  const b = Buffer.alloc(2);
  little ? b.writeUInt16LE(n) : b.writeUInt16BE(n);
  return b;
};
const u32 = (n: number, little = false) => {
  const b = Buffer.alloc(4);
  little ? b.writeUInt32LE(n) : b.writeUInt32BE(n);
  return b;
};

/** A JPEG marker segment: FF marker, length, payload. */
export const segment = (marker: number, payload: Buffer) => Buffer.concat([Buffer.from([0xff, marker]), u16(payload.length + 2), payload]);

export const JFIF = segment(0xe0, Buffer.from([0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]));

/** The image segments of an 8x8 grey baseline JPEG (DQT, SOF0, two DHT, SOS and its one-byte scan). */
export function greyImageSegments(): Buffer {
  const dqt = segment(0xdb, Buffer.concat([Buffer.from([0x00]), Buffer.alloc(64, 1)]));
  const sof0 = segment(0xc0, Buffer.from([8, 0, 8, 0, 8, 1, 1, 0x11, 0]));
  const bits = (n: number) => Buffer.concat([Buffer.from([n]), Buffer.alloc(15, 0)]);
  // DC table 0 and AC table 0: one code ("0") each, for category 0 and for end-of-block
  const dhtDc = segment(0xc4, Buffer.concat([Buffer.from([0x00]), bits(1), Buffer.from([0x00])]));
  const dhtAc = segment(0xc4, Buffer.concat([Buffer.from([0x10]), bits(1), Buffer.from([0x00])]));
  const sos = segment(0xda, Buffer.from([1, 1, 0x00, 0, 63, 0]));
  // DC "0" + EOB "0", padded with ones
  return Buffer.concat([dqt, sof0, dhtDc, dhtAc, sos, Buffer.from([0x3f])]);
}

export const SOI = Buffer.from([0xff, 0xd8]);
export const EOI = Buffer.from([0xff, 0xd9]);

/** The bare JPEG: what a stripped photo must equal byte for byte. */
export const bareJpeg = () => Buffer.concat([SOI, JFIF, greyImageSegments(), EOI]);

/** Degrees → the three RATIONALs of EXIF (d/1, m/1, s*100/100). */
function dms(value: number): Array<[number, number]> {
  const abs = Math.abs(value);
  const d = Math.floor(abs);
  const m = Math.floor((abs - d) * 60);
  const s = Math.round(((abs - d) * 60 - m) * 60 * 10000);
  return [[d, 1], [m, 1], [s, 10000]];
}

/** A TIFF structure (EXIF) with IFD0 → GPS IFD holding latitude and longitude, plus a camera make and a date. */
export function exifTiff(lat: number, lng: number, little = true, orientation: number | null = null): Buffer {
  const le = little;
  const ifd0Count = orientation === null ? 3 : 4;
  // layout: header(8) | IFD0 (2 + n*12 + 4) | GPS IFD (2 + 4*12 + 4) | make string | lat rationals | lng rationals
  const ifd0At = 8;
  const gpsAt = ifd0At + 2 + ifd0Count * 12 + 4;
  const makeAt = gpsAt + 2 + 4 * 12 + 4;
  const make = Buffer.from('GridbusCam\0', 'latin1');
  const latAt = makeAt + make.length + (make.length % 2);
  const lngAt = latAt + 24;
  const entry = (tag: number, type: number, count: number, value: Buffer) => Buffer.concat([u16(tag, le), u16(type, le), u32(count, le), value]);
  const inline = (s: string) => Buffer.concat([Buffer.from(s, 'latin1'), Buffer.alloc(4 - s.length)]);
  const rationals = (v: Array<[number, number]>) => Buffer.concat(v.flatMap(([n, d]) => [u32(n, le), u32(d, le)]));
  const ifd0 = Buffer.concat([
    u16(ifd0Count, le),
    entry(0x010f, 2, make.length, u32(makeAt, le)), // Make
    ...(orientation === null ? [] : [entry(0x0112, 3, 1, Buffer.concat([u16(orientation, le), Buffer.alloc(2)]))]), // Orientation
    entry(0x0132, 2, 4, inline('2026')), // DateTime (short, inline)
    entry(0x8825, 4, 1, u32(gpsAt, le)), // GPSInfo pointer
    u32(0, le),
  ]);
  const gps = Buffer.concat([
    u16(4, le),
    entry(1, 2, 2, inline(lat < 0 ? 'S' : 'N')),
    entry(2, 5, 3, u32(latAt, le)),
    entry(3, 2, 2, inline(lng < 0 ? 'W' : 'E')),
    entry(4, 5, 3, u32(lngAt, le)),
    u32(0, le),
  ]);
  const header = Buffer.concat([Buffer.from(le ? 'II' : 'MM', 'latin1'), u16(42, le), u32(ifd0At, le)]);
  return Buffer.concat([header, ifd0, gps, make, Buffer.alloc(make.length % 2), rationals(dms(lat)), rationals(dms(lng))]);
}

/** An APP1 EXIF segment. */
export const exifSegment = (lat: number, lng: number, little = true, orientation: number | null = null) =>
  segment(0xe1, Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), exifTiff(lat, lng, little, orientation)]));

/** A phone's JPEG: JFIF, EXIF with GPS, XMP, an ICC profile, a comment, the image, then trailing bytes after EOI. */
export function phoneJpeg(lat: number, lng: number, little = true, orientation: number | null = null): Buffer {
  const xmp = segment(0xe1, Buffer.from('http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>secret place</x:xmpmeta>', 'latin1'));
  const icc = segment(0xe2, Buffer.from('ICC_PROFILE\0\x01\x01profile', 'latin1'));
  const com = segment(0xfe, Buffer.from('taken at home', 'latin1'));
  return Buffer.concat([SOI, JFIF, exifSegment(lat, lng, little, orientation), xmp, icc, com, greyImageSegments(), EOI, Buffer.from('trailer-with-metadata', 'latin1')]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
export const pngChunk = (type: string, data: Buffer) => {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  return Buffer.concat([u32(data.length), body, u32(crc32(body))]);
};
export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A 1x1 red PNG; with `metadata`, also tEXt, iTXt, tIME and eXIf (GPS) chunks. */
export function png(metadata: { lat: number; lng: number } | null): Buffer {
  const ihdr = pngChunk('IHDR', Buffer.concat([u32(1), u32(1), Buffer.from([8, 2, 0, 0, 0])]));
  const idat = pngChunk('IDAT', deflateSync(Buffer.from([0, 255, 0, 0])));
  const extra = metadata
    ? [
        pngChunk('tEXt', Buffer.from('Author\0someone', 'latin1')),
        pngChunk('iTXt', Buffer.from('Comment\0\0\0\0\0at home', 'latin1')),
        pngChunk('tIME', Buffer.from([0x07, 0xea, 12, 5, 8, 0, 0])),
        pngChunk('eXIf', exifTiff(metadata.lat, metadata.lng, false)),
      ]
    : [];
  return Buffer.concat([PNG_SIGNATURE, ihdr, pngChunk('sRGB', Buffer.from([0])), ...extra, idat, pngChunk('IEND', Buffer.alloc(0))]);
}

const riffChunk = (fourcc: string, data: Buffer) => Buffer.concat([Buffer.from(fourcc, 'latin1'), u32(data.length, true), data, Buffer.alloc(data.length % 2)]);

/** An extended WebP (VP8X + VP8L); with `metadata`, EXIF (GPS) and XMP chunks and their VP8X flags. */
export function webp(metadata: { lat: number; lng: number } | null): Buffer {
  const flags = metadata ? 0x08 | 0x04 : 0;
  const vp8x = riffChunk('VP8X', Buffer.from([flags, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
  const vp8l = riffChunk('VP8L', Buffer.from([0x2f, 0, 0, 0, 0x10, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xfe, 0x07, 0x00]));
  const extra = metadata ? [riffChunk('EXIF', exifTiff(metadata.lat, metadata.lng)), riffChunk('XMP ', Buffer.from('<x:xmpmeta>odd</x:xmpmeta>', 'latin1'))] : [];
  const body = Buffer.concat([Buffer.from('WEBP', 'latin1'), vp8x, vp8l, ...extra]);
  return Buffer.concat([Buffer.from('RIFF', 'latin1'), u32(body.length, true), body]);
}
