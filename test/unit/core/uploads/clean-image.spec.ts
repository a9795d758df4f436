import { expect } from 'chai';
import { cleanImage } from '../../../../core/uploads/clean-image';
import { readExifGps, readExifOrientation } from '../../../../core/uploads/exif';
import { jpegSegments } from '../../../../core/uploads/jpeg';
import { MalformedImageError } from '../../../../core/uploads/malformed';
import { pngChunks } from '../../../../core/uploads/png';
import { sniffImageType } from '../../../../core/uploads/sniff';
import { webpChunks } from '../../../../core/uploads/webp';
import { bareJpeg, EOI, exifTiff, greyImageSegments, JFIF, phoneJpeg, png, PNG_SIGNATURE, pngChunk, segment, SOI, webp } from './images';

const HANGZHOU = { lat: 30.274085, lng: 120.15507 };

describe('uploads - sniffing, EXIF GPS and metadata stripping', () => {
  describe('sniffImageType', () => {
    it('uploads - tells JPEG, PNG and WebP by their first bytes, whatever else they claim', () => {
      expect(sniffImageType(bareJpeg())).to.equal('image/jpeg');
      expect(sniffImageType(png(null))).to.equal('image/png');
      expect(sniffImageType(webp(null))).to.equal('image/webp');
    });
    it('uploads - refuses GIF, PDF, HTML, SVG, an empty file and a truncated signature', () => {
      for (const text of ['GIF89a....', '%PDF-1.7', '<html><script>', '<svg xmlns="http://www.w3.org/2000/svg"/>', '', 'RIFF\0\0\0\0WAVE']) {
        expect(sniffImageType(Buffer.from(text, 'latin1')), text).to.equal(null);
      }
      expect(sniffImageType(png(null).subarray(0, 7))).to.equal(null);
    });
  });

  describe('readExifGps', () => {
    it('uploads - reads the GPS position in both byte orders and all four hemispheres', () => {
      for (const little of [true, false]) {
        expect(readExifGps(exifTiff(HANGZHOU.lat, HANGZHOU.lng, little))).to.deep.equal(HANGZHOU);
        expect(readExifGps(exifTiff(-33.8688, -151.2093, little))).to.deep.equal({ lat: -33.8688, lng: -151.2093 });
      }
    });
    it('uploads - gives null, never throws, for a block without GPS or a damaged one', () => {
      const tiff = exifTiff(HANGZHOU.lat, HANGZHOU.lng);
      expect(readExifGps(Buffer.from('II*\0\x08\0\0\0\0\0\0\0\0\0', 'latin1'))).to.equal(null);
      for (let cut = 0; cut < tiff.length; cut += 7) expect(readExifGps(tiff.subarray(0, cut)), `cut at ${cut}`).to.equal(null);
      const badOrder = Buffer.from(tiff);
      badOrder.write('XX', 0, 'latin1');
      expect(readExifGps(badOrder)).to.equal(null);
    });
  });

  describe('cleanImage', () => {
    it('uploads - a phone JPEG: GPS read from EXIF, every APPn but JFIF, the comment and the trailer dropped, image bytes unchanged', () => {
      const photo = phoneJpeg(HANGZHOU.lat, HANGZHOU.lng);
      const clean = cleanImage(photo)!;
      expect(clean.type).to.equal('image/jpeg');
      expect(clean.location).to.deep.equal(HANGZHOU);
      expect(clean.data.equals(bareJpeg()), 'exactly the bare image').to.equal(true);
      expect(jpegSegments(clean.data).map((s) => s.marker.toString(16))).to.deep.equal(['d8', 'e0', 'db', 'c0', 'c4', 'c4', 'da', 'd9']);
      for (const secret of ['Exif', 'GridbusCam', 'secret place', 'ICC_PROFILE', 'taken at home', 'trailer']) {
        expect(clean.data.toString('latin1')).to.not.contain(secret);
      }
      // the clean file has nothing left to find
      expect(cleanImage(clean.data)!.location).to.equal(null);
    });
    it("uploads - the 12-byte Adobe colour transform (APP14) is kept, a longer APP14 is not", () => {
      const adobe = segment(0xee, Buffer.from([0x41, 0x64, 0x6f, 0x62, 0x65, 0x00, 0x64, 0x00, 0x00, 0x00, 0x00, 0x02]));
      const longer = segment(0xee, Buffer.concat([Buffer.from('Adobe', 'latin1'), Buffer.alloc(20)]));
      const withAdobe = Buffer.concat([SOI, JFIF, adobe, greyImageSegments(), EOI]);
      expect(cleanImage(withAdobe)!.data.equals(withAdobe)).to.equal(true);
      expect(cleanImage(Buffer.concat([SOI, JFIF, longer, greyImageSegments(), EOI]))!.data.equals(bareJpeg())).to.equal(true);
    });
    it('uploads - a photo turned by its EXIF Orientation keeps an APP1 holding the Orientation alone (both byte orders); upright ones keep none', () => {
      for (const little of [true, false]) {
        const clean = cleanImage(phoneJpeg(HANGZHOU.lat, HANGZHOU.lng, little, 6))!;
        expect(clean.location).to.deep.equal(HANGZHOU);
        const segments = jpegSegments(clean.data);
        expect(segments.map((s) => s.marker.toString(16))).to.deep.equal(['d8', 'e0', 'e1', 'db', 'c0', 'c4', 'c4', 'da', 'd9']);
        const app1 = segments[2].payload;
        expect(readExifOrientation(app1)).to.equal(6);
        expect(readExifGps(app1)).to.equal(null);
        expect(app1.toString('latin1')).to.not.contain('GridbusCam');
        expect(app1.length).to.equal(32);
      }
      expect(cleanImage(phoneJpeg(HANGZHOU.lat, HANGZHOU.lng, true, 1))!.data.equals(bareJpeg())).to.equal(true);
      expect(readExifOrientation(exifTiff(1, 1, true, 9)), 'out of range').to.equal(null);
    });
    it('uploads - a big-endian (Motorola) EXIF is read too', () => {
      expect(cleanImage(phoneJpeg(39.9042, 116.4074, false))!.location).to.deep.equal({ lat: 39.9042, lng: 116.4074 });
    });
    it('uploads - metadata after the first scan and stuffed or restart bytes in the scan are handled', () => {
      const scan = Buffer.from([0x12, 0xff, 0x00, 0x34, 0xff, 0xd0, 0x56]);
      const sos = segment(0xda, Buffer.from([1, 1, 0x00, 0, 63, 0]));
      const late = segment(0xfe, Buffer.from('late comment', 'latin1'));
      const sof2 = segment(0xc2, Buffer.from([8, 0, 8, 0, 8, 1, 1, 0x11, 0]));
      const photo = Buffer.concat([SOI, JFIF, sof2, sos, scan, late, sos, scan, EOI]);
      const clean = cleanImage(photo)!;
      expect(clean.data.equals(Buffer.concat([SOI, JFIF, sof2, sos, scan, sos, scan, EOI]))).to.equal(true);
    });
    it('uploads - a truncated or corrupt JPEG is refused as malformed', () => {
      const photo = phoneJpeg(HANGZHOU.lat, HANGZHOU.lng);
      for (const cut of [3, 10, 40, photo.length - 40 - 'trailer-with-metadata'.length]) {
        expect(() => cleanImage(photo.subarray(0, cut)), `cut at ${cut}`).to.throw(MalformedImageError);
      }
      const lying = Buffer.concat([SOI, Buffer.from([0xff, 0xe1, 0xff, 0xff, 0x00])]);
      expect(() => cleanImage(lying)).to.throw(MalformedImageError, /runs past the end/);
      expect(() => cleanImage(Buffer.concat([SOI, JFIF, Buffer.from('not a marker')]))).to.throw(MalformedImageError, /no marker/);
      // metadata dressed as a JPEG: markers that hold together, but no frame and no scan
      expect(() => cleanImage(Buffer.concat([SOI, JFIF, segment(0xfe, Buffer.from('hello')), EOI]))).to.throw(MalformedImageError, /not an image/);
    });
    it('uploads - a PNG keeps its pixels and rendering chunks, loses tEXt, iTXt, tIME and eXIf (GPS read first)', () => {
      const clean = cleanImage(png(HANGZHOU))!;
      expect(clean.type).to.equal('image/png');
      expect(clean.location).to.deep.equal(HANGZHOU);
      expect(clean.data.equals(png(null))).to.equal(true);
      expect(pngChunks(clean.data).map((c) => c.type)).to.deep.equal(['IHDR', 'sRGB', 'IDAT', 'IEND']);
      expect(() => cleanImage(png(null).subarray(0, 30))).to.throw(MalformedImageError);
      const noPixels = Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', png(null).subarray(16, 29)), pngChunk('IEND', Buffer.alloc(0))]);
      expect(() => cleanImage(noPixels)).to.throw(MalformedImageError, /IDAT/);
    });
    it('uploads - a WebP loses its EXIF and XMP chunks and flags, its RIFF size rewritten', () => {
      const clean = cleanImage(webp(HANGZHOU))!;
      expect(clean.type).to.equal('image/webp');
      expect(clean.location).to.deep.equal(HANGZHOU);
      expect(clean.data.equals(webp(null))).to.equal(true);
      expect(webpChunks(clean.data).map((c) => c.fourcc)).to.deep.equal(['VP8X', 'VP8L']);
      expect(clean.data.readUInt32LE(4)).to.equal(clean.data.length - 8);
    });
    it('uploads - anything that is not JPEG, PNG or WebP gives null', () => {
      expect(cleanImage(Buffer.from('GIF89a'))).to.equal(null);
      expect(cleanImage(Buffer.concat([greyImageSegments()]))).to.equal(null);
    });
  });
});
