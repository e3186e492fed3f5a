/**
 * Field-level encryption of personal data at rest (DESIGN §6), and blind indexes so that
 * encrypted values can still be looked up by equality.
 *
 * Token: v1.<kid>.<iv>.<ciphertext>.<tag>, base64url without padding. AES-256-GCM with a random
 * 12-byte IV; the context (e.g. "users.phone") is the additional authenticated data, so a
 * ciphertext copied into another column, or another table, fails to decrypt.
 *
 * Errors never carry plaintext or key material: they say what kind of failure it was.
 */
import crypto from 'node:crypto';
import type { KeyRing } from './keys.js';

export interface FieldCrypto {
  encrypt(plaintext: string, context: string): string;
  decrypt(token: string, context: string): string;
  /**
   * HMAC-SHA256 hex of the value under the blind-index key, separated per context. The caller
   * must normalise the value first (normalizePhone, validateNationalId(...).id) or equal values
   * written differently get different indexes.
   */
  blindIndex(value: string, context: string): string;
  /** True when the token was encrypted under a key other than the current one. */
  needsReencrypt(token: string): boolean;
  /**
   * A signature (HMAC-SHA256 under a key derived from the current data key, per context) of a
   * record kept outside the database, e.g. the audit log's checkpoints: `kid.mac`.
   */
  sign(data: string, context: string): string;
  /** Whether `signature` is sign(data, context) under any key of the ring. */
  verifySignature(data: string, signature: string, context: string): boolean;
}

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const B64URL = /^[A-Za-z0-9_-]*$/;
const KID = /^[A-Za-z0-9_-]{1,32}$/;

interface Parsed {
  kid: string;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

export function createFieldCrypto(ring: KeyRing): FieldCrypto {
  return {
    encrypt(plaintext, context) {
      if (typeof plaintext !== 'string') throw new Error('encrypt: plaintext must be a string');
      const aad = contextBytes(context);
      const kid = ring.currentKid;
      const iv = crypto.randomBytes(IV_BYTES);
      const cipher = crypto.createCipheriv('aes-256-gcm', ring.key(kid), iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(aad);
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [VERSION, kid, b64(iv), b64(ciphertext), b64(cipher.getAuthTag())].join('.');
    },

    decrypt(token, context) {
      const aad = contextBytes(context);
      const t = parse(token);
      if (!ring.has(t.kid)) throw new Error(`decrypt: unknown key id "${t.kid}"`);
      try {
        const decipher = crypto.createDecipheriv('aes-256-gcm', ring.key(t.kid), t.iv, { authTagLength: TAG_BYTES });
        decipher.setAAD(aad);
        decipher.setAuthTag(t.tag);
        return Buffer.concat([decipher.update(t.ciphertext), decipher.final()]).toString('utf8');
      } catch {
        // Node's message here is generic already; replace it anyway so nothing leaks by accident.
        throw new Error('decrypt: authentication failed (wrong context, wrong key or tampered data)');
      }
    },

    blindIndex(value, context) {
      if (typeof value !== 'string') throw new Error('blindIndex: value must be a string');
      contextBytes(context);
      return crypto.createHmac('sha256', ring.blindIndexKey()).update(`${context}\u0000${value}`, 'utf8').digest('hex');
    },

    needsReencrypt(token) {
      return parse(token).kid !== ring.currentKid;
    },

    sign(data, context) {
      return `${ring.currentKid}.${mac(ring, ring.currentKid, data, context)}`;
    },

    verifySignature(data, signature, context) {
      const dot = typeof signature === 'string' ? signature.indexOf('.') : -1;
      const kid = dot > 0 ? signature.slice(0, dot) : '';
      if (!KID.test(kid) || !ring.has(kid)) return false;
      const want = Buffer.from(mac(ring, kid, data, context)), got = Buffer.from(signature.slice(dot + 1));
      return want.length === got.length && crypto.timingSafeEqual(want, got);
    },
  };
}

/** HMAC-SHA256 (base64url) under a key derived from data key `kid` for signing records of `context`. */
function mac(ring: KeyRing, kid: string, data: string, context: string): string {
  const key = Buffer.from(crypto.hkdfSync('sha256', ring.key(kid), Buffer.alloc(0), `pingan-signature:${contextBytes(context).toString('utf8')}`, 32));
  return crypto.createHmac('sha256', key).update(data, 'utf8').digest('base64url');
}

/** The context is a programming constant; an empty one would make the AAD protection pointless. */
function contextBytes(context: string): Buffer {
  if (typeof context !== 'string' || context === '' || context.includes('\u0000')) {
    throw new Error('field crypto: context must be a non-empty string without NUL, e.g. "users.phone"');
  }
  return Buffer.from(context, 'utf8');
}

function parse(token: string): Parsed {
  const bad = () => new Error('decrypt: not a v1 encrypted field value');
  if (typeof token !== 'string') throw bad();
  const parts = token.split('.');
  if (parts.length !== 5 || parts[0] !== VERSION || !KID.test(parts[1])) throw bad();
  const [iv, ciphertext, tag] = parts.slice(2).map((p) => unb64(p, bad));
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw bad();
  return { kid: parts[1], iv, ciphertext, tag };
}

const b64 = (buf: Buffer) => buf.toString('base64url');

/** Strict: only the canonical encoding is accepted, so one ciphertext has exactly one token. */
function unb64(s: string, bad: () => Error): Buffer {
  if (!B64URL.test(s)) throw bad();
  const buf = Buffer.from(s, 'base64url');
  if (b64(buf) !== s) throw bad();
  return buf;
}
