/**
 * Photos taken on a phone are large: shrink them in the browser before upload (longest side
 * ≤ 1600 px, JPEG ~0.8). Re-encoding through a canvas also drops EXIF, GPS included.
 */
import { api } from './api.js';

export async function compressImage(file: Blob, maxSide = 1600, quality = 0.8): Promise<Blob> {
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext('2d')!.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', quality));
  return blob && blob.size < file.size ? blob : file;
}

export interface Uploaded { token: string; mime: string; width: number; height: number; bytes: number }

/** Compresses and uploads one photo; returns its token for a report or an action. */
export async function uploadPhoto(file: Blob): Promise<Uploaded> {
  const small = await compressImage(file);
  return api.post<Uploaded>('/api/v1/photos', small.type ? small : new Blob([small], { type: 'image/jpeg' }));
}
