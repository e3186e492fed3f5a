import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = path.resolve('node_modules/.bin/tsx');
const cli = path.resolve('src/cli/main.ts');

function run(args: string[], env: Record<string, string>) {
  const child = spawn(bin, [cli, ...args], { env: { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function until<T>(fn: () => T | undefined, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('pingan serve (a real process)', () => {
  it('stops on a bad configuration value, naming the variable', async () => {
    const p = run(['serve'], { PORT: 'eighty' });
    expect(await p.exited).toBe(2);
    expect(p.output()).toMatch(/PORT must be a whole number/);
  });

  it('starts, answers /healthz and /readyz, and on SIGTERM finishes and releases the data directory', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-serve-'));
    const p = run(['serve'], { PORT: '0', PINGAN_DATA_DIR: dataDir, ...(process.env.TEST_DATABASE_URL ? { DATABASE_URL: '' } : {}) });
    const url = await until(() => /listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(p.output())?.[1]);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    await until(() => (/spatial index ready/.test(p.output()) ? true : undefined));
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(fs.existsSync(path.join(dataDir, 'pingan.lock'))).toBe(true);
    // a second process may not open the same embedded database
    const second = run(['migrate'], { PINGAN_DATA_DIR: dataDir });
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/in use by process/);
    const inFlight = fetch(`${url}/docs/json`);
    p.child.kill('SIGTERM');
    expect((await inFlight).status).toBe(200);
    expect(await p.exited).toBe(0);
    expect(p.output()).toMatch(/stopped/);
    expect(fs.existsSync(path.join(dataDir, 'pingan.lock'))).toBe(false);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 120_000);
});
