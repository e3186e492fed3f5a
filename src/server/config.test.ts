import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('config', () => {
  it('has defaults that run a local server on the embedded database', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ env: 'development', port: 3000, host: '127.0.0.1', region: '33', databaseUrl: undefined });
    expect(c.dataDir).toBe(path.resolve('data'));
  });

  it('reads PINGAN_DATA_DIR and DATABASE_URL', () => {
    const c = loadConfig({ PINGAN_DATA_DIR: '/tmp/x', DATABASE_URL: 'postgres://u@127.0.0.1:5432/db' });
    expect(c.dataDir).toBe('/tmp/x');
    expect(c.databaseUrl).toBe('postgres://u@127.0.0.1:5432/db');
  });

  it.each([
    ['PORT', 'abc'], ['PORT', '70000'], ['PORT', '-1'], ['NODE_ENV', 'staging'], ['LOG_LEVEL', 'loud'],
    ['DATABASE_URL', 'mysql://x'], ['DATABASE_URL', 'not a url'], ['PINGAN_REGION', 'zj'], ['PINGAN_BODY_LIMIT', '1.5'],
  ])('stops on a bad %s (%s), naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^Invalid configuration: ${name} `));
  });
});
