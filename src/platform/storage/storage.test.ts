import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { pixelBomb } from '../../test-support/images.js';
import { IMAGE_LIMITS, LocalBlobStore, processImage, sniffImage } from './index.js';

// ---- helpers ---------------------------------------------------------------------------------

async function rejection(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected a rejection');
}

/** Reads GPSLatitudeRef and GPSLatitude (as [deg, min, sec]) from a sharp `metadata().exif` buffer. */
function readGpsLatitude(exif: Buffer): { ref: string; lat: number[] } | null {
  const tiff = exif.subarray(exif.toString('latin1', 0, 4) === 'Exif' ? 6 : 0);
  const le = tiff.toString('latin1', 0, 2) === 'II';
  const u16 = (o: number) => (le ? tiff.readUInt16LE(o) : tiff.readUInt16BE(o));
  const u32 = (o: number) => (le ? tiff.readUInt32LE(o) : tiff.readUInt32BE(o));
  const entries = (ifd: number) =>
    Array.from({ length: u16(ifd) }, (_, i) => ifd + 2 + i * 12).map((e) => ({ tag: u16(e), count: u32(e + 4), at: e + 8 }));
  const gpsPtr = entries(u32(4)).find((e) => e.tag === 0x8825);
  if (!gpsPtr) return null;
  const gps = entries(u32(gpsPtr.at));
  const ref = gps.find((e) => e.tag === 0x0001);
  const lat = gps.find((e) => e.tag === 0x0002);
  if (!ref || !lat) return null;
  const off = u32(lat.at);
  return {
    ref: tiff.toString('latin1', ref.at, ref.at + 1),
    lat: [0, 1, 2].map((i) => u32(off + i * 8) / u32(off + i * 8 + 4)),
  };
}

const GPS = {
  IFD0: { Make: 'SecretCam' },
  IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '30/1 15/1 0/1', GPSLongitudeRef: 'E', GPSLongitude: '120/1 10/1 0/1' },
};
const XMP =
  '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
  '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>Zhang San</dc:creator>' +
  '</rdf:Description></rdf:RDF></x:xmpmeta>';

/** Raw RGB pixels: left half red, right half blue. */
function halves(width: number, height: number): Buffer {
  const px = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      if (x < width / 2) px[i] = 255;
      else px[i + 2] = 255;
    }
  }
  return px;
}

const solid = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: { r: 40, g: 160, b: 90 } } });

// ---- images ----------------------------------------------------------------------------------

describe('sniffImage', () => {
  it('recognises JPEG, PNG and WebP by magic bytes only', () => {
    expect(sniffImage(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
    expect(sniffImage(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe('image/png');
    expect(sniffImage(Buffer.from('RIFF\x10\x00\x00\x00WEBPVP8 ', 'latin1'))).toBe('image/webp');
    expect(sniffImage(Buffer.from('RIFF\x10\x00\x00\x00WAVEfmt ', 'latin1'))).toBeNull();
    expect(sniffImage(Buffer.from('GIF89a....'))).toBeNull();
    expect(sniffImage(Buffer.from('%PDF-1.7\n'))).toBeNull();
    expect(sniffImage(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
    expect(sniffImage(Buffer.from([0xff, 0xd8]))).toBeNull();
    expect(sniffImage(Buffer.from([0x89, 0x50, 0x4e, 0x47]))).toBeNull();
    expect(sniffImage(Buffer.alloc(0))).toBeNull();
  });
});

describe('processImage', () => {
  it('keeps GPS in the original but strips all metadata from public and thumbnail, applying orientation', async () => {
    const input = await sharp(halves(200, 100), { raw: { width: 200, height: 100, channels: 3 } })
      .jpeg({ quality: 95 })
      .withExif(GPS)
      .withMetadata({ orientation: 6 })
      .withXmp(XMP)
      .toBuffer();
    const inMeta = await sharp(input).metadata();
    expect([inMeta.width, inMeta.height, inMeta.orientation]).toEqual([200, 100, 6]);

    const out = await processImage(input);
    expect(out.mime).toBe('image/jpeg');
    expect([out.width, out.height, out.bytes]).toEqual([100, 200, input.length]);
    expect(out.original.equals(input)).toBe(true);

    const orig = await sharp(out.original).metadata();
    expect(orig.exif).toBeInstanceOf(Buffer);
    expect(readGpsLatitude(orig.exif!)).toEqual({ ref: 'N', lat: [30, 15, 0] });
    expect(orig.xmp).toBeInstanceOf(Buffer);

    const pub = await sharp(out.public).metadata();
    expect(pub.format).toBe('jpeg');
    expect([pub.width, pub.height]).toEqual([100, 200]);
    for (const m of [pub, await sharp(out.thumbnail).metadata()]) {
      expect(m.exif).toBeUndefined();
      expect(m.xmp).toBeUndefined();
      expect(m.iptc).toBeUndefined();
      expect(m.orientation).toBeUndefined();
    }
    for (const buf of [out.public, out.thumbnail]) {
      expect(buf.includes('SecretCam')).toBe(false);
      expect(buf.includes('Zhang San')).toBe(false);
    }

    // Orientation 6 = rotate 90° clockwise: the stored left (red) half ends up on top.
    const { data } = await sharp(out.public).raw().toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number) => [...data.subarray((y * 100 + x) * 3, (y * 100 + x) * 3 + 3)];
    const [tr, , tb] = at(50, 20);
    const [br, , bb] = at(50, 180);
    expect(tr).toBeGreaterThan(200);
    expect(tb).toBeLessThan(60);
    expect(br).toBeLessThan(60);
    expect(bb).toBeGreaterThan(200);

    const thumb = await sharp(out.thumbnail).metadata();
    expect(thumb.format).toBe('webp');
    expect([thumb.width, thumb.height]).toEqual([100, 200]);
  });

  it('accepts PNG, strips its EXIF and limits the public copy to 2048 px and the thumbnail to 320 px', async () => {
    const input = await solid(3000, 1000).png().withExif(GPS).toBuffer();
    expect(readGpsLatitude((await sharp(input).metadata()).exif!)).toEqual({ ref: 'N', lat: [30, 15, 0] });

    const out = await processImage(input);
    expect(out.mime).toBe('image/png');
    expect([out.width, out.height]).toEqual([3000, 1000]);
    const pub = await sharp(out.public).metadata();
    expect([pub.format, pub.width, pub.height, pub.exif]).toEqual(['png', 2048, 683, undefined]);
    const thumb = await sharp(out.thumbnail).metadata();
    expect([thumb.format, thumb.width, thumb.height, thumb.exif]).toEqual(['webp', 320, 107, undefined]);
    expect(Math.max(thumb.width, thumb.height)).toBeLessThanOrEqual(IMAGE_LIMITS.thumbnailSize);
  });

  it('accepts WebP and strips its EXIF', async () => {
    const input = await solid(500, 400).webp().withExif(GPS).toBuffer();
    expect((await sharp(input).metadata()).exif).toBeInstanceOf(Buffer);

    const out = await processImage(input);
    expect(out.mime).toBe('image/webp');
    expect([out.width, out.height, out.bytes]).toEqual([500, 400, input.length]);
    const pub = await sharp(out.public).metadata();
    expect([pub.format, pub.width, pub.height, pub.exif, pub.xmp]).toEqual(['webp', 500, 400, undefined, undefined]);
    const thumb = await sharp(out.thumbnail).metadata();
    expect([thumb.format, thumb.width, thumb.height, thumb.exif]).toEqual(['webp', 320, 256, undefined]);
  });

  it('rejects what is not JPEG, PNG or WebP by its bytes', async () => {
    const gif = await solid(10, 10).gif().toBuffer();
    const tiff = await solid(10, 10).tiff().toBuffer();
    const noise = randomBytes(2000);
    noise[0] = 0x00;
    const cases = [
      gif,
      tiff,
      Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj\n<< /Type /Catalog >>\nendobj\n'),
      noise,
      Buffer.from('this is a text file named photo.jpg\n'),
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'),
    ];
    for (const bytes of cases) {
      const err = await rejection(processImage(bytes, 'photos[0]'));
      expect(err.code).toBe('INVALID_DATA');
      expect(err.field).toBe('photos[0]');
      expect(err.text).toEqual({ zh: '只支持 JPEG、PNG、WebP 格式的图片', en: 'Only JPEG, PNG and WebP images are accepted' });
    }
  });

  it('rejects damaged images that sniff right', async () => {
    const px = randomBytes(400 * 300 * 3);
    const jpeg = await sharp(px, { raw: { width: 400, height: 300, channels: 3 } }).jpeg().toBuffer();
    const png = await solid(50, 50).png().toBuffer();
    const cases = [
      jpeg.subarray(0, Math.floor(jpeg.length / 2)), // truncated in the middle of the scan data
      jpeg.subarray(0, 40), // truncated in the header
      Buffer.concat([png.subarray(0, 8), randomBytes(500)]), // PNG signature, then garbage
      Buffer.concat([Buffer.from('RIFF\x00\x10\x00\x00WEBPVP8 ', 'latin1'), randomBytes(500)]),
    ];
    for (const bytes of cases) {
      const err = await rejection(processImage(bytes));
      expect(err.code).toBe('INVALID_DATA');
      expect(err.field).toBe('photo');
      expect(err.text.en).toBe('The image is damaged or incomplete and cannot be read');
      expect(err.text.zh).toBe('图片已损坏或不完整，无法读取');
    }
  });

  it('rejects empty and oversized uploads naming the 10 MB limit', async () => {
    const empty = await rejection(processImage(Buffer.alloc(0)));
    expect([empty.code, empty.field]).toEqual(['PAYLOAD_TOO_LARGE', 'photo']);
    expect(empty.text.en).toContain('10 MB');
    expect(empty.text.zh).toContain('10 MB');

    const big = Buffer.alloc(IMAGE_LIMITS.maxBytes + 1);
    Buffer.from([0xff, 0xd8, 0xff]).copy(big);
    const err = await rejection(processImage(big, 'evidence'));
    expect([err.code, err.field]).toEqual(['PAYLOAD_TOO_LARGE', 'evidence']);
    expect(err.text).toEqual({ zh: '图片不能超过 10 MB', en: 'The image must be at most 10 MB' });
  });

  it('rejects a decompression bomb before decoding it', async () => {
    const bomb = pixelBomb(20_000);
    expect(bomb.length).toBeLessThan(100_000);
    const meta = await sharp(bomb, { limitInputPixels: false }).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 20_000, 20_000]);

    // refused from the header's dimensions (sharp's pixel limit is checked before any decoding);
    // how fast is a benchmark's question, not this test's
    const err = await rejection(processImage(bomb));
    expect(err.code).toBe('INVALID_DATA');
    expect(err.field).toBe('photo');
    expect(err.text.en).toBe('The image has too many pixels (at most 50 megapixels)');
  });

  it('applies its own 50-megapixel limit, below sharp\'s default', async () => {
    const err = await rejection(processImage(pixelBomb(8_000))); // 64 megapixels
    expect(err.code).toBe('INVALID_DATA');
    expect(err.text.zh).toBe('图片像素过多（最多 5000 万像素）');
  });
});

// ---- blob store ------------------------------------------------------------------------------

describe('LocalBlobStore', () => {
  let tmp: string;
  let root: string;
  let store: LocalBlobStore;

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-blobs-'));
    root = path.join(tmp, 'store');
    store = new LocalBlobStore(root);
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const filesUnder = (dir: string): string[] =>
    fs.existsSync(dir)
      ? fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
          d.isDirectory() ? filesUnder(path.join(dir, d.name)) : [path.join(dir, d.name)],
        )
      : [];

  it('stores content-addressed by sha256 under <2 hex>/<2 hex>/<sha256>, once', async () => {
    const bytes = Buffer.from('photo bytes ' + 'x'.repeat(1000));
    const sha = createHash('sha256').update(bytes).digest('hex');
    const dir = path.join(tmp, 'once');
    const s = new LocalBlobStore(dir);

    expect(await s.has(sha)).toBe(false);
    expect(await s.put(bytes)).toBe(sha);
    const file = path.join(dir, sha.slice(0, 2), sha.slice(2, 4), sha);
    expect(filesUnder(dir)).toEqual([file]);
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    const inode = fs.statSync(file).ino;

    expect(await s.put(Buffer.from(bytes))).toBe(sha);
    expect(filesUnder(dir)).toEqual([file]);
    expect(fs.statSync(file).ino).toBe(inode); // not rewritten
    expect(await s.has(sha)).toBe(true);
  });

  it('round-trips through get and stream', async () => {
    const bytes = randomBytes(200_000);
    const key = await store.put(bytes);
    expect((await store.get(key)).equals(bytes)).toBe(true);

    const chunks: Buffer[] = [];
    for await (const chunk of (await store.stream(key)) as AsyncIterable<Buffer>) chunks.push(chunk);
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true);

    const other = await store.put(Buffer.from('another'));
    expect(other).not.toBe(key);
    expect((await store.get(other)).toString()).toBe('another');
  });

  it('answers NOT_FOUND for missing and malformed keys, and never leaves the root', async () => {
    const key = await store.put(Buffer.from('known'));
    // A file a naive path join of '../x/secret.txt' would reach: <root>/../x/../x/secret.txt.
    fs.mkdirSync(path.join(tmp, 'x'), { recursive: true });
    fs.writeFileSync(path.join(tmp, 'x', 'secret.txt'), 'secret');

    const missing = createHash('sha256').update('never stored').digest('hex');
    const bad = [missing, '../x/secret.txt', '../etc/passwd', key.toUpperCase(), key.slice(0, 63), key + '0', 'abc', '', `${key.slice(0, 63)}g`];
    for (const k of bad) {
      expect(await store.has(k)).toBe(false);
      expect((await rejection(store.get(k))).code).toBe('NOT_FOUND');
      expect((await rejection(store.stream(k))).code).toBe('NOT_FOUND');
    }
    expect(await store.has(key)).toBe(true);
  });

  it('survives 20 concurrent puts of the same bytes with one file and no temp files left', async () => {
    const dir = path.join(tmp, 'race');
    const s = new LocalBlobStore(dir);
    const bytes = randomBytes(500_000);
    const sha = createHash('sha256').update(bytes).digest('hex');

    const keys = await Promise.all(Array.from({ length: 20 }, () => s.put(Buffer.from(bytes))));
    expect(keys).toEqual(Array(20).fill(sha));
    const file = path.join(dir, sha.slice(0, 2), sha.slice(2, 4), sha);
    expect(filesUnder(dir)).toEqual([file]);
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
  });
});
