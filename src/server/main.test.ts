import { spawn } from 'node:child_process';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const cli = path.resolve('src/cli/main.ts');

function run(args: string[], env: Record<string, string>) {
  // node itself (not the tsx wrapper, which is a second process) so that signals reach the server
  const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], { env: { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
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
    const checkpoints = path.join(dataDir, 'audit-checkpoints.jsonl');
    // something in the audit log for the server to checkpoint
    const created = run(['seed', '--counties', '330106', '--no-accounts'], { PINGAN_DATA_DIR: dataDir, PINGAN_AUDIT_CHECKPOINT_FILE: checkpoints, ...(process.env.TEST_DATABASE_URL ? { DATABASE_URL: '' } : {}) });
    expect(await created.exited).toBe(0);
    const p = run(['serve'], { PORT: '0', PINGAN_DATA_DIR: dataDir, PINGAN_AUDIT_CHECKPOINT_FILE: checkpoints, ...(process.env.TEST_DATABASE_URL ? { DATABASE_URL: '' } : {}) });
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
    // a request on its own connection, fully sent when SIGTERM arrives, still gets its answer
    const inFlight = new Promise<number>((resolve, reject) => {
      const req = http.request(`${url}/docs/json`, { agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.on('finish', () => setTimeout(() => p.child.kill('SIGTERM'), 5));
      req.end();
    });
    expect(await inFlight).toBe(200);
    expect(await p.exited).toBe(0);
    expect(p.output()).toMatch(/stopped/);
    expect(fs.existsSync(path.join(dataDir, 'pingan.lock'))).toBe(false);
    // the audit head was checkpointed outside the database (at start; at shutdown when it moved)
    const lines = fs.readFileSync(checkpoints, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { lastId: number; signature: string });
    expect(lines.at(-1)!.lastId).toBeGreaterThan(0);
    expect(lines.at(-1)!.signature).toMatch(/^[\w-]+\.[\w-]{43}$/);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 120_000);
});
