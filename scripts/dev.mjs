// npm run dev: the server (tsx watch, embedded database, demo data) and the Vite dev server for
// the web pages with hot reload (http://localhost:5173/console.html …, API proxied to :3000).
import { spawn } from 'node:child_process';

const run = (cmd, args) => spawn(cmd, args, { stdio: 'inherit', shell: process.platform === 'win32' });
const server = run('npx', ['tsx', 'watch', 'src/cli/main.ts', 'serve', '--seed-if-empty', 'demo']);
const web = run('npx', ['vite', '--config', 'web/vite.config.ts']);
const stop = () => { server.kill('SIGTERM'); web.kill('SIGTERM'); };
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
server.on('exit', (code) => { web.kill('SIGTERM'); process.exitCode = code ?? 0; });
