/** Photo storage: content-addressed blobs on disk and safe processing of uploaded images. */
export { LocalBlobStore } from './blob-store.js';
export type { BlobStore } from './blob-store.js';
export { IMAGE_LIMITS, sniffImage, processImage } from './images.js';
export type { ImageMime, ProcessedImage } from './images.js';
