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
    ['PINGAN_WEBHOOK_ALLOW', '10.0.0.0/33'], ['PINGAN_WEBHOOK_ALLOW', 'http://x'], ['PINGAN_WEBHOOK_TEST_LOOPBACK', '1'],
  ])('stops on a bad %s (%s), naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^Invalid configuration: ${name} `));
  });

  it('accepts PINGAN_WEBHOOK_ALLOW as CIDRs and names, and the test-only loopback switch only under NODE_ENV=test', () => {
    expect(loadConfig({ PINGAN_WEBHOOK_ALLOW: '10.20.0.0/16, fd12::/16,hooks.gov.example' }).webhookAllow).toContain('10.20.0.0/16');
    expect(() => loadConfig({ NODE_ENV: 'production', PINGAN_WEBHOOK_TEST_LOOPBACK: '1' })).toThrow(/PINGAN_WEBHOOK_TEST_LOOPBACK/);
    expect(() => loadConfig({ NODE_ENV: 'test', PINGAN_WEBHOOK_TEST_LOOPBACK: '1' })).not.toThrow();
  });
});
