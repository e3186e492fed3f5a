/**
 * Case-photo intake. Accepts JPEG, PNG and WebP judged by their bytes (never by a file name or a
 * declared content type), refuses oversized, damaged and decompression-bomb images, and derives
 * the two copies anyone but staff may see: a `public` image, auto-rotated and stripped of all
 * metadata (EXIF incl. GPS location, XMP, IPTC), and a small WebP `thumbnail`. The `original`
 * bytes are kept untouched for staff.
 */
import sharp from 'sharp';
import { AppError } from '../errors.js';

export const IMAGE_LIMITS = {
  maxBytes: 10 * 1024 * 1024,
  maxPixels: 50_000_000,
  thumbnailSize: 320,
  publicMaxSize: 2048,
} as const;

export type ImageMime = 'image/jpeg' | 'image/png' | 'image/webp';

export interface ProcessedImage {
  mime: ImageMime;
  /** Width and height of the image as displayed (EXIF orientation applied), before any resizing. */
  width: number;
  height: number;
  /** Size of `original` in bytes. */
  bytes: number;
  /** The bytes as uploaded (staff only; keeps EXIF). */
  original: Buffer;
  /** Re-encoded in the input format, auto-rotated, no metadata, longest side ≤ publicMaxSize. */
  public: Buffer;
  /** WebP, longest side ≤ thumbnailSize, no metadata. */
  thumbnail: Buffer;
}

const SHARP_FORMAT = { 'image/jpeg': 'jpeg', 'image/png': 'png', 'image/webp': 'webp' } as const;

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The image type by magic bytes only, or null when it is not JPEG, PNG or WebP. */
export function sniffImage(bytes: Buffer): ImageMime | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(PNG_MAGIC)) return 'image/png';
  if (
    bytes.length >= 12 &&
    bytes.toString('latin1', 0, 4) === 'RIFF' &&
    bytes.toString('latin1', 8, 12) === 'WEBP'
  ) {
    return 'image/webp';
  }
  return null;
}

const megabytes = IMAGE_LIMITS.maxBytes / (1024 * 1024);
const megapixels = IMAGE_LIMITS.maxPixels / 1_000_000;
const wanPixels = IMAGE_LIMITS.maxPixels / 10_000; // 万像素, as Chinese counts them

const wrongType = (field: string) =>
  new AppError(
    'INVALID_DATA',
    { zh: '只支持 JPEG、PNG、WebP 格式的图片', en: 'Only JPEG, PNG and WebP images are accepted' },
    { field },
  );

const damaged = (field: string, cause?: unknown) =>
  new AppError(
    'INVALID_DATA',
    { zh: '图片已损坏或不完整，无法读取', en: 'The image is damaged or incomplete and cannot be read' },
    { field, cause },
  );

const tooManyPixels = (field: string) =>
  new AppError(
    'INVALID_DATA',
    {
      zh: `图片像素过多（最多 ${wanPixels} 万像素）`,
      en: `The image has too many pixels (at most ${megapixels} megapixels)`,
    },
    { field },
  );

/** Validates an uploaded photo and derives its public copy and thumbnail. */
export async function processImage(bytes: Buffer, field = 'photo'): Promise<ProcessedImage> {
  if (bytes.length === 0) {
    throw new AppError(
      'PAYLOAD_TOO_LARGE',
      { zh: `图片文件为空（大小上限 ${megabytes} MB）`, en: `The image file is empty (the limit is ${megabytes} MB)` },
      { field },
    );
  }
  if (bytes.length > IMAGE_LIMITS.maxBytes) {
    throw new AppError(
      'PAYLOAD_TOO_LARGE',
      { zh: `图片不能超过 ${megabytes} MB`, en: `The image must be at most ${megabytes} MB` },
      { field },
    );
  }
  const mime = sniffImage(bytes);
  if (!mime) throw wrongType(field);

  const input = () => sharp(bytes, { limitInputPixels: IMAGE_LIMITS.maxPixels, failOn: 'error' });
  try {
    const meta = await input().metadata();
    if (meta.format !== SHARP_FORMAT[mime]) throw wrongType(field);
    if (meta.width * meta.height > IMAGE_LIMITS.maxPixels) throw tooManyPixels(field);

    // sharp writes no metadata unless asked to (keepMetadata/withExif/...), so outputs are clean.
    const size = IMAGE_LIMITS.publicMaxSize;
    const publicImage = await input()
      .autoOrient()
      .resize({ width: size, height: size, fit: 'inside', withoutEnlargement: true })
      .toFormat(SHARP_FORMAT[mime], mime === 'image/png' ? {} : { quality: 85 })
      .toBuffer();
    const thumb = IMAGE_LIMITS.thumbnailSize;
    const thumbnail = await sharp(publicImage)
      .resize({ width: thumb, height: thumb, fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 75 })
      .toBuffer();

    return {
      mime,
      width: meta.autoOrient.width,
      height: meta.autoOrient.height,
      bytes: bytes.length,
      original: bytes,
      public: publicImage,
      thumbnail,
    };
  } catch (err) {
    if (err instanceof AppError) throw err;
    if (err instanceof Error && /pixel limit/i.test(err.message)) throw tooManyPixels(field);
    throw damaged(field, err);
  }
}
