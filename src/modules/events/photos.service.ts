/**
 * Photos of cases. An upload is checked by its bytes (JPEG, PNG, WebP; ≤ 10 MB), stored three
 * times content-addressed (the original for staff; a copy without EXIF/GPS for everyone else;
 * a thumbnail) and answered with a token. A case or a transition then claims up to 9 tokens of
 * the same uploader.
 */
import crypto from 'node:crypto';
import { recordAudit } from '../../platform/audit/index.js';
import { auditActor, type Actor } from '../../platform/auth/actor.js';
import { AppError } from '../../platform/errors.js';
import type { Db } from '../../platform/db/database.js';
import { processImage, type ProcessedImage } from '../../platform/storage/index.js';
import type { EventsContext, RequestMeta } from './events.context.js';
import * as repo from './events.repository.js';
import { visibleCase } from './queries.service.js';

export const MAX_PHOTOS = 9;

export interface UploadedPhoto {
  token: string;
  mime: string;
  width: number;
  height: number;
  bytes: number;
}

type Blobs = { originalSha256: string; publicSha256: string; thumbSha256: string };

async function putBlobs(ctx: EventsContext, img: ProcessedImage): Promise<Blobs> {
  return { originalSha256: await ctx.blobs.put(img.original), publicSha256: await ctx.blobs.put(img.public), thumbSha256: await ctx.blobs.put(img.thumbnail) };
}

async function insertUpload(tx: Db, actor: Actor, img: ProcessedImage, blobs: Blobs, meta: RequestMeta): Promise<UploadedPhoto> {
  const token = crypto.randomBytes(18).toString('base64url');
  await repo.insertPhoto(tx, { token, uploader: `${actor.kind}:${actor.id}`, ...blobs, mime: img.mime, width: img.width, height: img.height, bytes: img.bytes });
  await recordAudit(tx, { ...auditActor(actor, meta), action: 'photo.upload', result: 'success', targetType: 'photo', targetId: blobs.originalSha256, details: { mime: img.mime, bytes: img.bytes } });
  return { token, mime: img.mime, width: img.width, height: img.height, bytes: img.bytes };
}

export async function uploadPhoto(ctx: EventsContext, actor: Actor, bytes: Buffer, meta: RequestMeta): Promise<UploadedPhoto> {
  const img = await processImage(bytes, 'file');
  const blobs = await putBlobs(ctx, img);
  return ctx.database.transaction((tx) => insertUpload(tx, actor, img, blobs, meta));
}

/**
 * A photo that came with a report (an Open311 `media` part), checked beforehand with processImage:
 * stored and attached to the case's first transition inside the intake's transaction (reportEvent's
 * `within`), so a refused report leaves no photo behind.
 */
export async function attachReportPhoto(ctx: EventsContext, tx: Db, actor: Actor, img: ProcessedImage, meta: RequestMeta, eventId: number, transitionId: number): Promise<UploadedPhoto> {
  const photo = await insertUpload(tx, actor, img, await putBlobs(ctx, img), meta);
  await claimPhotos(tx, `${actor.kind}:${actor.id}`, [photo.token], eventId, transitionId);
  return photo;
}

/** Attaches uploads to a case and a transition: each must exist, be the caller's, and be unused. */
export async function claimPhotos(tx: Db, uploader: string, tokens: string[], eventId: number, transitionId: number): Promise<void> {
  if (tokens.length > MAX_PHOTOS) throw new AppError('VALIDATION_FAILED', { zh: `每次最多 ${MAX_PHOTOS} 张照片`, en: `At most ${MAX_PHOTOS} photos` }, { field: 'photos' });
  const found = await repo.photosByTokens(tx, tokens);
  for (const t of tokens) {
    const p = found.find((x) => x.token === t);
    if (!p || p.uploader !== uploader) throw new AppError('INVALID_DATA', { zh: `照片 ${t} 不存在或不是您上传的`, en: `Photo ${t} does not exist or was not uploaded by you` }, { field: 'photos' });
    if (p.eventId !== null && !(p.eventId === eventId && p.transitionId === transitionId)) {
      throw new AppError('INVALID_DATA', { zh: `照片 ${t} 已用于其他记录`, en: `Photo ${t} is already attached elsewhere` }, { field: 'photos' });
    }
  }
  await repo.attachPhotos(tx, tokens, eventId, transitionId);
}

export type PhotoVariant = 'public' | 'thumb' | 'original';

export function shaOf(p: repo.PhotoRow, variant: PhotoVariant): string {
  return variant === 'original' ? p.originalSha256 : variant === 'thumb' ? p.thumbSha256 : p.publicSha256;
}

/** A photo for the caller: their own upload, or one of a case they may see; the original only for staff. */
export async function readPhoto(ctx: EventsContext, actor: Actor, token: string, variant: PhotoVariant): Promise<{ mime: string; stream: NodeJS.ReadableStream }> {
  const db = ctx.database.db;
  const p = await repo.photoByToken(db, token);
  const mine = p && p.uploader === `${actor.kind}:${actor.id}`;
  if (!p || (!mine && p.eventId === null) || (variant === 'original' && actor.kind !== 'staff')) throw new AppError('NOT_FOUND');
  if (!mine) await visibleCase(db, actor, p.eventId!);
  return { mime: variant === 'thumb' ? 'image/webp' : p.mime, stream: await ctx.blobs.stream(shaOf(p, variant)) };
}
