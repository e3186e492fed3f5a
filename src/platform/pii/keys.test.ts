import { describe, it, expect, afterEach } from 'vitest';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deriveBlindIndexKey, loadKeyRing, type LoadKeyRingOptions } from './keys.js';

const k = (byte: number) => Buffer.alloc(32, byte).toString('base64');
const dirs: string[] = [];
const tmp = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-keys-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function load(env: Record<string, string | undefined>, over: Partial<LoadKeyRingOptions> = {}) {
  const warnings: string[] = [];
  const ring = loadKeyRing({ env, dataDir: over.dataDir ?? tmp(), production: over.production ?? false, warn: (m) => warnings.push(m) });
  return { ring, warnings };
}

function writeJson(content: unknown, mode = 0o600) {
  const file = path.join(tmp(), 'keys.json');
  fs.writeFileSync(file, JSON.stringify(content), { mode });
  return file;
}

describe('loadKeyRing from PINGAN_DATA_KEYS', () => {
  it('uses the first key as current and keeps all for decryption', () => {
    const { ring, warnings } = load({ PINGAN_DATA_KEYS: `k2:${k(2)}, k1:${k(1)}`, PINGAN_BLIND_INDEX_KEY: k(9) }, { production: true });
    expect(ring.currentKid).toBe('k2');
    expect(ring.kids).toEqual(['k2', 'k1']);
    expect(ring.source).toBe('env');
    expect(ring.key('k1')).toEqual(Buffer.alloc(32, 1));
    expect(ring.key('k2')).toEqual(Buffer.alloc(32, 2));
    expect(ring.blindIndexKey()).toEqual(Buffer.alloc(32, 9));
    expect(() => ring.key('k3')).toThrow(/k3/);
    expect(ring.has('k3')).toBe(false);
    expect(warnings).toEqual([]);
  });

  it('hands out copies, so callers cannot corrupt the ring', () => {
    const { ring } = load({ PINGAN_DATA_KEYS: `a:${k(1)}` });
    ring.key('a').fill(0);
    ring.blindIndexKey().fill(0);
    expect(ring.key('a')).toEqual(Buffer.alloc(32, 1));
    expect(ring.blindIndexKey()).toEqual(deriveBlindIndexKey(Buffer.alloc(32, 1)));
  });

  it('derives the blind-index key with HKDF from the first key when none is set', () => {
    const { ring, warnings } = load({ PINGAN_DATA_KEYS: `a:${k(1)}` });
    const expected = Buffer.from(crypto.hkdfSync('sha256', Buffer.alloc(32, 1), Buffer.alloc(0), 'pingan blind index v1', 32));
    expect(ring.blindIndexKey()).toEqual(expected);
    expect(ring.blindIndexKey()).not.toEqual(Buffer.alloc(32, 1));
    expect(warnings).toEqual([]);
  });

  it('warns when several keys are listed without an explicit blind-index key', () => {
    const { warnings } = load({ PINGAN_DATA_KEYS: `b:${k(2)},a:${k(1)}` });
    expect(warnings.join('\n')).toMatch(/PINGAN_BLIND_INDEX_KEY/);
  });

  it('rejects malformed values, naming the variable and not echoing the key', () => {
    const bad = (value: string, pattern: RegExp) => {
      const err = (() => {
        try {
          load({ PINGAN_DATA_KEYS: value });
        } catch (e) {
          return e as Error;
        }
      })();
      expect(err, value).toBeInstanceOf(Error);
      expect(err!.message).toMatch(/PINGAN_DATA_KEYS/);
      expect(err!.message).toMatch(pattern);
      return err!;
    };
    const short = Buffer.alloc(16, 7).toString('base64');
    expect(bad(`a:${short}`, /32 bytes, got 16/).message).not.toContain(short);
    bad(`a:${Buffer.alloc(33, 7).toString('base64')}`, /32 bytes, got 33/);
    bad(`a:not*base64!`, /not base64/);
    bad(`a:`, /not base64/);
    bad(k(1), /kid:base64key/);
    bad(`bad.kid:${k(1)}`, /key id/);
    bad(`${'x'.repeat(33)}:${k(1)}`, /key id/);
    bad(`:${k(1)}`, /key id/);
    bad(`a:${k(1)},a:${k(2)}`, /duplicate key id "a"/);
    bad(`a:${k(1)},`, /entry 2/);
    expect(() => load({ PINGAN_DATA_KEYS: `a:${k(1)}`, PINGAN_BLIND_INDEX_KEY: 'short' })).toThrow(/PINGAN_BLIND_INDEX_KEY/);
  });

  it('refuses a blind-index key equal to an encryption key', () => {
    expect(() => load({ PINGAN_DATA_KEYS: `a:${k(1)}`, PINGAN_BLIND_INDEX_KEY: k(1) })).toThrow(/must differ/);
  });

  it('wins over PINGAN_DATA_KEY_FILE, with a warning', () => {
    const file = writeJson({ current: 'f', keys: { f: k(5) } });
    const { ring, warnings } = load({ PINGAN_DATA_KEYS: `a:${k(1)}`, PINGAN_DATA_KEY_FILE: file });
    expect(ring.currentKid).toBe('a');
    expect(warnings.join()).toMatch(/PINGAN_DATA_KEY_FILE is ignored/);
  });
});

describe('loadKeyRing from PINGAN_DATA_KEY_FILE', () => {
  it('reads current, keys and blindIndexKey', () => {
    const file = writeJson({ current: 'new', keys: { old: k(1), new: k(2) }, blindIndexKey: k(9) });
    const { ring, warnings } = load({ PINGAN_DATA_KEY_FILE: file }, { production: true });
    expect(ring.source).toBe('file');
    expect(ring.currentKid).toBe('new');
    expect(ring.kids).toEqual(['new', 'old']);
    expect(ring.key('old')).toEqual(Buffer.alloc(32, 1));
    expect(ring.blindIndexKey()).toEqual(Buffer.alloc(32, 9));
    expect(warnings).toEqual([]);
  });

  it('accepts PINGAN_BLIND_INDEX_KEY alongside the file, but not a conflicting one', () => {
    const plain = writeJson({ current: 'a', keys: { a: k(1) } });
    expect(load({ PINGAN_DATA_KEY_FILE: plain, PINGAN_BLIND_INDEX_KEY: k(9) }).ring.blindIndexKey()).toEqual(Buffer.alloc(32, 9));
    const withBlind = writeJson({ current: 'a', keys: { a: k(1) }, blindIndexKey: k(8) });
    expect(load({ PINGAN_DATA_KEY_FILE: withBlind, PINGAN_BLIND_INDEX_KEY: k(8) }).ring.blindIndexKey()).toEqual(Buffer.alloc(32, 8));
    expect(() => load({ PINGAN_DATA_KEY_FILE: withBlind, PINGAN_BLIND_INDEX_KEY: k(9) })).toThrow(/differs/);
  });

  it('rejects malformed files, naming the variable', () => {
    const cases: [unknown, RegExp][] = [
      [{ current: 'a', keys: { a: Buffer.alloc(31).toString('base64') } }, /32 bytes/],
      [{ current: 'b', keys: { a: k(1) } }, /"current"/],
      [{ keys: { a: k(1) } }, /"current"/],
      [{ current: 'a' }, /"keys"/],
      [{ current: 'a', keys: { 'a b': k(1) } }, /key id/],
      [{ current: 'a', keys: { a: k(1) }, blindIndexKey: 'xx' }, /blindIndexKey/],
      [[1, 2], /JSON object/],
    ];
    for (const [content, pattern] of cases) {
      const file = writeJson(content);
      expect(() => load({ PINGAN_DATA_KEY_FILE: file }), JSON.stringify(content)).toThrow(pattern);
      expect(() => load({ PINGAN_DATA_KEY_FILE: file })).toThrow(/PINGAN_DATA_KEY_FILE/);
    }
    expect(() => load({ PINGAN_DATA_KEY_FILE: path.join(tmp(), 'missing.json') })).toThrow(/PINGAN_DATA_KEY_FILE.*ENOENT/);
    const notJson = path.join(tmp(), 'k.json');
    fs.writeFileSync(notJson, `{"current":"a","keys":{"a":"${k(1)}"`);
    const err = (() => {
      try {
        load({ PINGAN_DATA_KEY_FILE: notJson });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.message).toMatch(/invalid JSON/);
    expect(err?.message).not.toContain(k(1));
  });

  it('warns about a key file readable by others', () => {
    const file = writeJson({ current: 'a', keys: { a: k(1) } }, 0o644);
    fs.chmodSync(file, 0o644);
    expect(load({ PINGAN_DATA_KEY_FILE: file }).warnings.join()).toMatch(/chmod 600/);
  });

  it('refuses a development key file in production, warns outside it', () => {
    const file = writeJson({ generated: 'development', current: 'dev-1', keys: { 'dev-1': k(1) }, blindIndexKey: k(2) });
    expect(() => load({ PINGAN_DATA_KEY_FILE: file }, { production: true })).toThrow(/development/);
    const { ring, warnings } = load({ PINGAN_DATA_KEY_FILE: file });
    expect(ring.currentKid).toBe('dev-1');
    expect(warnings.join()).toMatch(/DEVELOPMENT DATA KEY/);
  });
});

describe('loadKeyRing development key', () => {
  it('generates a 0600 key file on first use and reuses it, warning loudly every time', () => {
    const dataDir = path.join(tmp(), 'nested', 'data');
    const first = load({}, { dataDir });
    const file = path.join(dataDir, 'data-keys.json');
    expect(first.ring.source).toBe('development');
    expect(first.ring.currentKid).toMatch(/^dev-[0-9a-f]{8}$/);
    expect(first.warnings).toHaveLength(1);
    expect(first.warnings[0]).toMatch(/development only/);
    expect(first.warnings[0]).toMatch(/仅供开发/);
    expect(first.warnings[0]).toMatch(/production refuses/);
    if (process.platform !== 'win32') expect(fs.statSync(file).mode & 0o777).toBe(0o600);

    const stored = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(stored.generated).toBe('development');
    expect(Buffer.from(stored.blindIndexKey, 'base64')).toHaveLength(32);
    expect(first.ring.blindIndexKey()).toEqual(Buffer.from(stored.blindIndexKey, 'base64'));

    const second = load({}, { dataDir });
    expect(second.ring.currentKid).toBe(first.ring.currentKid);
    expect(second.ring.key(second.ring.currentKid)).toEqual(first.ring.key(first.ring.currentKid));
    expect(second.ring.blindIndexKey()).toEqual(first.ring.blindIndexKey());
    expect(second.warnings).toHaveLength(1);
  });

  it('different data directories get different keys', () => {
    const a = load({}).ring;
    const b = load({}).ring;
    expect(a.key(a.currentKid)).not.toEqual(b.key(b.currentKid));
  });

  it('treats blank variables as unset', () => {
    expect(load({ PINGAN_DATA_KEYS: '  ', PINGAN_DATA_KEY_FILE: '' }).ring.source).toBe('development');
  });

  it('production refuses to start without configured keys, and never creates the dev file', () => {
    const dataDir = tmp();
    expect(() => load({}, { dataDir, production: true })).toThrow(/PINGAN_DATA_KEYS.*PINGAN_DATA_KEY_FILE/);
    expect(fs.existsSync(path.join(dataDir, 'data-keys.json'))).toBe(false);
    // An existing dev file in the data directory is not picked up either.
    load({}, { dataDir });
    expect(() => load({}, { dataDir, production: true })).toThrow(/PINGAN_DATA_KEYS/);
  });
});
