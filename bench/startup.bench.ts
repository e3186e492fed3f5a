/**
 * `npm start` as a newcomer sees it: a fresh data directory → /readyz 200 (migrations, demo seed,
 * index), then a restart on the same directory; the peak RSS of the server. Compared in the same
 * run with a bare Fastify process that only listens (the floor of any Node server here).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const GOALS = { firstMs: 15_000, restartMs: 3_000, rssMb: 500 };

async function timeToReady(args: string[], env: Record<string, string>, readyPath: string) {
  const started = performance.now();
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env, PORT: '0', LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  let url: string | undefined;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited: ${out}`);
    url ??= /listening at (http:\/\/[\d.:]+)/.exec(out)?.[1];
    if (url) {
      const res = await fetch(`${url}${readyPath}`).catch(() => undefined);
      if (res?.status === 200) break;
    }
    await new Promise((r) => setTimeout(r, 25));
    if (performance.now() - started > 300_000) throw new Error('not ready after 5 minutes');
  }
  const ms = performance.now() - started;
  const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const rssMb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
  return { ms, rssMb };
}

export async function startupBench(): Promise<void> {
  console.log('\n## startup: npm start on an empty data directory, then a restart');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-start-'));
  const bare = path.join(dir, 'bare.mjs');
  fs.writeFileSync(bare, `import Fastify from '${path.resolve('node_modules/fastify/fastify.js')}';
const app = Fastify({ logger: true }); app.get('/readyz', async () => 'ok'); await app.listen({ port: 0, host: '127.0.0.1' });`);
  const floor = await timeToReady([bare], {}, '/readyz');
  const env = { PINGAN_DATA_DIR: path.join(dir, 'data'), DATABASE_URL: '' };
  const cli = path.resolve('bin/pingan.js');
  const first = await timeToReady([cli, 'serve', '--seed-if-empty', 'demo'], env, '/readyz');
  const again = await timeToReady([cli, 'serve', '--seed-if-empty', 'demo'], env, '/readyz');
  fs.rmSync(dir, { recursive: true, force: true });
  const row = (name: string, r: { ms: number; rssMb: number }, goal: number) =>
    console.log(`  ${name.padEnd(28)} ${(r.ms / 1000).toFixed(1).padStart(5)} s  (goal ≤ ${goal / 1000} s: ratio ${(goal / r.ms).toFixed(2)}; ${(r.ms / floor.ms).toFixed(0)}× a bare Fastify start)  peak RSS ${r.rssMb.toFixed(0)} MB (goal ≤ ${GOALS.rssMb})`);
  console.log(`  bare Fastify listen           ${(floor.ms / 1000).toFixed(2)} s`);
  row('first start (empty dir)', first, GOALS.firstMs);
  row('restart', again, GOALS.restartMs);
}
