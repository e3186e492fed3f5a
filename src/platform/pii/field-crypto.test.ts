import { describe, it, expect } from 'vitest';
import crypto from 'node:crypto';
import { createFieldCrypto } from './field-crypto.js';
import { loadKeyRing } from './keys.js';

const k = (byte: number) => Buffer.alloc(32, byte).toString('base64');
const ringOf = (env: Record<string, string>) => loadKeyRing({ env, dataDir: '/nonexistent', production: true, warn: () => {} });
const oldRing = ringOf({ PINGAN_DATA_KEYS: `2024:${k(1)}`, PINGAN_BLIND_INDEX_KEY: k(9) });
const newRing = ringOf({ PINGAN_DATA_KEYS: `2025:${k(2)},2024:${k(1)}`, PINGAN_BLIND_INDEX_KEY: k(9) });
const fc = createFieldCrypto(oldRing);

/** Flips one bit of the decoded bytes of token part `index` (2 = iv, 3 = ciphertext, 4 = tag). */
function flip(token: string, index: number, byte = 0): string {
  const parts = token.split('.');
  const buf = Buffer.from(parts[index], 'base64url');
  buf[byte] ^= 1;
  parts[index] = buf.toString('base64url');
  return parts.join('.');
}

describe('encrypt / decrypt', () => {
  it('round-trips Chinese text, empty strings and long values', () => {
    for (const text of ['张三，浙江省杭州市西湖区文三路 100 号', '', '13812345678', '🙂'.repeat(1000)]) {
      const token = fc.encrypt(text, 'residents.address');
      expect(fc.decrypt(token, 'residents.address')).toBe(text);
    }
  });

  it('produces v1.<kid>.<iv>.<ciphertext>.<tag> in base64url, fresh IV every time', () => {
    const a = fc.encrypt('张三', 'users.name');
    const b = fc.encrypt('张三', 'users.name');
    expect(a).not.toBe(b);
    const parts = a.split('.');
    expect(parts).toHaveLength(5);
    expect(parts[0]).toBe('v1');
    expect(parts[1]).toBe('2024');
    expect(Buffer.from(parts[2], 'base64url')).toHaveLength(12);
    expect(Buffer.from(parts[3], 'base64url')).toHaveLength(Buffer.byteLength('张三'));
    expect(Buffer.from(parts[4], 'base64url')).toHaveLength(16);
    expect(a).toMatch(/^[A-Za-z0-9_.-]+$/);
    expect(a).not.toContain('张');
  });

  it('is real AES-256-GCM with the context as AAD (decryptable independently)', () => {
    const [, , iv, ct, tag] = fc.encrypt('浙江', 'users.city').split('.');
    const d = crypto.createDecipheriv('aes-256-gcm', Buffer.alloc(32, 1), Buffer.from(iv, 'base64url'));
    d.setAAD(Buffer.from('users.city'));
    d.setAuthTag(Buffer.from(tag, 'base64url'));
    expect(Buffer.concat([d.update(Buffer.from(ct, 'base64url')), d.final()]).toString()).toBe('浙江');
  });

  it('rejects tampering with the IV, ciphertext or tag', () => {
    const token = fc.encrypt('330106199001011234', 'residents.idNumber');
    for (const [part, byte] of [[2, 0], [2, 11], [3, 0], [3, 17], [4, 0], [4, 15]]) {
      expect(() => fc.decrypt(flip(token, part, byte), 'residents.idNumber')).toThrow(/authentication failed/);
    }
    // Truncated ciphertext (still well-formed) is caught by the tag too.
    const parts = token.split('.');
    parts[3] = Buffer.from(parts[3], 'base64url').subarray(0, 10).toString('base64url');
    expect(() => fc.decrypt(parts.join('.'), 'residents.idNumber')).toThrow(/authentication failed/);
  });

  it('rejects a ciphertext moved to another field', () => {
    const token = fc.encrypt('13812345678', 'users.phone');
    expect(() => fc.decrypt(token, 'residents.phone')).toThrow(/authentication failed/);
    expect(() => fc.decrypt(token, 'users.phone ')).toThrow(/authentication failed/);
  });

  it('rejects a token whose kid names the wrong key', () => {
    const other = createFieldCrypto(ringOf({ PINGAN_DATA_KEYS: `2024:${k(3)}`, PINGAN_BLIND_INDEX_KEY: k(9) }));
    expect(() => other.decrypt(fc.encrypt('x', 'c'), 'c')).toThrow(/authentication failed/);
  });

  it('rejects unknown kids and malformed tokens without echoing data', () => {
    const token = fc.encrypt('秘密', 'c');
    const unknown = token.replace('.2024.', '.2023.');
    expect(() => fc.decrypt(unknown, 'c')).toThrow(/unknown key id "2023"/);
    const iv = token.split('.')[2];
    const malformed = [
      '',
      'plain text',
      token.replace(/^v1\./, 'v2.'),
      token + '.x',
      token.split('.').slice(0, 4).join('.'),
      token.replace(`.${iv}.`, `.${iv}AA.`), // 14-byte IV
      token.replace(`.${iv}.`, `.${iv.slice(0, -1)}+.`), // not base64url
      token.replace('.2024.', '.bad!kid.'),
    ];
    // The tag's last base64url character carries 2 data bits and 4 zero bits: flipping a zero
    // bit gives a different string for the same bytes, which must be refused as non-canonical.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const tag = token.split('.')[4];
    const nonCanonical = tag.slice(0, -1) + alphabet[alphabet.indexOf(tag.at(-1)!) ^ 1];
    expect(Buffer.from(nonCanonical, 'base64url')).toEqual(Buffer.from(tag, 'base64url'));
    malformed.push(token.slice(0, -tag.length) + nonCanonical);
    for (const bad of malformed) {
      const err = (() => {
        try {
          fc.decrypt(bad, 'c');
        } catch (e) {
          return e as Error;
        }
      })();
      expect(err, bad).toBeInstanceOf(Error);
      expect(err!.message).toMatch(/not a v1 encrypted field value/);
      expect(err!.message).not.toContain('秘密');
    }
    expect(() => fc.decrypt(undefined as unknown as string, 'c')).toThrow(/not a v1/);
  });

  it('refuses an empty context', () => {
    expect(() => fc.encrypt('x', '')).toThrow(/context/);
    expect(() => fc.decrypt(fc.encrypt('x', 'c'), '')).toThrow(/context/);
    expect(() => fc.blindIndex('x', '')).toThrow(/context/);
  });
});

describe('key rotation', () => {
  it('old ciphertexts decrypt with the new ring, and are flagged for re-encryption', () => {
    const token = fc.encrypt('欧阳娜娜', 'residents.name');
    const next = createFieldCrypto(newRing);
    expect(next.decrypt(token, 'residents.name')).toBe('欧阳娜娜');
    expect(next.needsReencrypt(token)).toBe(true);
    expect(fc.needsReencrypt(token)).toBe(false);

    const fresh = next.encrypt('欧阳娜娜', 'residents.name');
    expect(fresh.split('.')[1]).toBe('2025');
    expect(next.needsReencrypt(fresh)).toBe(false);
    // The old ring cannot read what the new key wrote.
    expect(() => fc.decrypt(fresh, 'residents.name')).toThrow(/unknown key id "2025"/);
    expect(() => next.needsReencrypt('garbage')).toThrow(/not a v1/);
  });
});

describe('blindIndex', () => {
  it('is HMAC-SHA256(blind key, context NUL value) in hex', () => {
    const expected = crypto.createHmac('sha256', Buffer.alloc(32, 9)).update('users.phone\u000013812345678').digest('hex');
    expect(fc.blindIndex('13812345678', 'users.phone')).toBe(expected);
    expect(fc.blindIndex('13812345678', 'users.phone')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is deterministic, differs per value and per context', () => {
    const a = fc.blindIndex('13812345678', 'users.phone');
    expect(fc.blindIndex('13812345678', 'users.phone')).toBe(a);
    expect(fc.blindIndex('13812345679', 'users.phone')).not.toBe(a);
    expect(fc.blindIndex('13812345678', 'residents.phone')).not.toBe(a);
    // The separator keeps (context, value) pairs apart.
    expect(fc.blindIndex('b', 'a.')).not.toBe(fc.blindIndex('.b', 'a'));
  });

  it('stays stable across rotation when the blind-index key is set explicitly', () => {
    expect(createFieldCrypto(newRing).blindIndex('11010519491231002X', 'residents.idNumber')).toBe(
      fc.blindIndex('11010519491231002X', 'residents.idNumber'),
    );
  });

  it('changes with the blind-index key, and is not keyed by the encryption key', () => {
    const derivedOld = createFieldCrypto(ringOf({ PINGAN_DATA_KEYS: `2024:${k(1)}` }));
    const derivedNew = createFieldCrypto(ringOf({ PINGAN_DATA_KEYS: `2025:${k(2)},2024:${k(1)}` }));
    expect(derivedOld.blindIndex('x', 'c')).not.toBe(fc.blindIndex('x', 'c'));
    // Without an explicit key the index follows the current key: exactly why rotation needs one.
    expect(derivedNew.blindIndex('x', 'c')).not.toBe(derivedOld.blindIndex('x', 'c'));
    expect(derivedOld.blindIndex('x', 'c')).not.toBe(crypto.createHmac('sha256', Buffer.alloc(32, 1)).update('c\u0000x').digest('hex'));
  });
});
