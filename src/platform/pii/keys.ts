/**
 * The data-key ring: AES-256 keys for field encryption, by key id (kid), and the HMAC key for
 * blind indexes.
 *
 * Where keys come from, first match wins:
 *   1. PINGAN_DATA_KEYS     = kid:base64key[,kid:base64key...]  (the first is current)
 *   2. PINGAN_DATA_KEY_FILE = path to { "current": kid, "keys": { kid: base64 }, "blindIndexKey"?: base64 }
 *   3. development only: <dataDir>/data-keys.json, generated on first use. Production refuses it.
 *
 * Rotation: put the new key first (or make it "current") and keep the old ones listed; new
 * writes use the current key, old ciphertexts still decrypt, `needsReencrypt` finds them.
 *
 * Blind index key: PINGAN_BLIND_INDEX_KEY (or "blindIndexKey" in the file). When absent it is
 * derived (HKDF-SHA256) from the current key, i.e. the first listed. Blind indexes must NOT
 * change when the encryption key rotates (every stored index would stop matching), so before
 * rotating, set the blind-index key explicitly to the value derived from the old key
 * (`deriveBlindIndexKey(oldKey).toString('base64')`). A ring with several keys and no explicit
 * blind-index key is therefore warned about.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface KeyRing {
  /** Kid used for new encryptions. */
  readonly currentKid: string;
  /** Every kid usable for decryption, current first. */
  readonly kids: readonly string[];
  /** Where the keys came from (for the startup log; never the keys themselves). */
  readonly source: 'env' | 'file' | 'development';
  has(kid: string): boolean;
  /** A copy of the 32-byte key; throws for an unknown kid. */
  key(kid: string): Buffer;
  /** A copy of the 32-byte HMAC key for blind indexes. */
  blindIndexKey(): Buffer;
}

export interface LoadKeyRingOptions {
  env: Record<string, string | undefined>;
  dataDir: string;
  production: boolean;
  warn: (msg: string) => void;
}

export const DEV_KEY_FILE = 'data-keys.json';
const KID = /^[A-Za-z0-9_-]{1,32}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const BLIND_INDEX_INFO = 'pingan blind index v1';

/** The blind-index key derived from an encryption key (for setting it explicitly before rotation). */
export function deriveBlindIndexKey(key: Buffer): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', key, Buffer.alloc(0), BLIND_INDEX_INFO, 32));
}

export function loadKeyRing(opts: LoadKeyRingOptions): KeyRing {
  const { env, production, warn } = opts;
  const envKeys = nonEmpty(env.PINGAN_DATA_KEYS);
  const keyFile = nonEmpty(env.PINGAN_DATA_KEY_FILE);
  const envBlind = nonEmpty(env.PINGAN_BLIND_INDEX_KEY);
  const blindFromEnv = envBlind === undefined ? undefined : decodeKey(envBlind, 'PINGAN_BLIND_INDEX_KEY');

  let spec: { keys: Map<string, Buffer>; current: string; blind?: Buffer; source: KeyRing['source'] };
  if (envKeys !== undefined) {
    if (keyFile !== undefined) warn('PINGAN_DATA_KEYS 已设置，忽略 PINGAN_DATA_KEY_FILE / PINGAN_DATA_KEYS is set, so PINGAN_DATA_KEY_FILE is ignored');
    const keys = parseEnvKeys(envKeys);
    spec = { keys, current: keys.keys().next().value as string, source: 'env' };
  } else if (keyFile !== undefined) {
    const file = readKeyFile(path.resolve(keyFile), 'PINGAN_DATA_KEY_FILE');
    if (file.development && production) {
      throw new Error(
        `生产环境拒绝使用开发密钥文件 ${keyFile} / PINGAN_DATA_KEY_FILE points to a development key file ("generated": "development"), which production refuses; generate real keys`,
      );
    }
    if (file.development) warn(devWarning(keyFile));
    warnIfReadableByOthers(keyFile, warn);
    spec = { ...file, source: 'file' };
  } else if (production) {
    throw new Error(
      '生产环境必须通过 PINGAN_DATA_KEYS 或 PINGAN_DATA_KEY_FILE 配置数据加密密钥 / Production needs data encryption keys: set PINGAN_DATA_KEYS or PINGAN_DATA_KEY_FILE',
    );
  } else {
    const file = loadOrCreateDevFile(opts.dataDir);
    warn(devWarning(path.join(opts.dataDir, DEV_KEY_FILE)));
    spec = { ...file, source: 'development' };
  }

  if (blindFromEnv && spec.blind && !blindFromEnv.equals(spec.blind)) {
    throw new Error('PINGAN_BLIND_INDEX_KEY 与密钥文件中的 blindIndexKey 不一致 / PINGAN_BLIND_INDEX_KEY differs from "blindIndexKey" in the key file; keep one');
  }
  let blind = blindFromEnv ?? spec.blind;
  if (blind) {
    for (const key of spec.keys.values()) {
      // One key for two algorithms is a classic mistake; refuse it rather than reason about it.
      if (key.equals(blind)) throw new Error('盲索引密钥不得与加密密钥相同 / The blind-index key (PINGAN_BLIND_INDEX_KEY / blindIndexKey) must differ from every encryption key');
    }
  } else {
    if (spec.keys.size > 1) {
      warn(
        '盲索引密钥由当前加密密钥派生，轮换密钥会使已有盲索引失效；请显式设置 PINGAN_BLIND_INDEX_KEY / ' +
          'The blind-index key is derived from the current encryption key, so rotation changes it and existing blind indexes stop matching; set PINGAN_BLIND_INDEX_KEY explicitly',
      );
    }
    blind = deriveBlindIndexKey(spec.keys.get(spec.current)!);
  }
  return makeRing(spec.keys, spec.current, blind, spec.source);
}

function makeRing(keys: Map<string, Buffer>, currentKid: string, blind: Buffer, source: KeyRing['source']): KeyRing {
  const kids = [currentKid, ...[...keys.keys()].filter((k) => k !== currentKid)];
  return Object.freeze({
    currentKid,
    kids: Object.freeze(kids),
    source,
    has: (kid: string) => keys.has(kid),
    key(kid: string) {
      const key = keys.get(kid);
      if (!key) throw new Error(`未知的密钥编号 / Unknown data key id "${kid}"`);
      return Buffer.from(key);
    },
    blindIndexKey: () => Buffer.from(blind),
  });
}

const nonEmpty = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());

/** Decodes a base64 32-byte key. Messages name the setting, never echo the value. */
function decodeKey(value: unknown, where: string): Buffer {
  if (typeof value !== 'string' || !BASE64.test(value.trim())) throw new Error(`${where}: 密钥必须是 base64 / the key is not base64`);
  const key = Buffer.from(value.trim(), 'base64');
  if (key.length !== 32) throw new Error(`${where}: 密钥必须是32字节，实际为${key.length}字节 / the key must be 32 bytes, got ${key.length}`);
  return key;
}

function checkKid(kid: unknown, where: string): string {
  if (typeof kid !== 'string' || !KID.test(kid)) {
    throw new Error(`${where}: 密钥编号只能包含字母、数字、_、-，最长32位 / the key id must match ${KID}`);
  }
  return kid;
}

function parseEnvKeys(value: string): Map<string, Buffer> {
  const keys = new Map<string, Buffer>();
  value.split(',').forEach((entry, i) => {
    const where = `PINGAN_DATA_KEYS (entry ${i + 1})`;
    const colon = entry.indexOf(':');
    if (colon < 0) throw new Error(`${where}: 格式应为 kid:base64 / expected kid:base64key`);
    const kid = checkKid(entry.slice(0, colon).trim(), where);
    if (keys.has(kid)) throw new Error(`${where}: 密钥编号重复 / duplicate key id "${kid}"`);
    keys.set(kid, decodeKey(entry.slice(colon + 1), where));
  });
  return keys;
}

interface FileSpec {
  keys: Map<string, Buffer>;
  current: string;
  blind?: Buffer;
  development: boolean;
}

function readKeyFile(file: string, where: string): FileSpec {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    // The parse error message could quote file content, i.e. key material: report only the kind.
    const why = (err as NodeJS.ErrnoException).code ?? 'invalid JSON';
    throw new Error(`${where}: 无法读取密钥文件 ${file} / cannot read key file ${file} (${why})`);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new Error(`${where}: 密钥文件必须是 JSON 对象 / the key file must hold a JSON object`);
  const obj = json as Record<string, unknown>;
  if (!obj.keys || typeof obj.keys !== 'object' || Array.isArray(obj.keys)) {
    throw new Error(`${where}: 密钥文件缺少 "keys" / the key file has no "keys" object`);
  }
  const keys = new Map<string, Buffer>();
  for (const [kid, value] of Object.entries(obj.keys as Record<string, unknown>)) {
    keys.set(checkKid(kid, `${where} keys`), decodeKey(value, `${where} keys.${kid}`));
  }
  const current = checkKid(obj.current, `${where} "current"`);
  if (!keys.has(current)) throw new Error(`${where}: "current" 不在 "keys" 中 / "current" names a key id that is not in "keys"`);
  const blind = obj.blindIndexKey === undefined ? undefined : decodeKey(obj.blindIndexKey, `${where} "blindIndexKey"`);
  return { keys, current, blind, development: obj.generated === 'development' };
}

function loadOrCreateDevFile(dataDir: string): FileSpec {
  const file = path.join(dataDir, DEV_KEY_FILE);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dataDir, { recursive: true });
    const kid = `dev-${crypto.randomBytes(4).toString('hex')}`;
    const content = {
      generated: 'development',
      warning: 'Development only. Production refuses this file. 仅供开发使用，生产环境拒绝使用。',
      current: kid,
      keys: { [kid]: crypto.randomBytes(32).toString('base64') },
      blindIndexKey: crypto.randomBytes(32).toString('base64'),
    };
    try {
      // "wx": if two processes start at once, the second reads the first one's keys.
      fs.writeFileSync(file, JSON.stringify(content, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return readKeyFile(file, file);
}

function devWarning(file: string): string {
  return (
    `!!! 正在使用开发用数据加密密钥 ${file}：仅供开发测试，生产环境会拒绝它。请勿用它保存真实个人信息。 !!!\n` +
    `!!! USING A DEVELOPMENT DATA KEY from ${file}: for development only; production refuses it. Do not store real personal data with it. !!!`
  );
}

function warnIfReadableByOthers(file: string, warn: (msg: string) => void) {
  if (process.platform === 'win32') return;
  try {
    if (fs.statSync(file).mode & 0o077) warn(`密钥文件 ${file} 可被其他用户读取，建议 chmod 600 / The key file ${file} is readable by group or others; chmod 600 it`);
  } catch {
    // Already read successfully above; a stat failure here is not worth failing start-up.
  }
}
