/** A point in WGS-84 decimal degrees. */
export interface GeoPoint {
  lat: number;
  lng: number;
}

const GPS_IFD_POINTER = 0x8825;
const GPS_LAT_REF = 1;
const GPS_LAT = 2;
const GPS_LNG_REF = 3;
const GPS_LNG = 4;
const TYPE_ASCII = 2;
const TYPE_RATIONAL = 5;
const EXIF_HEADER = Buffer.from('Exif\0\0', 'latin1');

/** A bounds-checked reader of one TIFF structure (EXIF is a TIFF): every read past the end gives null, never throws. */
class Tiff {
  constructor(
    private readonly buf: Buffer,
    private readonly little: boolean,
  ) {}
  u16(at: number): number | null {
    if (at < 0 || at + 2 > this.buf.length) return null;
    return this.little ? this.buf.readUInt16LE(at) : this.buf.readUInt16BE(at);
  }
  u32(at: number): number | null {
    if (at < 0 || at + 4 > this.buf.length) return null;
    return this.little ? this.buf.readUInt32LE(at) : this.buf.readUInt32BE(at);
  }
  ascii(at: number, count: number): string | null {
    if (at < 0 || at + count > this.buf.length) return null;
    return this.buf.toString('latin1', at, at + count).replace(/\0.*$/s, '');
  }
  /** The IFD entries at `offset`: tag → { type, count, valueAt } (valueAt: the value itself when it fits in 4 bytes). */
  ifd(offset: number): Map<number, { type: number; count: number; valueAt: number }> | null {
    const n = this.u16(offset);
    if (n === null || n > 1000) return null;
    const entries = new Map<number, { type: number; count: number; valueAt: number }>();
    for (let i = 0; i < n; i++) {
      const at = offset + 2 + i * 12;
      const tag = this.u16(at);
      const type = this.u16(at + 2);
      const count = this.u32(at + 4);
      if (tag === null || type === null || count === null) return null;
      const size = (type === TYPE_RATIONAL ? 8 : type === TYPE_ASCII ? 1 : 4) * count;
      const valueAt = size <= 4 ? at + 8 : this.u32(at + 8);
      if (valueAt === null) return null;
      entries.set(tag, { type, count, valueAt });
    }
    return entries;
  }
  /** Three RATIONALs (degrees, minutes, seconds) → decimal degrees. */
  dms(at: number): number | null {
    let value = 0;
    for (let i = 0; i < 3; i++) {
      const num = this.u32(at + i * 8);
      const den = this.u32(at + i * 8 + 4);
      if (num === null || den === null || den === 0) return null;
      value += num / den / 60 ** i;
    }
    return value;
  }
}

const ORIENTATION = 0x0112;
const TYPE_SHORT = 3;

/** The EXIF Orientation (1-8: how to turn the pixels to show them upright), or null when absent or out of range. */
export function readExifOrientation(block: Buffer): number | null {
  const tiffBuf = block.subarray(0, 6).equals(EXIF_HEADER) ? block.subarray(6) : block;
  if (tiffBuf.length < 8) return null;
  const order = tiffBuf.toString('latin1', 0, 2);
  if (order !== 'II' && order !== 'MM') return null;
  const tiff = new Tiff(tiffBuf, order === 'II');
  if (tiff.u16(2) !== 42) return null;
  const ifd0At = tiff.u32(4);
  const entry = (ifd0At === null ? null : tiff.ifd(ifd0At))?.get(ORIENTATION);
  if (!entry || entry.type !== TYPE_SHORT || entry.count !== 1) return null;
  const value = tiff.u16(entry.valueAt);
  return value !== null && value >= 1 && value <= 8 ? value : null;
}

/**
 * An EXIF block (with its `Exif\0\0` header) holding the Orientation and
 * nothing else: what a stripped phone photo keeps so that it is shown upright.
 */
export function orientationOnlyExif(orientation: number): Buffer {
  const b = Buffer.alloc(6 + 8 + 2 + 12 + 4);
  b.write('Exif\0\0', 0, 'latin1');
  b.write('MM', 6, 'latin1');
  b.writeUInt16BE(42, 8);
  b.writeUInt32BE(8, 10); // IFD0 right after the header
  b.writeUInt16BE(1, 14); // one entry
  b.writeUInt16BE(ORIENTATION, 16);
  b.writeUInt16BE(TYPE_SHORT, 18);
  b.writeUInt32BE(1, 20);
  b.writeUInt16BE(orientation, 24); // the value, left-justified in its 4 bytes
  b.writeUInt32BE(0, 28); // no next IFD
  return b;
}

/**
 * The GPS position an EXIF block (a TIFF structure, with or without the
 * `Exif\0\0` header of a JPEG APP1 segment) records, or null when it has
 * none or it is out of range. Malformed blocks give null: the photo's
 * location is a hint, never a reason to refuse it.
 */
export function readExifGps(block: Buffer): GeoPoint | null {
  const tiffBuf = block.subarray(0, 6).equals(EXIF_HEADER) ? block.subarray(6) : block;
  if (tiffBuf.length < 8) return null;
  const order = tiffBuf.toString('latin1', 0, 2);
  if (order !== 'II' && order !== 'MM') return null;
  const tiff = new Tiff(tiffBuf, order === 'II');
  if (tiff.u16(2) !== 42) return null;
  const ifd0At = tiff.u32(4);
  const ifd0 = ifd0At === null ? null : tiff.ifd(ifd0At);
  const pointer = ifd0?.get(GPS_IFD_POINTER);
  if (!pointer) return null;
  const gpsAt = tiff.u32(pointer.valueAt);
  const gps = gpsAt === null ? null : tiff.ifd(gpsAt);
  if (!gps) return null;
  const coordinate = (refTag: number, valueTag: number, negative: string, max: number): number | null => {
    const ref = gps.get(refTag);
    const value = gps.get(valueTag);
    if (!ref || !value || ref.type !== TYPE_ASCII || value.type !== TYPE_RATIONAL || value.count !== 3) return null;
    const hemisphere = tiff.ascii(ref.valueAt, ref.count)?.trim().toUpperCase();
    const degrees = tiff.dms(value.valueAt);
    if (degrees === null || degrees > max || !hemisphere) return null;
    return hemisphere === negative ? -degrees : degrees;
  };
  const lat = coordinate(GPS_LAT_REF, GPS_LAT, 'S', 90);
  const lng = coordinate(GPS_LNG_REF, GPS_LNG, 'W', 180);
  if (lat === null || lng === null) return null;
  // six decimals: about 0.1 m, more than any phone measures
  return { lat: Math.round(lat * 1e6) / 1e6, lng: Math.round(lng * 1e6) / 1e6 };
}
