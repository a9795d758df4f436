import { GeoPoint } from './exif';
import { jpegGps, jpegSegments, stripJpeg } from './jpeg';
import { pngChunks, pngGps, stripPng } from './png';
import { ImageType, sniffImageType } from './sniff';
import { stripWebp, webpChunks, webpGps } from './webp';

/** A photo as it is stored: its sniffed type, its bytes without metadata, and the GPS position its EXIF held. */
export interface CleanImage {
  type: ImageType;
  data: Buffer;
  location: GeoPoint | null;
}

/**
 * Sniffs a photo's type from its bytes, reads its EXIF GPS position and
 * strips every metadata block. null: not a JPEG, PNG or WebP. Throws
 * MalformedImageError when the bytes claim one of them but do not hold together.
 */
export function cleanImage(data: Buffer): CleanImage | null {
  const type = sniffImageType(data);
  switch (type) {
    case 'image/jpeg': {
      const segments = jpegSegments(data);
      return { type, data: stripJpeg(data, segments), location: jpegGps(segments) };
    }
    case 'image/png': {
      const chunks = pngChunks(data);
      return { type, data: stripPng(data, chunks), location: pngGps(chunks) };
    }
    case 'image/webp': {
      const chunks = webpChunks(data);
      return { type, data: stripWebp(data, chunks), location: webpGps(chunks) };
    }
    default:
      return null;
  }
}
