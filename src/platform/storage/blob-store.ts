/**
 * Content-addressed blob storage. A blob's key is the sha256 hex of its bytes; the local store
 * keeps it at `<root>/<2 hex>/<2 hex>/<sha256>`, written to a temp file in the same directory and
 * renamed into place, so readers never see a partial file and concurrent puts of the same bytes
 * are harmless. Keys that are not exactly 64 lowercase hex digits are never touched on disk.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors.js';

export interface BlobStore {
  /** Stores bytes content-addressed; returns the sha256 hex. Idempotent: same bytes → same key, written once. */
  put(bytes: Buffer): Promise<string>;
  /** Reads a blob; throws AppError('NOT_FOUND') when missing. */
  get(key: string): Promise<Buffer>;
  /** A readable stream of a blob (for HTTP responses); AppError('NOT_FOUND') when missing. */
  stream(key: string): Promise<NodeJS.ReadableStream>;
  has(key: string): Promise<boolean>;
}

const KEY = /^[0-9a-f]{64}$/;

const blobNotFound = () => new AppError('NOT_FOUND', { zh: '未找到文件', en: 'File not found' });

const isMissing = (err: unknown) => {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
};

export class LocalBlobStore implements BlobStore {
  private readonly root: string;

  constructor(rootDir: string) {
    this.root = path.resolve(rootDir);
  }

  /** The file path of a key, or null when the key is malformed. */
  private pathOf(key: string): string | null {
    if (typeof key !== 'string' || !KEY.test(key)) return null;
    return path.join(this.root, key.slice(0, 2), key.slice(2, 4), key);
  }

  async put(bytes: Buffer): Promise<string> {
    const key = createHash('sha256').update(bytes).digest('hex');
    const file = this.pathOf(key)!;
    if (await this.has(key)) return key;
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${randomUUID()}.tmp`;
    try {
      const fh = await open(tmp, 'wx');
      try {
        await fh.writeFile(bytes);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, file);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      // A rename may fail on some platforms if a concurrent put won the race; its bytes are ours.
      if (!(await this.has(key))) throw err;
    }
    return key;
  }

  async get(key: string): Promise<Buffer> {
    const file = this.pathOf(key);
    if (!file) throw blobNotFound();
    try {
      return await readFile(file);
    } catch (err) {
      if (isMissing(err)) throw blobNotFound();
      throw err;
    }
  }

  async stream(key: string): Promise<NodeJS.ReadableStream> {
    const file = this.pathOf(key);
    if (!file) throw blobNotFound();
    try {
      const fh = await open(file, 'r');
      return fh.createReadStream();
    } catch (err) {
      if (isMissing(err)) throw blobNotFound();
      throw err;
    }
  }

  async has(key: string): Promise<boolean> {
    const file = this.pathOf(key);
    if (!file) return false;
    try {
      return (await stat(file)).isFile();
    } catch (err) {
      if (isMissing(err)) return false;
      throw err;
    }
  }
}
