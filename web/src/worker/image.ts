/**
 * Photos are made smaller on the phone before they are stored and sent: at most 1600 px on the
 * longer side, JPEG at quality 0.8, drawn through a canvas (which also drops EXIF and GPS; the
 * browser applies the EXIF orientation when decoding).
 */
export const MAX_SIDE = 1600;
export const QUALITY = 0.8;

async function decode(file: Blob): Promise<{ source: CanvasImageSource; width: number; height: number; done: () => void }> {
  if (typeof createImageBitmap === 'function') {
    try {
      const bmp = await createImageBitmap(file, { imageOrientation: 'from-image' });
      return { source: bmp, width: bmp.width, height: bmp.height, done: () => bmp.close() };
    } catch {
      // fall through to <img> (older Safari)
    }
  }
  const url = URL.createObjectURL(file);
  const img = new Image();
  img.src = url;
  try {
    await img.decode();
  } catch {
    URL.revokeObjectURL(url);
    throw new Error('not an image');
  }
  return { source: img, width: img.naturalWidth, height: img.naturalHeight, done: () => URL.revokeObjectURL(url) };
}

export function fitSize(width: number, height: number, max = MAX_SIDE): { width: number; height: number } {
  const scale = Math.min(1, max / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** The compressed JPEG bytes of an image file. Throws on what is not an image. */
export async function compressImage(file: Blob): Promise<{ bytes: ArrayBuffer; width: number; height: number }> {
  const img = await decode(file);
  try {
    const size = fitSize(img.width, img.height);
    const canvas = document.createElement('canvas');
    canvas.width = size.width;
    canvas.height = size.height;
    const g = canvas.getContext('2d')!;
    g.fillStyle = '#fff'; // transparent PNG areas become white, not black
    g.fillRect(0, 0, size.width, size.height);
    g.drawImage(img.source, 0, 0, size.width, size.height);
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', QUALITY));
    if (!blob) throw new Error('could not encode');
    return { bytes: await blob.arrayBuffer(), ...size };
  } finally {
    img.done();
  }
}
